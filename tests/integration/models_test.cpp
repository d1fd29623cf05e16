// Models and decisions over HTTP: the registry listing, a score step's decision record
// (model, version, score, contributions, shadow score, route), and an alias change by an
// admin that is refused to others and recorded in the change feed.
#include <catch2/catch.hpp>
#include <filesystem>

#include "integration/daemon_fixture.h"

namespace {

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;
namespace fs = std::filesystem;

}  // namespace

TEST_CASE("A score step records its decision, the API lists models and decisions", "[daemon]") {
  Daemon d({"tests/data/daemon/scored_invoice.yaml"});

  const json low = d.call("POST", "/v1/workflows/scored_invoice/instances", "alice", 201,
                          {{"invoice",
                            {{"id", "I-1"},
                             {"amount", 100},
                             {"weekend", false},
                             {"vendor_iban", "DE44500105175407324931"}}}});
  CHECK(low["status"] == "succeeded");
  const json high = d.call("POST", "/v1/workflows/scored_invoice/instances", "alice", 201,
                           {{"invoice", {{"id", "I-2"}, {"amount", 9000}, {"weekend", true}}}});
  CHECK(high["status"] == "waiting");

  const json decisions =
      d.call("GET", "/v1/instances/" + low["id"].get<std::string>() + "/decisions", "ivan", 200);
  REQUIRE(decisions["items"].size() == 1);
  const json& dec = decisions["items"][0];
  CHECK(dec["model"] == "invoice_risk");
  CHECK(dec["version"] == "1");  // the champion alias
  CHECK(dec["state"] == "risk");
  CHECK(dec["score"].get<double>() < 0.5);
  CHECK(dec["contributions"].size() == 2);
  REQUIRE(dec["shadow"].size() == 1);
  CHECK(dec["shadow"][0]["version"] == "2");
  CHECK(dec["route"] == json::array({"route", "approve", "done"}));
  CHECK(dec.dump().find("DE44500105175407324931") == std::string::npos);

  const json models = d.call("GET", "/v1/models", "ivan", 200);
  REQUIRE(models["items"].size() == 2);  // tests/data/daemon/models, sorted by name
  CHECK(models["items"][0]["name"] == "invoice_risk");
  CHECK(models["items"][0]["champion"] == 1);
  CHECK(models["items"][0]["versions"] == json::array({1, 2}));
  CHECK(models["items"][1]["name"] == "payment_fraud");
  CHECK(d.call("GET", "/v1/models/invoice_risk", "bob", 200)["versions"].size() == 2);
  d.call("GET", "/v1/models/nope", "bob", 404);
}

TEST_CASE("Only an admin changes a model alias, the change is in the feed", "[daemon]") {
  Daemon d({"tests/data/daemon/scored_invoice.yaml"});
  d.call("PUT", "/v1/models/invoice_risk/aliases/champion", "bob", 403, {{"version", 2}});
  d.call("PUT", "/v1/models/invoice_risk/aliases/champion", "olga", 422, {{"version", 7}});
  d.call("PUT", "/v1/models/invoice_risk/aliases/champion", "olga", 400, {{"version", "2"}});
  const json changed =
      d.call("PUT", "/v1/models/invoice_risk/aliases/champion", "olga", 200, {{"version", 2}});
  CHECK(changed["aliases"]["champion"] == 2);

  // New decisions use the new champion.
  const json inst = d.call("POST", "/v1/workflows/scored_invoice/instances", "alice", 201,
                           {{"invoice", {{"id", "I-3"}, {"amount", 100}, {"weekend", false}}}});
  const json decisions =
      d.call("GET", "/v1/instances/" + inst["id"].get<std::string>() + "/decisions", "ivan", 200);
  CHECK(decisions["items"][0]["version"] == "2");

  auto events = read_events(d.port(), "ivan", 0, 1, 3s);
  REQUIRE(!events.empty());
  CHECK(events[0].event == "model");
  CHECK(events[0].data["payload"]["by"] == "olga");
  CHECK(events[0].data["payload"]["version"] == 2);
  CHECK(events[0].data["payload"]["previous"] == 1);
}
