// Component migration lists (storage/sqlite/schema.h): each component's version is a row
// of schema_components, steps run once, a database whose objects predate the list is
// adopted at the version it has, and a newer component schema is refused.
#include <catch2/catch.hpp>

#include <array>

#include "storage/sqlite/schema.h"
#include "unit/storage/sqlite/storage_test_support.h"

using ledgerflow::ErrorCode;
using ledgerflow::Result;
using ledgerflow::storage::Connection;
using ledgerflow::storage::Migration;

namespace {

constexpr std::array kWidgets = {
    Migration{1, "widgets", "CREATE TABLE widgets (id TEXT PRIMARY KEY);"},
    Migration{2, "widget colour",
              "ALTER TABLE widgets ADD COLUMN colour TEXT NOT NULL DEFAULT '';"},
};

std::unique_ptr<Connection> open_connection(const std::string& path) {
  auto c = Connection::open(path, Connection::Mode::read_write, 1000);
  REQUIRE(c);
  return std::move(*c);
}

struct Db {
  storage_test::TempDir dir;
  std::string path = dir.path("c.db");
  std::unique_ptr<ledgerflow::storage::SqliteStore> engine = storage_test::open_store(path);
  std::unique_ptr<Connection> db = open_connection(path);
};

int version_of(Connection& db, const char* component) {
  auto v = ledgerflow::storage::component_version(db, component);
  REQUIRE(v);
  return *v;
}

}  // namespace

TEST_CASE("schema components: a fresh component runs every step once and records it",
          "[unit][storage][schema]") {
  Db d;
  CHECK(version_of(*d.db, "widgets") == 0);
  REQUIRE(ledgerflow::storage::migrate_component(*d.db, "widgets", kWidgets, nullptr));
  CHECK(version_of(*d.db, "widgets") == 2);
  // Again: nothing runs (step 2 would fail: the column exists).
  REQUIRE(ledgerflow::storage::migrate_component(*d.db, "widgets", kWidgets, nullptr));
  CHECK(storage_test::raw_int(d.path, "SELECT count(*) FROM pragma_table_info('widgets')") == 2);
  // The engine's version is untouched: still PRAGMA user_version.
  CHECK(storage_test::raw_int(d.path, "PRAGMA user_version") ==
        ledgerflow::storage::SqliteStore::schema_version());
  CHECK(version_of(*d.db, "other") == 0);
}

TEST_CASE("schema components: objects from before the list are adopted, not created again",
          "[unit][storage][schema]") {
  Db d;
  storage_test::raw_exec(d.path,
                         "CREATE TABLE widgets (id TEXT PRIMARY KEY);"
                         "INSERT INTO widgets VALUES ('w1');");
  int asked = 0;
  auto existing = [&](Connection& db) -> Result<int> {
    ++asked;
    auto n = db.query_int("SELECT count(*) FROM sqlite_schema WHERE name = 'widgets'", "looking");
    if (!n) return n.error();
    return static_cast<int>(*n);
  };
  REQUIRE(ledgerflow::storage::migrate_component(*d.db, "widgets", kWidgets, existing));
  CHECK(asked == 1);
  CHECK(version_of(*d.db, "widgets") == 2);
  CHECK(storage_test::raw_int(d.path, "SELECT count(*) FROM widgets WHERE colour = ''") == 1);
}

TEST_CASE("schema components: a newer component schema is refused", "[unit][storage][schema]") {
  Db d;
  REQUIRE(ledgerflow::storage::migrate_component(*d.db, "widgets", kWidgets, nullptr));
  storage_test::raw_exec(d.path,
                         "UPDATE schema_components SET version = 9 WHERE component = 'widgets'");
  auto refused = ledgerflow::storage::migrate_component(*d.db, "widgets", kWidgets, nullptr);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::unavailable);
  CHECK_THAT(refused.error().message, Catch::Contains("widgets schema version 9 is newer") &&
                                          Catch::Contains("knows up to 2"));
}

TEST_CASE("schema components: a failing step rolls back and records nothing",
          "[unit][storage][schema]") {
  Db d;
  constexpr std::array kBroken = {
      Migration{1, "widgets", "CREATE TABLE widgets (id TEXT PRIMARY KEY);"},
      Migration{2, "broken", "CREATE TABLE gadgets (id TEXT); SELECT nope FROM widgets;"},
  };
  auto failed = ledgerflow::storage::migrate_component(*d.db, "widgets", kBroken, nullptr);
  REQUIRE_FALSE(failed);
  CHECK_THAT(failed.error().message, Catch::Contains("migrating the widgets schema to version 2"));
  CHECK(version_of(*d.db, "widgets") == 1);
  CHECK(storage_test::raw_int(d.path,
                              "SELECT count(*) FROM sqlite_schema WHERE name = 'gadgets'") == 0);
}
