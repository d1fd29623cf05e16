// Statement: RAII owner of one prepared sqlite3_stmt, with typed bind and column helpers.
// StatementRef: a borrowed, cached Statement that is reset (and its bindings cleared) when
// the reference goes out of scope, so no statement is ever left half-stepped holding a
// read transaction open (which would stop WAL checkpoints).
//
// Binding never fails silently: the first failing bind is remembered and returned by the
// next step(), so call sites bind a row in a straight line and check one result code.
// Thread-safety: none; a Statement belongs to its Connection, which one thread uses at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3_stmt;

namespace ledgerflow::storage {

class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Parameters are 1-based, as in SQLite. Text is copied (SQLITE_TRANSIENT).
  void bind_int(int index, std::int64_t value);
  void bind_text(int index, std::string_view value);
  void bind_null(int index);
  void bind_double(int index, double value);
  void bind_opt_int(int index, const std::optional<std::int64_t>& value);

  // SQLITE_ROW, SQLITE_DONE, or an error code (a remembered bind error comes first).
  int step();
  // Back to the start, bindings cleared; called by StatementRef.
  void reset();

  // Columns are 0-based. NULL reads as 0 / "".
  std::int64_t column_int(int col) const;
  std::string column_text(int col) const;
  double column_double(int col) const;
  bool column_is_null(int col) const;

 private:
  sqlite3_stmt* stmt_;
  int bind_rc_ = 0;  // SQLITE_OK
};

class StatementRef {
 public:
  explicit StatementRef(Statement* statement) : statement_(statement) {}
  StatementRef(StatementRef&& other) noexcept : statement_(other.statement_) {
    other.statement_ = nullptr;
  }
  StatementRef& operator=(StatementRef&&) = delete;
  StatementRef(const StatementRef&) = delete;
  ~StatementRef() {
    if (statement_ != nullptr) statement_->reset();
  }
  Statement& get() const { return *statement_; }

 private:
  Statement* statement_;
};

}  // namespace ledgerflow::storage
