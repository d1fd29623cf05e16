// Graceful shutdown loses no acknowledged request: starts stream in from several
// connections, the daemon gets SIGTERM in the middle, every 201 the clients received is
// recorded; after a restart on the same database every acknowledged instance is there.
// The daemon exits 0, answers only 201 (or nothing) while draining, and comes back ready.
// And the converse: a start the drain did not answer was not executed either (a client
// that saw its connection close may retry without creating a duplicate) — checked under
// load and, more sharply, with many idle keep-alive connections sending as SIGTERM lands.
#include <catch2/catch.hpp>
#include <sstream>
#include <thread>

#include "integration/daemon_helpers.h"
#include "support/wait_until.h"

namespace {

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;

}  // namespace

TEST_CASE("SIGTERM under load loses no acknowledged start", "[daemon]") {
  constexpr int kRequests = 400;
  Daemon d({"tests/data/daemon/auto.yaml"}, {"--set", "limits.rate_per_second=0"});
  const std::string db = d.db_path();

  std::atomic<bool> stop{false};
  std::atomic<int> acknowledged{0};
  std::vector<StartOutcome> outcomes;
  std::thread load([&] {
    outcomes = start_many(
        d.port(), "auto", "alice", 0, kRequests, 4,
        [](int i) {
          return json{{"n", i}};
        },
        &stop, &acknowledged);
  });
  // SIGTERM once a good part of the load went through (and the rest is still coming).
  ledgerflow::test::wait_until([&] { return acknowledged.load() >= kRequests / 4; }, 20s, 1ms);
  const int at_signal = acknowledged.load();
  const int code = d.stop();
  stop = true;
  load.join();
  CHECK(code == 0);
  CHECK(at_signal >= kRequests / 4);
  INFO("daemon log tail: " << d.log().substr(d.log().size() > 3000 ? d.log().size() - 3000 : 0));
  CHECK(d.log().find("\"clean\":true") != std::string::npos);

  std::set<std::string> acked;
  for (const auto& o : outcomes) {
    INFO("status " << o.status << ": " << o.body);
    // While draining the daemon finishes what it accepted: a request is acknowledged or
    // never answered (refused connection / closed), never a server error.
    CHECK((o.status == 0 || o.status == 201));
    if (o.status == 201) {
      CHECK(!o.id.empty());
      acked.insert(o.id);
    }
  }
  INFO("acknowledged " << acked.size() << " of " << kRequests << " (at SIGTERM: " << at_signal
                       << ")");
  CHECK(acked.size() >= static_cast<std::size_t>(at_signal));
  CHECK(acked.size() < static_cast<std::size_t>(kRequests));  // it did stop mid-way

  // Same database, same workflows directory.
  d.restart({"--set", "limits.rate_per_second=0"});
  CHECK(d.db_path() == db);
  const auto stored = list_ids(d, "ivan", "workflow=auto", 1000);
  const std::set<std::string> stored_set(stored.begin(), stored.end());
  for (const auto& id : acked) {
    INFO("acknowledged instance " << id);
    CHECK(stored_set.count(id) == 1);
  }
  // Every stored instance finished (nothing half-done survives the restart).
  CHECK(
      d.call("GET", "/v1/instances?workflow=auto&status=succeeded&limit=1000", "ivan", 200)["items"]
          .size() == stored_set.size());
  CHECK(stored_set.size() <= static_cast<std::size_t>(kRequests));
  CHECK(stored_set.size() >= acked.size());
  // And nothing was executed without its client hearing about it: a start that got no
  // answer did not happen (so a client may safely retry it without an Idempotency-Key).
  if (stored_set.size() != acked.size()) {
    // Which ones? (X-Request-Id "start-<n>-<attempt>" finds them in the daemon's log.)
    std::ostringstream unacked;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      if (outcomes[i].status != 201) unacked << i << "(" << outcomes[i].status << ") ";
    }
    for (const auto& id : stored_set) {
      if (!acked.count(id)) {
        const json view = d.call("GET", "/v1/instances/" + id, "ivan", 200);
        unacked << "\nstored, not acknowledged: " << view.dump() << "\nits requests:";
        const std::string tag = "start-" + std::to_string(view["data"]["n"].get<int>()) + "-";
        std::istringstream log(d.log());
        for (std::string line; std::getline(log, line);) {
          if (line.find(tag) != std::string::npos) unacked << "\n  " << line;
        }
      }
    }
    INFO("not acknowledged: " << unacked.str());
    CHECK(stored_set.size() == acked.size());
  }

  // Ready and measurable after the restart; and it takes new work.
  // Both need a key (role admin, auditor or monitor); without one they answer 401.
  auto anonymous = d.request("GET", "/metrics", "");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
  auto ready = d.request("GET", "/readyz", "ivan");
  REQUIRE(ready);
  CHECK(ready->status == 200);
  CHECK(json::parse(ready->body)["status"] == "ready");
  auto metrics = d.request("GET", "/metrics", "ivan");
  REQUIRE(metrics);
  CHECK(metrics->status == 200);
  CHECK(metrics->header("content-type").rfind("text/plain", 0) == 0);
  CHECK(metrics->body.find("ledgerflow_http_responses_total{class=\"2xx\"}") != std::string::npos);
  CHECK(metrics->body.find("ledgerflow_events_head") != std::string::npos);
  const std::string fresh =
      d.call("POST", "/v1/workflows/auto/instances", "alice", 201, {{"n", 9999}})["id"];
  CHECK(stored_set.count(fresh) == 0);
  CHECK(fresh > *stored_set.rbegin());  // ids keep sorting after the restart
  CHECK(d.stop() == 0);
}

TEST_CASE("SIGTERM with an idle keep-alive connection and an open event stream exits promptly",
          "[daemon]") {
  Daemon d({"tests/data/daemon/auto.yaml"});
  RawClient idle(d.port());
  REQUIRE(idle.connected());
  auto r = idle.request("GET", "/healthz");
  REQUIRE(r);
  REQUIRE(r->keep_alive);
  RawClient events(d.port());
  REQUIRE(events.send_request("GET", "/v1/events", "", auth_header("ivan")));
  const std::string head = events.read_until(
      [](const std::string& all) { return all.find("\r\n\r\n") != std::string::npos; }, 2s);
  REQUIRE(head.rfind("HTTP/1.1 200", 0) == 0);

  const auto t0 = std::chrono::steady_clock::now();
  CHECK(d.stop() == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < 3s);  // it does not wait for the idle clients
  CHECK(idle.wait_closed(1s));
  CHECK(events.wait_closed(1s));
}

TEST_CASE("Starts racing SIGTERM on idle keep-alive connections: answered, or not executed",
          "[daemon]") {
  // Many keep-alive connections sit idle; each sends one more start just as the daemon
  // gets SIGTERM. The drain may refuse a request (close the connection without executing
  // it) or execute and answer it; it must never execute one and then not answer it (the
  // client sees a closed connection, retries, and the start happens twice). The race is
  // narrow, so it runs several rounds, each with the starts shifted against the signal.
  constexpr int kRounds = 8;
  constexpr int kConnections = 128;
  for (int round = 0; round < kRounds; ++round) {
    INFO("round " << round);
    Daemon d({"tests/data/daemon/auto.yaml"}, {"--set", "limits.rate_per_second=0"});
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < kConnections; ++i) {
      clients.push_back(std::make_unique<RawClient>(d.port()));
      auto warm = clients.back()->request("GET", "/v1/workflows/auto", {}, auth_header("alice"));
      REQUIRE(warm);
      REQUIRE(warm->status == 200);
      REQUIRE(warm->keep_alive);
    }
    std::atomic<bool> go{false};
    int code = -1;
    std::thread stopper([&] {
      while (!go.load()) std::this_thread::yield();
      code = d.stop();
    });
    // SIGTERM in the middle of the starts (a little later each round), which follow one
    // another every few tens of microseconds.
    const int signal_at = 16 + 8 * round;
    for (int i = 0; i < kConnections; ++i) {
      if (i == signal_at) go = true;
      std::this_thread::sleep_for(20us);
      clients[static_cast<std::size_t>(i)]->send_request(
          "POST", "/v1/workflows/auto/instances", json{{"n", i}}.dump(),
          auth_header("alice") + "Content-Type: application/json\r\nX-Request-Id: race-" +
              std::to_string(i) + "\r\n");
    }
    std::set<int> answered;
    for (int i = 0; i < kConnections; ++i) {
      auto r = clients[static_cast<std::size_t>(i)]->read_reply(5000ms);
      if (r) CHECK(r->status == 201);
      if (r && r->status == 201) answered.insert(i);
    }
    stopper.join();
    CHECK(code == 0);
    d.restart({"--set", "limits.rate_per_second=0"});
    const json stored = d.call("GET", "/v1/instances?workflow=auto&limit=1000", "ivan", 200);
    std::set<int> executed;
    for (const auto& i : stored["items"]) executed.insert(i["data"]["n"].get<int>());
    INFO("answered " << answered.size() << ", executed " << executed.size());
    const std::string log = d.log();
    for (int n : executed) {
      std::string lines;
      std::istringstream in(log);
      for (std::string line; std::getline(in, line);) {
        if (line.find("\"race-" + std::to_string(n) + "\"") != std::string::npos) lines += line;
      }
      INFO("start " << n << " was executed; the daemon logged: " << lines);
      CHECK(answered.count(n) == 1);
    }
    for (int n : answered) CHECK(executed.count(n) == 1);
  }
}
