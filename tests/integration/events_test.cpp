// The live event feed (/v1/events, server-sent events) against the real daemon: a client
// that reconnects with Last-Event-ID misses nothing that happened while it was away (also
// across a daemon restart), ?after= does the same, bad resume points are 400, the feed
// needs authentication; and a sensitive field never leaves the daemon unmasked — not in
// the raw SSE bytes, not in any instance, history or task view, not in the log.
#include <catch2/catch.hpp>

#include "integration/daemon_helpers.h"

namespace {

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;

const std::string kIban = "DE44500105175407324931";

std::vector<std::uint64_t> ids_of(const std::vector<SseEvent>& events) {
  std::vector<std::uint64_t> out;
  for (const auto& e : events) out.push_back(e.id);
  return out;
}

// Every event in the feed, from the beginning (the store's sequence numbers start at 1).
std::vector<SseEvent> all_events(const Daemon& d, std::size_t expected) {
  auto c = capture_sse(d.port(), "/v1/events?after=0", auth_header("ivan"), expected, 5s);
  REQUIRE(c.status == 200);
  return c.events;
}

}  // namespace

TEST_CASE("SSE: a reconnect with Last-Event-ID or ?after= misses nothing", "[daemon]") {
  Daemon d({"tests/data/daemon/auto.yaml", "tests/data/daemon/await_payment.yaml"});

  // Subscribe live (no resume point: from now on), then cause three events.
  RawClient live(d.port());
  REQUIRE(live.send_request("GET", "/v1/events", "", auth_header("ivan")));
  std::string raw = live.read_until(
      [](const std::string& all) { return all.find("\r\n\r\n") != std::string::npos; }, 2s);
  REQUIRE(raw.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(raw.find("text/event-stream") != std::string::npos);
  d.call("POST", "/v1/workflows/auto/instances", "alice", 201, {{"n", 1}});
  d.call("POST", "/v1/workflows/auto/instances", "alice", 201, {{"n", 2}});
  const std::string waiting = d.call("POST", "/v1/workflows/await_payment/instances", "dave", 201,
                                     {{"order", "SO-1"}})["id"];
  raw = live.read_until([](const std::string& all) { return parse_sse(all).size() >= 3; }, 5s);
  const auto first = parse_sse(raw);
  REQUIRE(first.size() == 3);
  for (const auto& e : first) CHECK(e.event == "instance");
  live.close();  // the client goes away...

  // ...and while it is away, more happens.
  d.call("POST", "/v1/workflows/auto/instances", "bob", 201, {{"n", 3}});
  d.call("POST", "/v1/instances/" + waiting + "/signals/payment_received", "dave", 200,
         {{"correlation", "SO-1"}, {"payload", {{"ok", true}}}});
  d.call("POST", "/v1/workflows/auto/instances", "bob", 201, {{"n", 4}});

  const auto everything = all_events(d, 6);
  REQUIRE(everything.size() == 6);
  for (std::size_t i = 1; i < everything.size(); ++i) {
    CHECK(everything[i].id > everything[i - 1].id);
  }
  CHECK(ids_of(std::vector<SseEvent>(everything.begin(), everything.begin() + 3)) == ids_of(first));
  const std::vector<SseEvent> missed(everything.begin() + 3, everything.end());

  // Reconnect with Last-Event-ID: exactly the missed events, in order, no repeat.
  auto resumed = capture_sse(
      d.port(), "/v1/events",
      auth_header("ivan") + "Last-Event-ID: " + std::to_string(first.back().id) + "\r\n", 3, 5s);
  REQUIRE(resumed.status == 200);
  CHECK(ids_of(resumed.events) == ids_of(missed));
  for (std::size_t i = 0; i < resumed.events.size() && i < missed.size(); ++i) {
    CHECK(resumed.events[i].event == missed[i].event);
    CHECK(resumed.events[i].data == missed[i].data);
  }
  // The data carries the instance's new status (the signalled one succeeded).
  bool saw_signalled = false;
  for (const auto& e : resumed.events) {
    if (e.data["instance_id"] == waiting) {
      saw_signalled = true;
      CHECK(e.data["payload"]["status"] == "succeeded");
    }
  }
  CHECK(saw_signalled);

  // ?after= is the same resume point in the query string.
  auto after = capture_sse(d.port(), "/v1/events?after=" + std::to_string(first[1].id),
                           auth_header("ivan"), 4, 5s);
  REQUIRE(after.status == 200);
  CHECK(ids_of(after.events) ==
        ids_of(std::vector<SseEvent>(everything.begin() + 2, everything.end())));
  // Resuming at the head gives nothing old; new events still arrive.
  {
    RawClient at_head(d.port());
    REQUIRE(at_head.send_request(
        "GET", "/v1/events", "",
        auth_header("ivan") + "Last-Event-ID: " + std::to_string(everything.back().id) + "\r\n"));
    auto none =
        at_head.read_until([](const std::string& all) { return !parse_sse(all).empty(); }, 300ms);
    CHECK(parse_sse(none).empty());
    const std::string newest =
        d.call("POST", "/v1/workflows/auto/instances", "alice", 201, {{"n", 5}})["id"];
    auto one = parse_sse(
        at_head.read_until([](const std::string& all) { return !parse_sse(all).empty(); }, 5s));
    REQUIRE(one.size() == 1);
    CHECK(one[0].id > everything.back().id);
    CHECK(one[0].data["instance_id"] == newest);
  }

  // Across a daemon restart: the feed is in the database, resuming still works.
  const auto before_restart = all_events(d, 7);
  REQUIRE(before_restart.size() == 7);
  d.restart();
  d.call("POST", "/v1/workflows/auto/instances", "alice", 201, {{"n", 6}});
  auto after_restart = capture_sse(
      d.port(), "/v1/events",
      auth_header("ivan") + "Last-Event-ID: " + std::to_string(before_restart[4].id) + "\r\n", 3,
      5s);
  REQUIRE(after_restart.status == 200);
  REQUIRE(after_restart.events.size() == 3);
  CHECK(after_restart.events[0].id == before_restart[5].id);
  CHECK(after_restart.events[1].id == before_restart[6].id);
  CHECK(after_restart.events[2].id > before_restart[6].id);
}

TEST_CASE("SSE: bad resume points are 400, no key is 401", "[daemon]") {
  Daemon d({"tests/data/daemon/auto.yaml"});
  d.call("POST", "/v1/workflows/auto/instances", "alice", 201, {{"n", 1}});
  for (const std::string bad : {"abc", "-1", "1.5", "12abc", "99999999999999999999999"}) {
    INFO("Last-Event-ID: '" << bad << "'");
    check_problem(d.request("GET", "/v1/events", "ivan", "", "Last-Event-ID: " + bad + "\r\n"),
                  400);
  }
  for (const std::string bad : {"abc", "-1", "0x10", "%20"}) {
    INFO("after=" << bad);
    check_problem(d.request("GET", "/v1/events?after=" + bad, "ivan"), 400);
  }
  auto anonymous = d.request("GET", "/v1/events", "");
  check_problem(anonymous, 401);
  REQUIRE(anonymous);
  CHECK(anonymous->header("www-authenticate").rfind("Bearer", 0) == 0);
  check_problem(d.request("GET", "/v1/events", "", "",
                          "Authorization: Bearer not-a-key\r\nLast-Event-ID: 0\r\n"),
                401);
  // The daemon still streams to a proper client.
  auto ok = capture_sse(d.port(), "/v1/events?after=0", auth_header("ivan"), 1, 5s);
  CHECK(ok.status == 200);
  CHECK(ok.events.size() == 1);
}

TEST_CASE("A sensitive field never leaves the daemon unmasked", "[daemon]") {
  Daemon d({"tests/data/daemon/payout.yaml", "tests/data/daemon/ap_review.yaml"});
  // payout: the IBAN is in the input, in an emitted event (the whole payee object), in the
  // approval's task and instance views, and in the result (after a signal).
  const json started =
      d.call("POST", "/v1/workflows/payout/instances?business_key=PO-1", "alice", 201,
             {{"payee", {{"name", "ACME GmbH"}, {"iban", kIban}}}, {"amount", 1200}});
  const std::string id = started["id"];
  CHECK(started["data"]["payee"]["iban"] == "****");
  CHECK(started["data"]["payee"]["name"] == "ACME GmbH");
  const json inbox = d.call("GET", "/v1/tasks", "bob", 200);
  REQUIRE(inbox["items"].size() == 1);
  const std::string task = inbox["items"][0]["id"];
  d.call("POST", "/v1/tasks/" + task + "/claim", "bob", 200);
  d.call("POST", "/v1/tasks/" + task + "/complete", "bob", 200,
         {{"outcome", "approved"}, {"comment", "ok"}});
  const json done = d.call("POST", "/v1/instances/" + id + "/signals/bank_confirmed", "olga", 200,
                           {{"payload", {{"ref", "B-1"}}}});
  CHECK(done["status"] == "succeeded");
  CHECK(done["result"]["payee"]["iban"] == "****");
  CHECK(done["result"]["confirmation"]["ref"] == "B-1");
  // ap_review: its own sensitive field, and an instance still waiting (data in a frame).
  const std::string ap =
      d.call("POST", "/v1/workflows/ap_review/instances", "alice", 201,
             {{"invoice", {{"id", "INV-7"}, {"amount", 7}, {"vendor_iban", kIban}}}})["id"];
  // The emitted event carries the payee, masked.
  const auto feed = capture_sse(d.port(), "/v1/events?after=0", auth_header("ivan"), 1000, 1500ms);
  REQUIRE(feed.status == 200);
  bool emitted = false;
  for (const auto& e : feed.events) {
    if (e.event == "emit") {
      emitted = true;
      CHECK(e.data["payload"]["event"] == "payout_requested");
      CHECK(e.data["payload"]["data"]["payee"]["iban"] == "****");
      CHECK(e.data["payload"]["data"]["payee"]["name"] == "ACME GmbH");
    }
  }
  CHECK(emitted);

  // Every view, as everyone who may read it: the raw bytes never contain either IBAN.
  // (target, user); the instance views and histories carry the data, so they must show
  // the mask; task lists carry no data at all.
  std::vector<std::pair<std::string, std::string>> reads = {
      {"/v1/instances/" + id, "alice"},
      {"/v1/instances/" + id, "ivan"},
      {"/v1/instances/" + id, "olga"},
      {"/v1/instances/" + id + "/history", "ivan"},
      {"/v1/instances/" + id + "/history?limit=1000", "olga"},
      {"/v1/instances?limit=1000", "ivan"},
      {"/v1/instances?business_key=PO-1", "alice"},
      {"/v1/instances/" + ap, "ivan"},
      {"/v1/instances/" + ap + "/history", "ivan"},
      {"/v1/tasks/" + task, "bob"},
      {"/v1/tasks/" + task, "ivan"},
      {"/v1/tasks?status=all&mine=false", "olga"},
      {"/v1/tasks?status=all", "bob"},
      {"/v1/tasks", "alice"},
  };
  const json all_tasks = d.call("GET", "/v1/tasks?status=all&mine=false", "olga", 200);
  for (const auto& t : all_tasks["items"]) {
    reads.push_back({"/v1/tasks/" + t["id"].get<std::string>(), "olga"});
  }
  for (const auto& [target, user] : reads) {
    INFO("GET " << target << " as " << user);
    auto r = d.request("GET", target, user);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.find(kIban) == std::string::npos);
    if (target.rfind("/v1/instances", 0) == 0 || target.rfind("/v1/tasks/", 0) == 0) {
      CHECK(r->body.find("****") != std::string::npos);  // masked, not dropped
    }
  }
  INFO("feed: " << feed.raw.substr(0, 4000));
  CHECK(feed.raw.find(kIban) == std::string::npos);
  // Idempotent replays and refusals don't echo it either.
  auto replay =
      d.request("POST", "/v1/workflows/payout/instances?business_key=PO-1", "alice",
                json{{"payee", {{"name", "ACME GmbH"}, {"iban", kIban}}}, {"amount", 1200}}.dump());
  REQUIRE(replay);
  CHECK(replay->status == 409);
  CHECK(replay->body.find(kIban) == std::string::npos);
  auto invalid =
      d.request("POST", "/v1/workflows/payout/instances", "alice",
                json{{"payee", {{"name", "X"}, {"iban", kIban}}}, {"amount", -1}}.dump());
  REQUIRE(invalid);
  CHECK(invalid->status == 422);
  CHECK(invalid->body.find(kIban) == std::string::npos);
  // Nor the daemon's own log.
  CHECK(d.log().find(kIban) == std::string::npos);
}
