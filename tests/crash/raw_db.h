// RawDb: a read-only sqlite3 connection of the crash check's own, so the checks do not
// trust the code under test (SqliteStore) to read what is really in the file.
// Thread-safety: one thread at a time.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::crash {

class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      error_ = db_ ? sqlite3_errmsg(db_) : "out of memory";
    }
    if (db_) sqlite3_busy_timeout(db_, 5000);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  const std::string& error() const { return error_; }

  // Every row's columns as text (NULL as ""), with an optional integer or text ?1.
  Result<std::vector<std::vector<std::string>>> rows(
      const char* sql, std::optional<std::int64_t> int_param = std::nullopt,
      const std::string* text_param = nullptr) const {
    if (!error_.empty()) return Error::io("sqlite3_open_v2: " + error_);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
      return Error::io(std::string(sql) + ": " + sqlite3_errmsg(db_));
    }
    if (int_param) sqlite3_bind_int64(st, 1, *int_param);
    if (text_param) sqlite3_bind_text(st, 1, text_param->c_str(), -1, SQLITE_TRANSIENT);
    std::vector<std::vector<std::string>> out;
    int rc = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(st); ++c) {
        const auto* text = sqlite3_column_text(st, c);
        row.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
      }
      out.push_back(std::move(row));
    }
    std::string message = sqlite3_errmsg(db_);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return Error::io(std::string(sql) + ": " + message);
    return out;
  }

  Result<std::int64_t> count(const char* sql, const std::string* text_param = nullptr) const {
    auto r = rows(sql, std::nullopt, text_param);
    if (!r) return r.error();
    if (r->size() != 1 || r->front().size() != 1) return Error::io(std::string(sql) + ": no row");
    return std::stoll(r->front().front());
  }

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

}  // namespace ledgerflow::crash
