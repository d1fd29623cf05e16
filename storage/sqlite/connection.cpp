#include "storage/sqlite/connection.h"

#include <sqlite3.h>

#include <algorithm>

#include "storage/sqlite/sqlite_error.h"

namespace ledgerflow::storage {

static_assert(SQLITE_ROW == 100 && SQLITE_DONE == 101, "Connection::each_row's codes");

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, Mode mode,
                                                     std::int64_t busy_timeout_ms,
                                                     const std::string& vfs) {
  // NOMUTEX: SQLite's multi-thread mode; we guarantee one thread per connection at a time.
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |=
      mode == Mode::read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(db, rc, "opening database", path);
    sqlite3_close(db);  // db may be a handle carrying the error, or null; both are fine
    return error;
  }
  std::unique_ptr<Connection> connection(new Connection(db, path));
  rc = sqlite3_extended_result_codes(db, 1);
  if (rc != SQLITE_OK) return connection->error(rc, "enabling extended result codes");
  const auto timeout_ms = static_cast<int>(std::clamp<std::int64_t>(busy_timeout_ms, 0, 1 << 30));
  rc = sqlite3_busy_timeout(db, timeout_ms);
  if (rc != SQLITE_OK) return connection->error(rc, "setting the busy timeout");
  return connection;
}

Connection::~Connection() {
  statements_.clear();  // finalize every statement first, else sqlite3_close refuses
  sqlite3_close(db_);   // SQLITE_OK once nothing is outstanding, which the line above ensures
}

Result<void> Connection::exec(std::string_view sql, std::string_view doing) {
  return run(sql, doing);
}

Result<void> Connection::exec_script(const char* sql, std::string_view doing) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);  // the same text is available through sqlite3_errmsg
  if (rc != SQLITE_OK) return error(rc, doing);
  return {};
}

Result<StatementRef> Connection::prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) {
      std::string doing = "preparing \"";
      doing.append(sql.substr(0, 80)).append(sql.size() > 80 ? "...\"" : "\"");
      return error(rc, doing);
    }
    it = statements_.emplace(std::string(sql), std::make_unique<Statement>(stmt)).first;
  }
  return StatementRef(it->second.get());
}

Result<std::int64_t> Connection::query_int(const char* sql, std::string_view doing) {
  auto row = query_one(sql, doing, [](const Statement& s) { return s.column_int(0); });
  if (!row) return row.error();
  if (!*row) return Error::io(std::string(doing) + ": no result (" + path_ + ")");
  return **row;
}

Result<std::string> Connection::query_text(const char* sql, std::string_view doing) {
  auto row = query_one(sql, doing, [](const Statement& s) { return s.column_text(0); });
  if (!row) return row.error();
  if (!*row) return Error::io(std::string(doing) + ": no result (" + path_ + ")");
  return std::move(**row);
}

Error Connection::error(int sqlite_rc, std::string_view doing) const {
  return sqlite_error(db_, sqlite_rc, doing, path_);
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_) == 0;
}

std::int64_t Connection::changes() const {
  return sqlite3_changes64(db_);
}

}  // namespace ledgerflow::storage
