// /v1/instances against the real daemon: idempotent starts (sequential, per user, and
// racing), keyset pagination over 1,000 instances (every id exactly once, in order, also
// while new instances are being started), the list filters, cancel rights, and a signal
// completing an instance that waits for it.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

#include "engine/expr/timestamp.h"
#include "integration/daemon_helpers.h"
#include "support/wait_until.h"

namespace {

using namespace ledgerflow::daemon_test;
using namespace std::chrono_literals;
using nlohmann::json;

const std::string kAp = "tests/data/daemon/ap_review.yaml";
const std::string kAuto = "tests/data/daemon/auto.yaml";
const std::string kAwait = "tests/data/daemon/await_payment.yaml";

json invoice(const std::string& id, double amount) {
  return {{"invoice", {{"id", id}, {"amount", amount}}}};
}

std::set<std::string> ids_of(const json& page) {
  std::set<std::string> out;
  for (const auto& i : page["items"]) out.insert(i["id"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("Starting with an Idempotency-Key twice gives one instance, keys are per user",
          "[daemon]") {
  Daemon d({kAp, kAuto});
  const std::string start = "/v1/workflows/ap_review/instances";
  const std::string key = "Idempotency-Key: order-42\r\n";

  auto first = d.request("POST", start, "alice", invoice("INV-42", 42).dump(), key);
  REQUIRE(first);
  REQUIRE(first->status == 201);
  const json a = json::parse(first->body);
  const std::string id = a["id"];
  CHECK(first->header("location") == "/v1/instances/" + id);

  auto again = d.request("POST", start, "alice", invoice("INV-42", 42).dump(), key);
  REQUIRE(again);
  CHECK(again->status == 201);
  const json b = json::parse(again->body);
  CHECK(b["id"] == id);
  CHECK(b["status"] == a["status"]);
  CHECK(b["created_at"] == a["created_at"]);
  CHECK(d.call("GET", "/v1/instances?workflow=ap_review", "ivan", 200)["items"].size() == 1);
  CHECK(d.call("GET", "/v1/tasks", "bob", 200)["items"].size() == 1);  // not two tasks either

  // Bob sends the same key string (and the same body): his own instance, not alice's.
  const json bobs = d.call("POST", start, "bob", 201, invoice("INV-42", 42), key);
  CHECK(bobs["id"] != id);
  CHECK(bobs["created_by"] == "bob");
  // ...and replaying it gives his again.
  CHECK(d.call("POST", start, "bob", 201, invoice("INV-42", 42), key)["id"] == bobs["id"]);
  // Alice's is still hers.
  CHECK(d.call("POST", start, "alice", 201, invoice("INV-42", 42), key)["created_by"] == "alice");
  CHECK(d.call("GET", "/v1/instances?workflow=ap_review", "ivan", 200)["items"].size() == 2);

  // The same key with a different body is a conflict, for alice as for bob.
  d.call("POST", start, "alice", 409, invoice("INV-42", 43), key);
  d.call("POST", start, "bob", 409, invoice("INV-43", 42), key);
  CHECK(d.call("GET", "/v1/instances?workflow=ap_review", "ivan", 200)["items"].size() == 2);
}

TEST_CASE("Racing starts with one Idempotency-Key make one instance", "[daemon]") {
  Daemon d({kAuto});
  constexpr int kRounds = 8;
  constexpr int kThreads = 6;
  for (int round = 0; round < kRounds; ++round) {
    const std::string key = "race-" + std::to_string(round);
    // Half the racers send the same body, the other half a different body each.
    std::vector<std::optional<Reply>> replies(kThreads);
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int t = 0; t < kThreads; ++t) {
      clients.push_back(std::make_unique<RawClient>(d.port()));
    }
    std::atomic<int> ready{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        const json body = {{"n", t % 2 == 0 ? 1000 + round : t * 100 + round}};
        ++ready;
        while (ready.load() < kThreads) std::this_thread::yield();
        replies[static_cast<std::size_t>(t)] = clients[static_cast<std::size_t>(t)]->request(
            "POST", "/v1/workflows/auto/instances", body.dump(),
            auth_header("alice") + "Content-Type: application/json\r\nIdempotency-Key: " + key +
                "\r\n");
      });
    }
    for (auto& t : threads) t.join();
    INFO("round " << round);
    std::set<std::string> ids;
    int created = 0;
    for (int t = 0; t < kThreads; ++t) {
      const auto& r = replies[static_cast<std::size_t>(t)];
      REQUIRE(r);
      INFO("racer " << t << ": " << r->status << " " << r->body);
      if (r->status == 201) {
        ++created;
        const json j = json::parse(r->body);
        ids.insert(j["id"].get<std::string>());
        // A 201 always describes the instance of *this* request's body.
        const int n = t % 2 == 0 ? 1000 + round : t * 100 + round;
        CHECK(j["data"]["n"] == n);
      } else {
        CHECK(r->status == 409);
      }
    }
    CHECK(ids.size() == 1);
    CHECK(created >= 1);
    CHECK(d.call("GET", "/v1/instances?limit=1000", "ivan", 200)["items"].size() ==
          static_cast<std::size_t>(round + 1));
  }
}

TEST_CASE("Paging through 1,000 instances returns each exactly once, also under inserts",
          "[daemon]") {
  Daemon d({kAuto}, {"--set", "limits.rate_per_second=0"});
  const auto t0 = std::chrono::steady_clock::now();
  const auto outcomes = start_many(d.port(), "auto", "alice", 0, 1000, 4, [](int i) {
    return json{{"n", i}};
  });
  const auto start_time = std::chrono::steady_clock::now() - t0;
  INFO("1000 starts took "
       << std::chrono::duration_cast<std::chrono::milliseconds>(start_time).count() << " ms");
  std::set<std::string> started;
  for (const auto& o : outcomes) {
    INFO(o.status << " " << o.body);
    REQUIRE(o.status == 201);
    started.insert(o.id);
  }
  REQUIRE(started.size() == 1000);

  int pages = 0;
  const auto ids = list_ids(d, "ivan", "", 97, {}, &pages);
  CHECK(pages == 11);  // 10 full pages of 97 and one of 30
  CHECK(ids.size() == 1000);
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  CHECK(std::set<std::string>(ids.begin(), ids.end()) == started);  // no gaps, no strays

  // Page again while instances are being started between the pages: every original id
  // still comes exactly once, the order holds, and nothing repeats.
  int extra = 0;
  std::set<std::string> added;
  const auto during = list_ids(d, "ivan", "", 97, [&] {
    for (int k = 0; k < 5; ++k) {
      added.insert(
          d.call("POST", "/v1/workflows/auto/instances", "bob", 201, {{"n", 5000 + extra++}})["id"]
              .get<std::string>());
    }
  });
  CHECK(std::is_sorted(during.begin(), during.end()));
  CHECK(std::adjacent_find(during.begin(), during.end()) == during.end());
  std::map<std::string, int> seen;
  for (const auto& id : during) ++seen[id];
  for (const auto& id : started) {
    INFO(id);
    CHECK(seen[id] == 1);
  }
  for (const auto& [id, n] : seen) {
    INFO(id);
    CHECK((started.count(id) == 1 || added.count(id) == 1));
  }
  CHECK(extra == 50);

  // A filtered walk pages the same way.
  const auto bobs = list_ids(d, "ivan", "workflow=auto&status=succeeded", 7);
  CHECK(bobs.size() == 1050);
}

TEST_CASE("Instance filters: workflow, status, business_key, created_after", "[daemon]") {
  Daemon d({kAp, kAuto, kAwait});
  std::map<std::string, std::string> id;  // business key -> instance id
  auto start = [&](const std::string& workflow, const std::string& bk, const json& input,
                   const std::string& user = "alice") {
    const json r = d.call("POST", "/v1/workflows/" + workflow + "/instances?business_key=" + bk,
                          user, 201, input);
    id[workflow + "/" + bk] = r["id"];
    return r;
  };
  // Batch A.
  start("auto", "A-1", {{"n", 1}});
  start("auto", "A-2", {{"n", 2}});
  start("ap_review", "R-1", invoice("R-1", 10));
  start("ap_review", "R-2", invoice("R-2", 20));
  start("await_payment", "P-1", {{"order", "P-1"}}, "dave");
  const std::string cut = start("auto", "A-3", {{"n", 3}})["created_at"];
  // Batch B, strictly after `cut`: wait (bounded) until this machine's clock, which the
  // daemon reads too, has moved past it.
  const auto cut_micros = ledgerflow::expr::parse_timestamp(cut);
  REQUIRE(cut_micros);
  REQUIRE(ledgerflow::test::wait_until(
      [&] {
        const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now().time_since_epoch());
        return now.count() > *cut_micros;
      },
      1s, 1ms));
  start("auto", "B-1", {{"n", 501}});
  start("ap_review", "R-3", invoice("R-3", 30));
  start("auto", "SHARED", {{"n", 4}});
  start("ap_review", "SHARED", invoice("SHARED", 40));  // business keys are per workflow
  d.call("POST", "/v1/instances/" + id["ap_review/R-2"] + "/cancel", "alice", 200,
         {{"reason", "duplicate"}});

  auto query = [&](const std::string& q) {
    const json page = d.call("GET", "/v1/instances?limit=1000&" + q, "ivan", 200);
    CHECK(page["next_cursor"].is_null());
    return ids_of(page);
  };
  auto set_of = [&](std::initializer_list<const char*> keys) {
    std::set<std::string> s;
    for (const char* k : keys) {
      INFO(k);
      REQUIRE(id.count(k));
      s.insert(id[k]);
    }
    return s;
  };

  CHECK(query("workflow=auto") ==
        set_of({"auto/A-1", "auto/A-2", "auto/A-3", "auto/B-1", "auto/SHARED"}));
  CHECK(query("workflow=ap_review&status=waiting") ==
        set_of({"ap_review/R-1", "ap_review/R-3", "ap_review/SHARED"}));
  CHECK(query("status=waiting") ==
        set_of({"ap_review/R-1", "ap_review/R-3", "ap_review/SHARED", "await_payment/P-1"}));
  CHECK(query("status=cancelled") == set_of({"ap_review/R-2"}));
  CHECK(query("status=succeeded") ==
        set_of({"auto/A-1", "auto/A-2", "auto/A-3", "auto/B-1", "auto/SHARED"}));
  CHECK(query("status=failed").empty());
  CHECK(query("status=running").empty());
  CHECK(query("business_key=R-1") == set_of({"ap_review/R-1"}));
  CHECK(query("business_key=SHARED") == set_of({"auto/SHARED", "ap_review/SHARED"}));
  CHECK(query("business_key=SHARED&workflow=auto") == set_of({"auto/SHARED"}));
  CHECK(query("business_key=NOPE").empty());
  CHECK(query("workflow=nope").empty());
  // created_after is exclusive: the instance created at `cut` itself is not included.
  CHECK(query("created_after=" + cut) ==
        set_of({"auto/B-1", "ap_review/R-3", "auto/SHARED", "ap_review/SHARED"}));
  CHECK(query("created_after=" + cut + "&workflow=auto&status=succeeded") ==
        set_of({"auto/B-1", "auto/SHARED"}));
  CHECK(query("created_after=2000-01-01T00:00:00Z").size() == id.size());
  CHECK(query("created_after=2999-01-01T00:00:00Z").empty());

  // Every item matches its filter, and carries what a list view needs.
  const json waiting =
      d.call("GET", "/v1/instances?status=waiting&workflow=ap_review", "ivan", 200);
  for (const auto& i : waiting["items"]) {
    CHECK(i["status"] == "waiting");
    CHECK(i["workflow"] == "ap_review");
    CHECK(i["created_by"] == "alice");
    CHECK(i["states"] == json::array({"review"}));
  }
  // Filters combine with paging.
  CHECK(list_ids(d, "ivan", "workflow=auto", 2).size() == 5);
}

TEST_CASE("Cancel: the creator and admins may, other users may not", "[daemon]") {
  Daemon d({kAp});
  const std::string mine =
      d.call("POST", "/v1/workflows/ap_review/instances", "alice", 201, invoice("INV-1", 1))["id"];
  const std::string other =
      d.call("POST", "/v1/workflows/ap_review/instances", "alice", 201, invoice("INV-2", 2))["id"];
  const json tasks = d.call("GET", "/v1/tasks", "bob", 200);
  REQUIRE(tasks["items"].size() == 2);

  // Bob is the task's candidate, but did not start the instance; erin has nothing to do
  // with it; ivan reads only.
  for (const std::string user : {"bob", "erin", "ivan"}) {
    INFO(user);
    const json refused =
        d.call("POST", "/v1/instances/" + mine + "/cancel", user, 403, {{"reason", "not mine"}});
    CHECK(!refused["detail"].get<std::string>().empty());
  }
  CHECK(d.call("GET", "/v1/instances/" + mine, "ivan", 200)["status"] == "waiting");

  const json cancelled = d.call("POST", "/v1/instances/" + mine + "/cancel", "alice", 200,
                                {{"reason", "entered twice"}});
  CHECK(cancelled["id"] == mine);
  CHECK(cancelled["status"] == "cancelled");
  const json view = d.call("GET", "/v1/instances/" + mine, "alice", 200);
  CHECK(view["status"] == "cancelled");
  CHECK(view["error"]["name"] == "cancelled");
  CHECK(view["error"]["message"] == "entered twice");
  // Its task left bob's inbox and is cancelled.
  const json inbox = d.call("GET", "/v1/tasks", "bob", 200);
  REQUIRE(inbox["items"].size() == 1);
  CHECK(inbox["items"][0]["instance_id"] == other);
  const json all = d.call("GET", "/v1/tasks?status=cancelled&mine=false", "olga", 200);
  REQUIRE(all["items"].size() == 1);
  CHECK(all["items"][0]["instance_id"] == mine);
  // The history says who cancelled and why.
  const json history = d.call("GET", "/v1/instances/" + mine + "/history", "ivan", 200);
  CHECK(history.dump().find("entered twice") != std::string::npos);
  CHECK(history["items"].back()["type"] == "instance_cancelled");
  CHECK(history["items"].back()["actor"] == "alice");

  // Twice is a conflict; an admin may cancel anyone's instance.
  d.call("POST", "/v1/instances/" + mine + "/cancel", "alice", 409, {{"reason", "again"}});
  CHECK(d.call("POST", "/v1/instances/" + other + "/cancel", "olga", 200)["status"] == "cancelled");
  CHECK(d.call("GET", "/v1/tasks", "bob", 200)["items"].empty());
}

TEST_CASE("A signal completes an instance waiting for it", "[daemon]") {
  Daemon d({kAwait});
  const json started =
      d.call("POST", "/v1/workflows/await_payment/instances", "dave", 201, {{"order", "SO-7"}});
  const std::string id = started["id"];
  CHECK(started["status"] == "waiting");
  CHECK(started["states"] == json::array({"wait_payment"}));

  // A name its permissions do not list (403), wrong correlation, no correlation (409):
  // refused, still waiting.
  d.call("POST", "/v1/instances/" + id + "/signals/payment_failed", "dave", 403,
         {{"correlation", "SO-7"}});
  d.call("POST", "/v1/instances/" + id + "/signals/payment_received", "dave", 409,
         {{"correlation", "SO-8"}, {"payload", {{"amount", 1}}}});
  d.call("POST", "/v1/instances/" + id + "/signals/payment_received", "dave", 409,
         {{"payload", {{"amount", 1}}}});
  CHECK(d.call("GET", "/v1/instances/" + id, "ivan", 200)["status"] == "waiting");

  const json payload = {{"amount", 125.5}, {"ref", "TX-1"}};
  const json done = d.call("POST", "/v1/instances/" + id + "/signals/payment_received", "erin", 200,
                           {{"payload", payload}, {"correlation", "SO-7"}});
  CHECK(done["status"] == "succeeded");
  CHECK(done["result"] == payload);
  const json view = d.call("GET", "/v1/instances/" + id, "ivan", 200);
  CHECK(view["status"] == "succeeded");
  CHECK(view["result"] == payload);
  CHECK(view["data"]["payment"] == payload);
  const json history = d.call("GET", "/v1/instances/" + id + "/history", "ivan", 200);
  bool received = false;
  for (const auto& h : history["items"]) {
    if (h["type"] == "signal_received") {
      received = true;
      CHECK(h["actor"] == "erin");
      CHECK(h["data"]["name"] == "payment_received");
    }
  }
  CHECK(received);
  // Once finished it takes no more signals.
  d.call("POST", "/v1/instances/" + id + "/signals/payment_received", "erin", 409,
         {{"payload", payload}, {"correlation", "SO-7"}});
}
