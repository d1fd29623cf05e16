#include "storage/sqlite/statement.h"

#include <sqlite3.h>

namespace ledgerflow::storage {

// sqlite3_finalize's result repeats the last step's error, which step() already reported.
Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

void Statement::bind_int(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind_text(int index, std::string_view value) {
  // A null data() would bind SQL NULL; an empty string_view still means ''.
  const char* data = value.data() != nullptr ? value.data() : "";
  const int rc =
      sqlite3_bind_text64(stmt_, index, data, value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind_null(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

void Statement::bind_opt_int(int index, const std::optional<std::int64_t>& value) {
  if (value) {
    bind_int(index, *value);
  } else {
    bind_null(index);
  }
}

int Statement::step() {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return sqlite3_step(stmt_);
}

void Statement::reset() {
  // sqlite3_reset returns the error of the last step, which step() already reported.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);  // always SQLITE_OK
  bind_rc_ = SQLITE_OK;
}

void Statement::bind_double(int index, double value) {
  const int rc = sqlite3_bind_double(stmt_, index, value);
  if (bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

double Statement::column_double(int col) const {
  return sqlite3_column_double(stmt_, col);
}

std::int64_t Statement::column_int(int col) const {
  return sqlite3_column_int64(stmt_, col);
}

std::string Statement::column_text(int col) const {
  const auto* text = sqlite3_column_text(stmt_, col);
  if (text == nullptr) return {};
  const int size = sqlite3_column_bytes(stmt_, col);
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

bool Statement::column_is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

}  // namespace ledgerflow::storage
