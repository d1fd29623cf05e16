// The OpenAPI document (api/openapi.yaml) and the daemon's routes must describe the same
// API: every registered route is documented with its method, and every documented
// operation is served.
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <set>

#include "api/http/router.h"
#include "api/service/api_service.h"
#include "api/service/authenticator.h"
#include "engine/runtime/clock.h"
#include "plugins/finance/api/finance_routes.h"
#include "plugins/finance/finance_module.h"
#include "support/temp_dir.h"

namespace {

using namespace ledgerflow;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TEST_CASE("Every route is in openapi.yaml and every documented operation is a route",
          "[service][openapi]") {
  test::TempDir dir;
  rt::SystemClock clock;
  api::EngineHostOptions ho;
  ho.database = dir.path("ledger.db");
  auto finance = std::make_shared<finance::FinanceModule>();
  ho.modules.push_back(finance);
  auto host = api::EngineHost::open(ho, clock);
  REQUIRE(host);
  auto auth = api::Authenticator::load(std::string(LF_SOURCE_DIR) + "/config/demo-users.yaml");
  REQUIRE(auth);
  finance::FinanceRoutes finance_routes(finance->records(), finance->ar_ledger());
  api::ApiService service(**host, std::move(*auth), {});
  REQUIRE(service.add_module(finance_routes));
  api::http::Router router;
  REQUIRE(service.register_routes(router));

  const YAML::Node doc = YAML::LoadFile(std::string(LF_SOURCE_DIR) + "/api/openapi.yaml");
  std::set<std::string> documented;
  for (const auto& path : doc["paths"]) {
    for (const auto& op : path.second) {
      const std::string method = op.first.as<std::string>();
      if (method == "parameters") continue;
      documented.insert(lower(method) + " " + path.first.as<std::string>());
    }
  }
  std::set<std::string> served;
  for (const auto& r : router.routes()) served.insert(lower(r.method) + " " + r.pattern);
  for (const auto& s : served) {
    INFO("route not in api/openapi.yaml: " << s);
    CHECK(documented.count(s) == 1);
  }
  for (const auto& d : documented) {
    INFO("documented but not served: " << d);
    CHECK(served.count(d) == 1);
  }
}
