// The SQL helper on Connection (run, each, query, query_one) and Statement::bind: values of
// every supported type reach SQLite as what they are, rows come back mapped, failures are
// Errors naming what was being done.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "storage/sqlite/connection.h"
#include "unit/storage/sqlite/storage_test_support.h"

using ledgerflow::ErrorCode;
using ledgerflow::storage::Connection;
using ledgerflow::storage::Statement;

namespace {

std::unique_ptr<Connection> open_db(const storage_test::TempDir& dir) {
  auto db = Connection::open(dir.path("helper.db"), Connection::Mode::read_write, 1000);
  REQUIRE(db);
  REQUIRE((*db)->exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, n INTEGER)", "creating"));
  return std::move(*db);
}

std::string type_of(Connection& db, const char* column) {
  auto t = db.query_one(std::string("SELECT typeof(") + column + ") FROM t LIMIT 1", "typeof",
                        [](const Statement& r) { return r.column_text(0); });
  REQUIRE(t);
  REQUIRE(t->has_value());
  return **t;
}

}  // namespace

TEST_CASE("sql helper: run binds integers, doubles, text and NULL by their type",
          "[unit][storage][sql]") {
  storage_test::TempDir dir;
  auto db = open_db(dir);
  const std::size_t big = 3'000'000'000;  // wider than int
  REQUIRE(db->run("INSERT INTO t (i, d, s, n) VALUES (?, ?, ?, ?)", "inserting", big, 0.25,
                  std::string_view("x'y"), std::nullopt));
  CHECK(db->changes() == 1);
  CHECK(type_of(*db, "i") == "integer");
  CHECK(type_of(*db, "d") == "real");
  CHECK(type_of(*db, "s") == "text");
  CHECK(type_of(*db, "n") == "null");
  auto row = db->query_one("SELECT i, d, s FROM t", "reading", [](const Statement& r) {
    return std::make_tuple(r.column_int(0), r.column_double(1), r.column_text(2));
  });
  REQUIRE(row);
  REQUIRE(row->has_value());
  CHECK(std::get<0>(**row) == 3'000'000'000);
  CHECK(std::get<1>(**row) == 0.25);
  CHECK(std::get<2>(**row) == "x'y");
}

TEST_CASE("sql helper: an optional binds its value or NULL; numbered parameters repeat",
          "[unit][storage][sql]") {
  storage_test::TempDir dir;
  auto db = open_db(dir);
  const std::optional<int> some = 7, none;
  REQUIRE(db->run("INSERT INTO t (i, n) VALUES (?1, ?2)", "inserting", some, none));
  REQUIRE(db->run("INSERT INTO t (i, n, s) VALUES (?1, ?1, ?2)", "inserting", 9,
                  std::optional<std::string>("nine")));
  auto rows = db->query("SELECT i, n IS NULL, coalesce(s, '-') FROM t ORDER BY i", "reading",
                        [](const Statement& r) {
                          return std::to_string(r.column_int(0)) + "/" +
                                 std::to_string(r.column_int(1)) + "/" + r.column_text(2);
                        });
  REQUIRE(rows);
  CHECK(*rows == std::vector<std::string>{"7/1/-", "9/0/nine"});
}

TEST_CASE("sql helper: query_one without a row is nullopt; each visits every row",
          "[unit][storage][sql]") {
  storage_test::TempDir dir;
  auto db = open_db(dir);
  for (int i = 1; i <= 4; ++i) REQUIRE(db->run("INSERT INTO t (i) VALUES (?)", "inserting", i));
  auto none = db->query_one(
      "SELECT i FROM t WHERE i > ?", "reading", [](const Statement& r) { return r.column_int(0); },
      10);
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  std::int64_t sum = 0;
  REQUIRE(db->each(
      "SELECT i FROM t WHERE i >= ?", "summing",
      [&](const Statement& r) { sum += r.column_int(0); }, 2));
  CHECK(sum == 9);
  // The cached statement was reset: it runs again with other values.
  auto again = db->query(
      "SELECT i FROM t WHERE i >= ? ORDER BY i", "reading",
      [](const Statement& r) { return r.column_int(0); }, 4);
  REQUIRE(again);
  CHECK(*again == std::vector<std::int64_t>{4});
}

TEST_CASE("sql helper: failures are errors naming what was being done", "[unit][storage][sql]") {
  storage_test::TempDir dir;
  auto db = open_db(dir);
  REQUIRE(db->exec("CREATE UNIQUE INDEX t_i ON t (i)", "indexing"));
  REQUIRE(db->run("INSERT INTO t (i) VALUES (?)", "inserting", 1));
  auto duplicate = db->run("INSERT INTO t (i) VALUES (?)", "inserting row one again", 1);
  REQUIRE_FALSE(duplicate);
  CHECK(duplicate.error().code == ErrorCode::conflict);
  CHECK_THAT(duplicate.error().message, Catch::Contains("inserting row one again"));
  auto bad = db->query("SELECT nope FROM t", "reading",
                       [](const Statement& r) { return r.column_int(0); });
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("no such column"));
  // Too many values: the bind error comes back from the step.
  auto extra = db->run("INSERT INTO t (i) VALUES (?)", "inserting too much", 2, 3);
  REQUIRE_FALSE(extra);
  CHECK_THAT(extra.error().message, Catch::Contains("inserting too much"));
  CHECK(storage_test::raw_int(dir.path("helper.db"), "SELECT count(*) FROM t") == 1);
}
