// GET /v1/stats over HTTP: counts by workflow and status, unfinished instances by state
// (the dashboard's graph badges), open tasks, the per-minute window, recent failures and
// the caller's roles.
#include <catch2/catch.hpp>

#include "integration/daemon_fixture.h"

namespace {

using namespace ledgerflow::daemon_test;
using nlohmann::json;

const json* find_workflow(const json& stats, const std::string& name) {
  for (const auto& w : stats["workflows"]) {
    if (w["name"] == name) return &w;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Stats count instances by workflow, status and state", "[daemon]") {
  Daemon d({"tests/data/daemon/scored_invoice.yaml", "tests/data/daemon/ap_review.yaml"});
  d.call("POST", "/v1/workflows/scored_invoice/instances", "alice", 201,
         {{"invoice", {{"id", "I-1"}, {"amount", 100}, {"weekend", false}}}});
  d.call("POST", "/v1/workflows/scored_invoice/instances", "alice", 201,
         {{"invoice", {{"id", "I-2"}, {"amount", 9000}, {"weekend", true}}}});
  const json review = d.call("POST", "/v1/workflows/ap_review/instances", "alice", 201,
                             {{"invoice", {{"id", "I-3"}, {"amount", 50}}}});
  const json tasks =
      d.call("GET", "/v1/tasks?instance_id=" + review["id"].get<std::string>(), "bob", 200);
  REQUIRE(tasks["items"].size() == 1);
  d.call("POST", "/v1/tasks/" + tasks["items"][0]["id"].get<std::string>() + "/complete", "bob",
         200, {{"outcome", "rejected"}});

  const json stats = d.call("GET", "/v1/stats", "ivan", 200);
  CHECK(stats["viewer"] == json({{"user", "ivan"}, {"roles", {"auditor"}}, {"read_only", true}}));
  CHECK(stats["totals"]["instances"] == json({{"succeeded", 1}, {"waiting", 1}, {"failed", 1}}));
  CHECK(stats["totals"]["open_tasks"] == 1);
  CHECK(stats["totals"]["overdue_tasks"] == 0);

  const json* scored = find_workflow(stats, "scored_invoice");
  REQUIRE(scored);
  CHECK((*scored)["instances"] == json({{"succeeded", 1}, {"waiting", 1}}));
  CHECK((*scored)["states"] == json::array({{{"version", 1}, {"state", "review"}, {"count", 1}}}));
  CHECK((*scored)["open_tasks"] == 1);

  REQUIRE(stats["throughput"].size() == 60);
  const json& now = stats["throughput"].back();
  CHECK(now["started"].get<int>() + stats["throughput"][58]["started"].get<int>() == 3);
  REQUIRE(stats["recent_failures"].size() == 1);
  CHECK(stats["recent_failures"][0]["id"] == review["id"]);
  CHECK(stats["recent_failures"][0]["error"] == "invoice_rejected");

  CHECK(d.call("GET", "/v1/stats", "bob", 200)["viewer"]["read_only"] == false);
}
