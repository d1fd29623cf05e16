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
#include <type_traits>

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

  // Binds by the value's type: any integer (bool as 0/1), double, text (std::string,
  // std::string_view, const char*), std::optional of those (NULL when empty), std::nullopt
  // or nullptr (NULL). A type outside that list does not compile.
  template <typename T>
  void bind(int index, const T& value);
  // Binds `values` to parameters 1..N in order (?1..?N: a numbered parameter used twice is
  // bound once).
  template <typename... Ts>
  void bind_all(const Ts&... values) {
    int index = 0;
    (bind(++index, values), ...);
  }

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

template <typename T>
void Statement::bind(int index, const T& value) {
  using V = std::decay_t<T>;
  if constexpr (std::is_same_v<V, std::nullopt_t> || std::is_same_v<V, std::nullptr_t>) {
    bind_null(index);
  } else if constexpr (std::is_integral_v<V>) {
    bind_int(index, static_cast<std::int64_t>(value));
  } else if constexpr (std::is_floating_point_v<V>) {
    bind_double(index, static_cast<double>(value));
  } else if constexpr (std::is_convertible_v<const V&, std::string_view>) {
    bind_text(index, std::string_view(value));
  } else {
    // std::optional<U>: the value, or NULL.
    if (value.has_value()) {
      bind(index, *value);
    } else {
      bind_null(index);
    }
  }
}

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
