// Helpers for the storage tests: a unique temporary directory, record builders, raw SQLite
// access (to tamper with a database the way an operator or a disk might), and field-by-field
// record comparison.
#pragma once

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <future>
#include <memory>
#include <string>

#include "engine/runtime/records.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

namespace storage_test {

namespace rt = ledgerflow::rt;
using ledgerflow::ErrorCode;
using ledgerflow::storage::SqliteOptions;
using ledgerflow::storage::SqliteStore;

using TempDir = ledgerflow::test::TempDir;

inline SqliteOptions options_for(const std::string& path) {
  SqliteOptions o;
  o.path = path;
  return o;
}

inline std::unique_ptr<SqliteStore> open_store(const SqliteOptions& o) {
  auto store = SqliteStore::open(o);
  if (!store) FAIL("open failed: " << store.error().message);
  return std::move(*store);
}

inline std::unique_ptr<SqliteStore> open_store(const std::string& path) {
  return open_store(options_for(path));
}

// ---- record builders (deterministic values)

inline rt::InstanceRecord make_instance(const std::string& id,
                                        const std::string& workflow = "invoice",
                                        rt::InstanceStatus status = rt::InstanceStatus::running,
                                        const std::string& business_key = "") {
  rt::InstanceRecord i;
  i.id = id;
  i.workflow = workflow;
  i.version = 1;
  i.status = status;
  i.business_key = business_key;
  i.created_by = "alice";
  i.created_at_us = 1'700'000'000'000'000;
  i.updated_at_us = i.created_at_us;
  i.state = {{"data", {{"amount", "12.10"}, {"id", id}}}};
  return i;
}

inline rt::WriteSet insert_instance(const rt::InstanceRecord& i) {
  rt::WriteSet ws;
  ws.instances.push_back(i);
  ws.expected_row_versions.push_back(0);
  return ws;
}

inline rt::HistoryRecord make_history(const std::string& instance_id, std::uint64_t seq) {
  rt::HistoryRecord h;
  h.instance_id = instance_id;
  h.seq = seq;
  h.at_us = 1'700'000'000'000'000 + static_cast<std::int64_t>(seq);
  h.type = seq == 1 ? "instance_started" : "state_entered";
  h.state = "review";
  h.actor = "system";
  h.data = {{"seq", seq}};
  return h;
}

inline rt::TaskRecord make_task(const std::string& id, const std::string& instance_id) {
  rt::TaskRecord t;
  t.id = id;
  t.instance_id = instance_id;
  t.workflow = "invoice";
  t.state = "approve";
  t.title = "Approve " + instance_id;
  t.created_at_us = 1'700'000'000'000'000;
  t.detail = {{"approvals", nlohmann::json::array()}};
  return t;
}

// Pauses the store's writer so that what is submitted meanwhile queues up and is taken
// as one batch when released.
class WriterGate {
 public:
  explicit WriterGate(SqliteStore& store) : store_(store) { store_.pause_writes(); }
  ~WriterGate() { release(); }
  WriterGate(const WriterGate&) = delete;
  WriterGate& operator=(const WriterGate&) = delete;

  void release() {
    if (!released_) store_.resume_writes();
    released_ = true;
  }

 private:
  SqliteStore& store_;
  bool released_ = false;
};

inline void require_ok(const ledgerflow::Result<void>& r) {
  if (!r)
    FAIL("expected success, got " << ledgerflow::to_string(r.error().code) << ": "
                                  << r.error().message);
}

// ---- raw SQLite access, bypassing the store

inline void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* message = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  const std::string text = message != nullptr ? message : "";
  sqlite3_free(message);
  sqlite3_close(db);
  INFO(sql << ": " << text);
  REQUIRE(rc == SQLITE_OK);
}

inline std::int64_t raw_int(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  const int rc = sqlite3_step(stmt);
  const std::int64_t value = rc == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : -1;
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_ROW);
  return value;
}

// ---- field-by-field comparison (records have no operator==)

inline void check_same(const rt::InstanceRecord& a, const rt::InstanceRecord& b) {
  CHECK(a.id == b.id);
  CHECK(a.workflow == b.workflow);
  CHECK(a.version == b.version);
  CHECK(a.status == b.status);
  CHECK(a.business_key == b.business_key);
  CHECK(a.created_by == b.created_by);
  CHECK(a.parent_id == b.parent_id);
  CHECK(a.created_at_us == b.created_at_us);
  CHECK(a.updated_at_us == b.updated_at_us);
  CHECK(a.seq == b.seq);
  CHECK(a.state == b.state);
}

inline void check_same(const rt::TaskRecord& a, const rt::TaskRecord& b) {
  CHECK(a.id == b.id);
  CHECK(a.instance_id == b.instance_id);
  CHECK(a.workflow == b.workflow);
  CHECK(a.state == b.state);
  CHECK(a.status == b.status);
  CHECK(a.title == b.title);
  CHECK(a.candidate_roles == b.candidate_roles);
  CHECK(a.candidate_users == b.candidate_users);
  CHECK(a.assignee == b.assignee);
  CHECK(a.due_at_us == b.due_at_us);
  CHECK(a.created_at_us == b.created_at_us);
  CHECK(a.completed_at_us == b.completed_at_us);
  CHECK(a.outcome == b.outcome);
  CHECK(a.detail == b.detail);
}

}  // namespace storage_test
