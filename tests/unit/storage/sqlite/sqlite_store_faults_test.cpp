// SqliteStore under injected IO faults (FaultyVfs): a COMMIT that fails fails every write
// set of its batch and leaves nothing behind; a failure that makes SQLite abandon the whole
// transaction mid-batch fails only the write set that hit it. Afterwards the store works.
#include <catch2/catch.hpp>

#include <future>

#include "unit/storage/sqlite/faulty_vfs.h"
#include "unit/storage/sqlite/storage_test_support.h"

using namespace storage_test;

namespace {

std::unique_ptr<SqliteStore> open_faulty(const std::string& path) {
  FaultyVfs::register_once();
  FaultyVfs::reset();
  auto options = options_for(path);
  options.vfs = FaultyVfs::kName;
  options.writer_cache_kib = 1024;
  return open_store(options);
}

using Outcome = std::future<ledgerflow::Result<void>>;

Outcome submit(SqliteStore& store, rt::WriteSet ws) {
  auto promise = std::make_shared<std::promise<ledgerflow::Result<void>>>();
  auto future = promise->get_future();
  store.submit(std::move(ws), [promise](auto r) { promise->set_value(std::move(r)); });
  return future;
}

}  // namespace

TEST_CASE("SqliteStore fails the whole batch when COMMIT fails", "[unit][storage]") {
  TempDir dir;
  auto store = open_faulty(dir.path("ledger.db"));
  const auto before = store->stats();
  Outcome a, b, c;
  {
    WriterGate gate(*store);
    a = submit(*store, insert_instance(make_instance("a")));
    b = submit(*store, insert_instance(make_instance("b")));
    c = submit(*store, insert_instance(make_instance("c")));
    FaultyVfs::fail_wal_writes(1, SQLITE_FULL);  // the batch's WAL append at COMMIT
  }
  for (Outcome* outcome : {&a, &b, &c}) {
    auto r = outcome->get();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::io_error);
    CHECK_THAT(r.error().message, Catch::Contains("committing a batch of 3 write sets") &&
                                      Catch::Contains("database is full"));
  }
  CHECK(FaultyVfs::injected() == 1);
  const auto after = store->stats();
  CHECK(after.failed_write_sets - before.failed_write_sets == 3);
  CHECK(after.write_sets - before.write_sets == 0);
  CHECK(store->instances({})->empty());

  require_ok(store->submit_sync(insert_instance(make_instance("d"))));
  auto all = store->instances({});
  REQUIRE(all->size() == 1);
  CHECK(all->front().id == "d");
}

TEST_CASE("SqliteStore fails only the write set whose IO error aborted the transaction",
          "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  auto store = open_faulty(path);
  Outcome small1, big, small2;
  {
    WriterGate gate(*store);
    auto ws1 = insert_instance(make_instance("small-1"));
    ws1.events.push_back({0, 1, "instance", "small-1", "", {}});
    small1 = submit(*store, ws1);
    // Larger than the writer's page cache (1 MiB here): SQLite spills pages to the WAL
    // mid-transaction, and that write fails.
    auto huge = insert_instance(make_instance("big"));
    huge.instances[0].state["blob"] = std::string(4 << 20, 'x');
    big = submit(*store, huge);
    auto ws2 = insert_instance(make_instance("small-2"));
    ws2.events.push_back({0, 2, "instance", "small-2", "", {}});
    small2 = submit(*store, ws2);
    FaultyVfs::fail_wal_writes(1, SQLITE_IOERR_WRITE);
  }
  auto r = big.get();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::io_error);
  CHECK_THAT(r.error().message, Catch::Contains("instance 'big'"));
  require_ok(small1.get());
  require_ok(small2.get());
  CHECK(FaultyVfs::injected() == 1);

  CHECK(store->instance("big").error().code == ErrorCode::not_found);
  CHECK(store->instance("small-1"));
  CHECK(store->instance("small-2"));
  auto events = store->events_after(0, 10);
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].at_us == 1);
  CHECK((*events)[1].at_us == 2);
  store.reset();
  CHECK(raw_int(path, "SELECT count(*) FROM instances") == 2);
}
