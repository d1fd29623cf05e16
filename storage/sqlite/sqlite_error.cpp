#include "storage/sqlite/sqlite_error.h"

#include <sqlite3.h>

namespace ledgerflow::storage {

ErrorCode error_code_for(int sqlite_rc) {
  switch (sqlite_rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_ROWID:
      return ErrorCode::conflict;
    default:
      break;
  }
  switch (sqlite_rc & 0xff) {
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
      return ErrorCode::invalid_argument;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return ErrorCode::unavailable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return ErrorCode::corruption;
    default:
      return ErrorCode::io_error;
  }
}

namespace {

// What an operator can do about it; empty when the SQLite text says enough.
std::string_view hint_for(int sqlite_rc) {
  switch (sqlite_rc & 0xff) {
    case SQLITE_FULL:
      return "; the database is full (disk full or max_page_count reached)";
    case SQLITE_READONLY:
      return "; the database is read-only (opened read_only, or the file or its directory is not "
             "writable)";
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
      return "; check that the file and its directory exist and are accessible";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return "; the file is not a ledgerflow database or it is corrupted";
    default:
      return "";
  }
}

}  // namespace

Error sqlite_error(sqlite3* db, int sqlite_rc, std::string_view doing, std::string_view path) {
  // sqlite3_errmsg describes the most recent failure on `db`; fall back to the generic
  // text when there is no handle or the handle's last error is a different one.
  const char* text = nullptr;
  if (db != nullptr && sqlite3_extended_errcode(db) == sqlite_rc) text = sqlite3_errmsg(db);
  if (text == nullptr) text = sqlite3_errstr(sqlite_rc);
  std::string message;
  message.append(doing).append(": ").append(text).append(hint_for(sqlite_rc));
  message.append(" [sqlite code ").append(std::to_string(sqlite_rc));
  message.append(", ").append(path).append("]");
  return Error{error_code_for(sqlite_rc), std::move(message)};
}

}  // namespace ledgerflow::storage
