// SqliteStore writes: group commit across threads, one failing write set failing alone
// inside a batch, the conflicts of store.h, atomicity, back-pressure, flush and shutdown.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <thread>

#include "support/wait_until.h"
#include "unit/storage/sqlite/storage_test_support.h"

using namespace storage_test;

TEST_CASE("SqliteStore group-commits concurrent submitters", "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100;
  {
    auto store = open_store(path);
    std::vector<std::thread> threads;
    std::mutex mutex;
    std::vector<std::string> failures;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int n = 0; n < kPerThread; ++n) {
          const std::string id = "i-" + std::to_string(t) + "-" + std::to_string(n);
          auto ws = insert_instance(make_instance(id));
          ws.history.push_back(make_history(id, 1));
          ws.events.push_back({0, n, "instance", id, "", {}});
          auto r = store->submit_sync(std::move(ws));
          if (!r) {
            std::lock_guard lock(mutex);
            failures.push_back(r.error().message);
          }
        }
      });
    }
    // A reader running alongside the writer never blocks it and sees only whole commits.
    std::atomic<bool> stop{false};
    std::thread reader([&] {
      while (!stop) {
        auto page = store->instances({});
        if (!page) {
          std::lock_guard lock(mutex);
          failures.push_back("read: " + page.error().message);
        }
      }
    });
    for (auto& thread : threads) thread.join();
    stop = true;
    reader.join();
    CHECK(failures.empty());
    const auto stats = store->stats();
    CHECK(stats.write_sets == kThreads * kPerThread);
    CHECK(stats.failed_write_sets == 0);
    CHECK(stats.commits < stats.write_sets);  // batching happened
    INFO("commits " << stats.commits << " for " << stats.write_sets << " write sets");
  }
  auto reopened = open_store(path);  // acknowledged means durable
  CHECK(raw_int(path, "SELECT count(*) FROM instances") == kThreads * kPerThread);
  CHECK(reopened->events_after(0, 1000)->size() == kThreads * kPerThread);
  CHECK(reopened->instance("i-7-99")->seq == 0);
}

TEST_CASE("SqliteStore fails a conflicting write set alone within its batch", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  require_ok(store->submit_sync(insert_instance(make_instance("shared"))));
  const auto before = store->stats();

  WriterGate gate(*store);
  std::vector<std::promise<ledgerflow::Result<void>>> outcomes(3);
  auto update = [](std::uint64_t expected, const std::string& status_note) {
    auto inst = make_instance("shared");
    inst.state["note"] = status_note;
    rt::WriteSet ws;
    ws.instances.push_back(inst);
    ws.expected_row_versions.push_back(expected);
    return ws;
  };
  auto first = update(1, "first");
  first.events.push_back({0, 1, "instance", "shared", "", {}});
  auto stale = update(1, "stale");  // also expects 1, but the first one made it 2
  stale.events.push_back({0, 2, "instance", "shared", "", {}});
  auto other = insert_instance(make_instance("other"));
  store->submit(first, [&](auto r) { outcomes[0].set_value(std::move(r)); });
  store->submit(stale, [&](auto r) { outcomes[1].set_value(std::move(r)); });
  store->submit(other, [&](auto r) { outcomes[2].set_value(std::move(r)); });
  gate.release();

  auto r0 = outcomes[0].get_future().get();
  auto r1 = outcomes[1].get_future().get();
  auto r2 = outcomes[2].get_future().get();
  require_ok(r0);
  require_ok(r2);
  REQUIRE_FALSE(r1);
  CHECK(r1.error().code == ErrorCode::conflict);
  CHECK_THAT(r1.error().message, Catch::Contains("instance 'shared' was changed concurrently") &&
                                     Catch::Contains("expected row_version 1, stored 2"));

  const auto after = store->stats();
  CHECK(after.commits - before.commits == 1);        // one batch of 3
  CHECK(after.write_sets - before.write_sets == 2);  // first + other
  CHECK(after.failed_write_sets - before.failed_write_sets == 1);

  auto shared = store->instance("shared");
  REQUIRE(shared);
  CHECK(shared->row_version == 2);
  CHECK(shared->state["note"] == "first");
  CHECK(store->instance("other"));
  auto events = store->events_after(0, 10);
  REQUIRE(events->size() == 1);  // the stale write set's event was rolled back with it
  CHECK(events->front().at_us == 1);
}

TEST_CASE("SqliteStore reports duplicates and missing rows as errors", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  auto ws = insert_instance(make_instance("i-1", "invoice", rt::InstanceStatus::running, "INV-1"));
  ws.history.push_back(make_history("i-1", 1));
  require_ok(store->submit_sync(ws));

  SECTION("duplicate history (instance_id, seq) is a conflict") {
    rt::WriteSet dup;
    dup.history.push_back(make_history("i-1", 1));
    auto r = store->submit_sync(dup);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK_THAT(r.error().message,
               Catch::Contains("history of instance 'i-1' seq 1 already exists"));
  }
  SECTION("duplicate business key in one workflow is a conflict") {
    auto r = store->submit_sync(
        insert_instance(make_instance("i-2", "invoice", rt::InstanceStatus::running, "INV-1")));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK_THAT(r.error().message, Catch::Contains("business key 'INV-1' is already used"));
    // The same key in another workflow, and empty keys, are fine.
    require_ok(store->submit_sync(
        insert_instance(make_instance("i-3", "expense", rt::InstanceStatus::running, "INV-1"))));
    require_ok(store->submit_sync(insert_instance(make_instance("i-4"))));
    require_ok(store->submit_sync(insert_instance(make_instance("i-5"))));
  }
  SECTION("inserting an existing instance id is a conflict") {
    auto r = store->submit_sync(insert_instance(make_instance("i-1")));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK_THAT(r.error().message, Catch::Contains("instance 'i-1' already exists"));
  }
  SECTION("updating a missing instance is not_found") {
    rt::WriteSet update;
    update.instances.push_back(make_instance("ghost"));
    update.expected_row_versions.push_back(3);
    auto r = store->submit_sync(update);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::not_found);
  }
  SECTION("a history gap is invalid") {
    rt::WriteSet gap;
    gap.history.push_back(make_history("i-1", 3));
    auto r = store->submit_sync(gap);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(r.error().message, Catch::Contains("gap"));
  }
  SECTION("rows of an unknown instance are invalid") {
    rt::WriteSet orphan;
    orphan.tasks.push_back(make_task("t-1", "ghost"));
    auto r = store->submit_sync(orphan);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(r.error().message, Catch::Contains("instance 'ghost'"));
  }
  SECTION("instances and expected_row_versions must pair up") {
    rt::WriteSet bad;
    bad.instances.push_back(make_instance("i-9"));
    auto r = store->submit_sync(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
  }
  SECTION("JSON that cannot be serialised is invalid") {
    auto inst = make_instance("i-9");
    inst.state = std::string("\xff\xfe not utf-8");
    auto r = store->submit_sync(insert_instance(inst));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
  }
  CHECK(store->instance("i-1")->row_version == 1);
  CHECK(store->history("i-1", 0, 10)->size() == 1);
}

TEST_CASE("SqliteStore applies a write set all or nothing", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  auto ws = insert_instance(make_instance("i-1"));
  ws.history.push_back(make_history("i-1", 1));
  ws.timers.push_back({"tm", "i-1", 5, {}});
  ws.events.push_back({0, 1, "instance", "i-1", "", {}});
  ws.history.push_back(make_history("i-1", 1));  // duplicate: the whole write set fails
  auto r = store->submit_sync(ws);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::conflict);
  CHECK(store->instance("i-1").error().code == ErrorCode::not_found);
  CHECK(store->history("i-1", 0, 10)->empty());
  CHECK(store->events_after(0, 10)->empty());
  CHECK_FALSE(store->next_timer_due()->has_value());
  CHECK(store->stats().failed_write_sets == 1);
}

TEST_CASE("SqliteStore without group commit uses one transaction per write set",
          "[unit][storage]") {
  TempDir dir;
  auto options = options_for(dir.path("ledger.db"));
  options.group_commit = false;
  auto store = open_store(options);
  std::atomic<int> acknowledged{0};
  for (int n = 0; n < 50; ++n) {
    store->submit(insert_instance(make_instance("i-" + std::to_string(n))), [&](auto r) {
      if (r) ++acknowledged;
    });
  }
  store->flush();
  CHECK(acknowledged == 50);
  CHECK(store->stats().commits == 50);
  CHECK(store->stats().write_sets == 50);
}

TEST_CASE("SqliteStore flush waits for queued writes and the destructor drains the queue",
          "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  std::atomic<int> acknowledged{0};
  {
    auto store = open_store(path);
    for (int n = 0; n < 200; ++n) {
      store->submit(insert_instance(make_instance("a-" + std::to_string(n))), [&](auto r) {
        if (r) ++acknowledged;
      });
    }
    store->flush();
    CHECK(acknowledged == 200);
    CHECK(store->instances({})->size() == 100);  // default limit
    for (int n = 0; n < 200; ++n) {
      store->submit(insert_instance(make_instance("b-" + std::to_string(n))), [&](auto r) {
        if (r) ++acknowledged;
      });
    }
  }  // no flush: the destructor commits what is queued
  CHECK(acknowledged == 400);
  CHECK(raw_int(path, "SELECT count(*) FROM instances") == 400);
}

TEST_CASE("SqliteStore blocks submitters when the queue is full", "[unit][storage]") {
  TempDir dir;
  auto options = options_for(dir.path("ledger.db"));
  options.max_queued_write_sets = 2;
  auto store = open_store(options);
  WriterGate gate(*store);
  store->submit(insert_instance(make_instance("q-1")), nullptr);
  store->submit(insert_instance(make_instance("q-2")), nullptr);
  std::atomic<bool> third_returned{false};
  std::thread third([&] {
    store->submit(insert_instance(make_instance("q-3")), nullptr);
    third_returned = true;
  });
  // Back-pressure: the queue holds two, so the third submit does not return while the
  // writer is paused (given 100 ms to misbehave; a slow machine cannot make this fail).
  CHECK_FALSE(ledgerflow::test::wait_until([&] { return third_returned.load(); },
                                           std::chrono::milliseconds(100)));
  gate.release();
  third.join();
  CHECK(third_returned);
  store->flush();
  CHECK(store->instances({})->size() == 3);
}

TEST_CASE("SqliteStore survives a done callback that throws", "[unit][storage]") {
  TempDir dir;
  auto store = open_store(dir.path("ledger.db"));
  store->submit(insert_instance(make_instance("i-1")),
                [](auto) { throw std::runtime_error("caller bug"); });
  require_ok(store->submit_sync(insert_instance(make_instance("i-2"))));
  CHECK(store->instances({})->size() == 2);
}
