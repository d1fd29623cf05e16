// WriteSetApplier: writes the rows of one encoded WriteSet on the write connection, inside
// the transaction and savepoint that BatchWriter opened. It holds the SQL of every write and
// turns SQLite failures into errors that name the record:
//   * an instance update whose expected row_version does not match -> conflict
//     (UPDATE ... WHERE id = ? AND row_version = ? changed no row);
//   * a duplicate key (instance id, business key per workflow, history (instance_id, seq),
//     definition (name, version), outbox id, idempotency key) -> conflict;
//   * an update of a missing instance -> not_found;
//   * a record that refers to a missing instance, a history gap, or a write set that
//     failed to encode (EncodedWriteSet::error) -> invalid_argument;
//   * anything else -> io_error / unavailable / corruption (sqlite_error.h).
// On failure the caller rolls back to its savepoint: nothing of the write set remains.
// Thread-safety: none; used by the writer thread only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/result.h"
#include "engine/runtime/records.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/encoded_write_set.h"

namespace ledgerflow::storage {

class WriteSetApplier {
 public:
  explicit WriteSetApplier(Connection& db) : db_(db) {}

  // Order: definitions, instances, history, tasks, timers (deletes, then upserts), outbox
  // (done, then new), idempotency keys, events; so rows can refer to instances of the
  // same write set.
  Result<void> apply(const EncodedWriteSet& ews);

 private:
  // `*_json` / `state` / `data` / `payload`: the JSON columns, already encoded.
  Result<void> insert_definition(const rt::DefinitionRecord& d);
  Result<void> write_instance(const rt::InstanceRecord& i, const std::string& state,
                              std::uint64_t expected_row_version);
  Result<void> explain_stale_instance(const std::string& id, std::uint64_t expected_row_version);
  // `previous_just_inserted`: seq - 1 of the same instance was the row before in this write set.
  Result<void> append_history(const rt::HistoryRecord& h, const std::string& data,
                              bool previous_just_inserted);
  Result<void> upsert_task(const rt::TaskRecord& t, const std::string& roles_json,
                           const std::string& users_json, const std::string& detail_json);
  Result<void> replace_task_candidates(const rt::TaskRecord& t);
  Result<void> upsert_timer(const rt::TimerRecord& t, const std::string& payload);
  Result<void> insert_outbox(const rt::OutboxRecord& o, const std::string& payload);
  Result<void> insert_idempotency(const rt::IdempotencyRecord& k, const std::string& response);
  Result<void> append_event(const rt::EventRecord& e, const std::string& payload);
  Result<void> delete_by_id(const char* sql, const std::string& id, std::string_view what);

  // Steps `q` to completion; on failure the error text is describe(rc).
  template <typename Describe>
  Result<void> finish(Statement& q, Describe&& describe);

  Connection& db_;
};

}  // namespace ledgerflow::storage
