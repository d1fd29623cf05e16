// SqliteStore against a hostile environment: schema versions, files that are not (or no
// longer) databases, read-only stores, a full disk, and both synchronous settings.
#include <catch2/catch.hpp>

#include <fstream>

#include "unit/storage/sqlite/storage_test_support.h"

using namespace storage_test;

namespace {

void write_bytes(const std::string& path, std::size_t offset, std::size_t count, char byte) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  REQUIRE(f);
  f.seekp(static_cast<std::streamoff>(offset));
  const std::string bytes(count, byte);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(f);
}

}  // namespace

TEST_CASE("SqliteStore creates the schema at the current version in WAL mode", "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  { auto store = open_store(path); }
  CHECK(raw_int(path, "PRAGMA user_version") == SqliteStore::schema_version());
  CHECK(SqliteStore::schema_version() == 4);
  CHECK(raw_int(path,
                "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
                "('definitions', 'instances', 'history', 'tasks', 'task_candidates', "
                "'timers', 'outbox', 'idempotency_keys', 'events')") == 9);
  raw_exec(path, "SELECT 1");  // journal mode is persistent in the file
  CHECK(raw_int(path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode") == 1);
  { auto again = open_store(path); }  // reopening an up-to-date database is a no-op
  CHECK(raw_int(path, "PRAGMA user_version") == SqliteStore::schema_version());
}

TEST_CASE("SqliteStore refuses a database from a newer ledgerflow", "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  { auto store = open_store(path); }
  raw_exec(path, "PRAGMA user_version = 999");
  auto store = SqliteStore::open(options_for(path));
  REQUIRE_FALSE(store);
  CHECK(store.error().code == ErrorCode::unavailable);
  CHECK_THAT(
      store.error().message,
      Catch::Contains("database schema version 999 is newer than this ledgerflow (knows up "
                      "to " +
                      std::to_string(SqliteStore::schema_version()) + "); upgrade ledgerflow") &&
          Catch::Contains(path));
}

TEST_CASE("SqliteStore refuses a file that is not a database", "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("garbage.db");
  {
    std::ofstream f(path, std::ios::binary);
    for (int n = 0; n < 8192; ++n) f.put(static_cast<char>((n * 131 + 7) % 251));
  }
  auto store = SqliteStore::open(options_for(path));
  REQUIRE_FALSE(store);
  CHECK(store.error().code == ErrorCode::corruption);
  CHECK_THAT(store.error().message, Catch::Contains(path) && Catch::Contains("not a database"));
}

TEST_CASE("SqliteStore refuses a database with corrupted pages", "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  {
    auto store = open_store(path);
    rt::WriteSet ws;
    for (int n = 0; n < 200; ++n) {
      ws.instances.push_back(make_instance("i-" + std::to_string(n)));
      ws.expected_row_versions.push_back(0);
    }
    require_ok(store->submit_sync(ws));
  }  // the last connection checkpoints the WAL into the file
  const auto page_size = static_cast<std::size_t>(raw_int(path, "PRAGMA page_size"));
  write_bytes(path, 3 * page_size, 2 * page_size, '\x5a');  // scribble over pages 4 and 5
  auto store = SqliteStore::open(options_for(path));
  REQUIRE_FALSE(store);
  CHECK(store.error().code == ErrorCode::corruption);
  CHECK_THAT(store.error().message, Catch::Contains(path));
}

TEST_CASE("SqliteStore refuses a SQLite database of another application", "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("other.db");
  raw_exec(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)");
  auto store = SqliteStore::open(options_for(path));
  REQUIRE_FALSE(store);
  CHECK(store.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(store.error().message, Catch::Contains("not a ledgerflow one"));
}

TEST_CASE("SqliteStore reports paths it cannot open as io_error", "[unit][storage]") {
  TempDir dir;
  SECTION("a missing directory") {
    const std::string path = dir.path("missing/dir/ledger.db");
    auto store = SqliteStore::open(options_for(path));
    REQUIRE_FALSE(store);
    CHECK(store.error().code == ErrorCode::io_error);
    CHECK_THAT(store.error().message, Catch::Contains("opening database") && Catch::Contains(path));
  }
  SECTION("a missing file opened read-only") {
    auto options = options_for(dir.path("absent.db"));
    options.read_only = true;
    auto store = SqliteStore::open(options);
    REQUIRE_FALSE(store);
    CHECK(store.error().code == ErrorCode::io_error);
  }
  SECTION("a directory") {
    auto store = SqliteStore::open(options_for(dir.path().string()));
    REQUIRE_FALSE(store);
    CHECK(store.error().code == ErrorCode::io_error);
  }
  SECTION("no file at all") {
    auto store = SqliteStore::open(options_for(":memory:"));
    REQUIRE_FALSE(store);
    CHECK(store.error().code == ErrorCode::invalid_argument);
  }
}

TEST_CASE("SqliteStore opened read-only reads but refuses writes with io_error",
          "[unit][storage]") {
  // Tests run as root, where file modes do not stop writes; SQLITE_OPEN_READONLY does.
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  {
    auto store = open_store(path);
    require_ok(store->submit_sync(insert_instance(make_instance("i-1"))));
  }
  auto options = options_for(path);
  options.read_only = true;
  auto store = open_store(options);
  CHECK(store->instance("i-1"));
  auto r = store->submit_sync(insert_instance(make_instance("i-2")));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::io_error);
  CHECK_THAT(r.error().message, Catch::Contains("read-only") && Catch::Contains(path));
  CHECK(store->stats().failed_write_sets == 1);
  CHECK(store->instances({})->size() == 1);
}

TEST_CASE("SqliteStore fails a batch cleanly when the database is full", "[unit][storage]") {
  TempDir dir;
  const std::string path = dir.path("ledger.db");
  { auto store = open_store(path); }
  const auto schema_pages = raw_int(path, "PRAGMA page_count");
  auto options = options_for(path);
  options.max_page_count = schema_pages + 8;  // a little room, far less than the big write
  auto store = open_store(options);

  auto big = insert_instance(make_instance("big"));
  big.instances[0].state["blob"] = std::string(400'000, 'x');
  for (std::uint64_t seq = 1; seq <= 50; ++seq) big.history.push_back(make_history("big", seq));
  auto r = store->submit_sync(big);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::io_error);
  CHECK_THAT(r.error().message, Catch::Contains("database is full"));
  CHECK(store->stats().failed_write_sets == 1);

  // Nothing half-written, reads work, and a small write still fits.
  CHECK(store->instance("big").error().code == ErrorCode::not_found);
  CHECK(store->history("big", 0, 100)->empty());
  CHECK(raw_int(path, "SELECT count(*) FROM history") == 0);
  auto small = insert_instance(make_instance("small"));
  small.history.push_back(make_history("small", 1));
  require_ok(store->submit_sync(small));
  CHECK(store->instance("small"));
  CHECK(store->history("small", 0, 10)->size() == 1);
}

TEST_CASE("SqliteStore works with synchronous FULL and NORMAL", "[unit][storage]") {
  TempDir dir;
  const bool full = GENERATE(true, false);
  const std::string path = dir.path(full ? "full.db" : "normal.db");
  auto options = options_for(path);
  options.synchronous_full = full;
  {
    auto store = open_store(options);
    auto ws = insert_instance(make_instance("i-1"));
    ws.history.push_back(make_history("i-1", 1));
    require_ok(store->submit_sync(ws));
  }
  auto store = open_store(options);
  CHECK(store->instance("i-1"));
  CHECK(store->history("i-1", 0, 10)->size() == 1);
}
