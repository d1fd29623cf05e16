// Connection: RAII owner of one sqlite3 handle and its cache of prepared statements.
// Values only ever reach SQL through bound parameters of cached prepared statements;
// exec() runs a cached statement without values (BEGIN/COMMIT, SAVEPOINT, pragmas), and
// exec_script() a multi-statement script without values (schema migrations).
//
// The statement cache is keyed by SQL text. Every text comes from a constant or from a
// fixed set of filter clauses (never from values), so the cache is bounded by construction.
// Thread-safety: none. One thread uses a connection at a time (the writer owns the write
// connection; readers borrow theirs from ReaderPool).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "engine/common/result.h"
#include "storage/sqlite/statement.h"

struct sqlite3;

namespace ledgerflow::storage {

class Connection {
 public:
  enum class Mode { read_write, read_only };

  // Opens (read_write: creates) the file; sets extended result codes and the busy timeout.
  // Opening is lazy in SQLite: a file that is not a database is only noticed by the first
  // statement that reads it.
  // `vfs`: a registered SQLite VFS name, or empty for the default.
  static Result<std::unique_ptr<Connection>> open(const std::string& path, Mode mode,
                                                  std::int64_t busy_timeout_ms,
                                                  const std::string& vfs = {});
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one statement that carries no values (rows it returns are ignored); `doing`
  // names the operation in the error.
  Result<void> exec(std::string_view sql, std::string_view doing);
  // Runs a script of statements without values (uncached; for migrations).
  Result<void> exec_script(const char* sql, std::string_view doing);
  // The cached prepared statement for `sql`, reset when the returned reference dies.
  Result<StatementRef> prepare(std::string_view sql);
  // The first column of the first row of a value-less query (pragmas).
  Result<std::int64_t> query_int(const char* sql, std::string_view doing);
  Result<std::string> query_text(const char* sql, std::string_view doing);

  // Steps `s` (a statement of this connection, bound) to its end, calling on_row(s) for
  // every row; a failing step is an Error naming `doing`.
  template <typename OnRow>
  Result<void> each_row(Statement& s, std::string_view doing, OnRow on_row) {
    for (;;) {
      const int rc = s.step();
      if (rc == kDone) return {};
      if (rc != kRow) return error(rc, doing);
      on_row(static_cast<const Statement&>(s));
    }
  }

  // The SQL helper: one cached statement, `args` bound to ?1..?N (Statement::bind lists the
  // types), stepped to its end; a failure is an Error naming `doing`. SQL texts follow the
  // rule above (constants, never values).
  //
  // run: rows are ignored (INSERT/UPDATE/DELETE); changes() tells how many rows changed.
  template <typename... Args>
  Result<void> run(std::string_view sql, std::string_view doing, const Args&... args) {
    return each(
        sql, doing, [](const Statement&) {}, args...);
  }
  // each: on_row(const Statement&) for every row (accumulating reads).
  template <typename OnRow, typename... Args>
  Result<void> each(std::string_view sql, std::string_view doing, OnRow on_row,
                    const Args&... args) {
    auto st = prepare(sql);
    if (!st) return st.error();
    st->get().bind_all(args...);
    return each_row(st->get(), doing, on_row);
  }
  // query: every row as row(const Statement&), in order.
  template <typename Row, typename... Args>
  auto query(std::string_view sql, std::string_view doing, Row row, const Args&... args)
      -> Result<std::vector<std::invoke_result_t<Row&, const Statement&>>> {
    std::vector<std::invoke_result_t<Row&, const Statement&>> out;
    auto done = each(
        sql, doing, [&](const Statement& s) { out.push_back(row(s)); }, args...);
    if (!done) return done.error();
    return out;
  }
  // query_one: the first row as row(const Statement&), or nullopt when there is none (the
  // statement is reset after the first row: add LIMIT 1 where more could match).
  template <typename Row, typename... Args>
  auto query_one(std::string_view sql, std::string_view doing, Row row, const Args&... args)
      -> Result<std::optional<std::invoke_result_t<Row&, const Statement&>>> {
    using T = std::invoke_result_t<Row&, const Statement&>;
    auto st = prepare(sql);
    if (!st) return st.error();
    Statement& s = st->get();
    s.bind_all(args...);
    const int rc = s.step();
    if (rc == kDone) return std::optional<T>();
    if (rc != kRow) return error(rc, doing);
    return std::optional<T>(row(static_cast<const Statement&>(s)));
  }

  // An Error for a failed call on this connection (message, hint, path).
  Error error(int sqlite_rc, std::string_view doing) const;

  bool in_transaction() const;
  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  std::int64_t changes() const;
  const std::string& path() const { return path_; }

 private:
  static constexpr int kRow = 100;   // SQLITE_ROW (checked in connection.cpp)
  static constexpr int kDone = 101;  // SQLITE_DONE
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  // Transparent hashing: a lookup by string_view builds no std::string.
  struct SqlHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
      return std::hash<std::string_view>{}(sql);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement>, SqlHash, std::equal_to<>> statements_;
};

}  // namespace ledgerflow::storage
