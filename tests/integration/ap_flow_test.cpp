// The AP flow end to end over HTTP against the real daemon: alice submits, the task is in
// bob's inbox and not in erin's, alice cannot approve her own invoice (segregation of
// duties), bob approves, the instance completes; the SSE feed delivered every change in
// order and a reconnect with Last-Event-ID misses nothing.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "integration/daemon_fixture.h"

namespace {

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;

const std::vector<std::string> kWorkflows = {"tests/data/daemon/ap_review.yaml"};

json submit(const Daemon& d, const std::string& id, double amount) {
  return d.call("POST", "/v1/workflows/ap_review/instances?business_key=" + id, "alice", 201,
                {{"invoice", {{"id", id}, {"amount", amount}, {"vendor_iban", "DE44500105175407324931"}}}});
}

}  // namespace

TEST_CASE("AP approval end to end over HTTP, with live events", "[daemon]") {
  Daemon d(kWorkflows);
  const json started = submit(d, "INV-100", 420.5);
  const std::string id = started["id"];
  CHECK(started["status"] == "waiting");
  CHECK(started["created_by"] == "alice");
  CHECK(started["data"]["invoice"]["vendor_iban"] == "****");  // masked

  // Bob (ap_manager) sees the task; erin (collector) does not.
  const json bob_inbox = d.call("GET", "/v1/tasks?mine=true", "bob", 200);
  REQUIRE(bob_inbox["items"].size() == 1);
  const std::string task = bob_inbox["items"][0]["id"];
  CHECK(bob_inbox["items"][0]["instance_id"] == id);
  CHECK(d.call("GET", "/v1/tasks", "erin", 200)["items"].empty());
  d.call("GET", "/v1/tasks/" + task, "erin", 403);

  // Alice is a candidate by role but submitted the invoice: refused, naming the rule.
  const json refused = d.call("POST", "/v1/tasks/" + task + "/complete", "alice", 403,
                              {{"outcome", "approved"}});
  CHECK(refused["detail"].get<std::string>().find("segregation of duties") != std::string::npos);

  // Bob approves; the instance completes.
  const json done = d.call("POST", "/v1/tasks/" + task + "/complete", "bob", 200,
                           {{"outcome", "approved"}, {"comment", "checked"}});
  CHECK(done["status"] == "succeeded");
  CHECK(d.call("GET", "/v1/instances/" + id, "ivan", 200)["status"] == "succeeded");
  CHECK(d.call("GET", "/v1/tasks/" + task, "bob", 200)["status"] == "completed");

  // The history is there, masked.
  const json history = d.call("GET", "/v1/instances/" + id + "/history", "ivan", 200);
  REQUIRE(history["items"].size() > 5);
  CHECK(history.dump().find("DE44500105175407324931") == std::string::npos);

  // Every change, in order, from the start of the feed.
  // instance waiting, task open, task completed, instance succeeded
  auto all = read_events(d.port(), "ivan", 0, 4, 5s);
  REQUIRE(all.size() == 4);
  for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i].id > all[i - 1].id);
  std::vector<std::string> statuses;
  for (const auto& e : all) {
    if (e.event == "instance" && e.data["instance_id"] == id) {
      statuses.push_back(e.data["payload"]["status"]);
    }
  }
  REQUIRE(statuses.size() >= 2);
  CHECK(statuses.front() == "waiting");
  CHECK(statuses.back() == "succeeded");
  bool task_completed = false;
  for (const auto& e : all) {
    if (e.event == "task" && e.data["payload"]["status"] == "completed") task_completed = true;
  }
  CHECK(task_completed);

  // Resume after the second event: exactly the rest, no gap, no repeat.
  auto rest = read_events(d.port(), "ivan", all[1].id, all.size() - 2, 5s);
  REQUIRE(rest.size() == all.size() - 2);
  for (std::size_t i = 0; i < rest.size(); ++i) CHECK(rest[i].id == all[i + 2].id);
}

TEST_CASE("One user cannot give two of the required approvals", "[daemon]") {
  Daemon d(kWorkflows);
  const std::string id = submit(d, "INV-200", 25000)["id"];
  const json inbox = d.call("GET", "/v1/tasks", "bob", 200);
  REQUIRE(inbox["items"].size() == 1);
  const std::string task = inbox["items"][0]["id"];
  CHECK(d.call("POST", "/v1/tasks/" + task + "/complete", "bob", 200,
               {{"outcome", "approved"}})["status"] == "waiting");
  const json second = d.call("POST", "/v1/tasks/" + task + "/complete", "bob", 403,
                             {{"outcome", "approved"}});
  CHECK(second["detail"].get<std::string>().find("segregation of duties") != std::string::npos);
  CHECK(d.call("POST", "/v1/tasks/" + task + "/complete", "carol", 200,
               {{"outcome", "approved"}})["status"] == "succeeded");
}

TEST_CASE("A key over its rate limit gets 429 with Retry-After, others carry on", "[daemon]") {
  Daemon d(kWorkflows, {"--set", "limits.rate_per_second=1", "--set", "limits.rate_burst=3"});
  for (int i = 0; i < 3; ++i) d.call("GET", "/v1/workflows", "bob", 200);
  auto limited = d.request("GET", "/v1/workflows", "bob");
  REQUIRE(limited);
  CHECK(limited->status == 429);
  CHECK(limited->header("retry-after") == "1");
  CHECK(limited->header("content-type") == "application/problem+json");
  d.call("GET", "/v1/workflows", "carol", 200);  // a different key has its own bucket
}

TEST_CASE("The daemon refuses a bad configuration with a located message", "[daemon]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("lf_cfg_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    std::ofstream(dir / "bad.yaml") << "listen: 127.0.0.1:0\nlimits:\n  body_byte: 10\n";
  }
  auto child = ledgerflow::crash::ChildProcess::spawn(
      LF_DAEMON_PATH, {"--config", (dir / "bad.yaml").string(), "--db", (dir / "x.db").string()},
      (dir / "err.log").string());
  REQUIRE(child);
  CHECK((*child)->wait() == 2);
  std::ifstream in(dir / "err.log");
  std::string err((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(err.find("bad.yaml:3:3: unknown key 'limits.body_byte'") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "x.db"));  // nothing was created
  fs::remove_all(dir);
}
