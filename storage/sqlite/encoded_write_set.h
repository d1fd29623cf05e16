// EncodedWriteSet: a WriteSet with every JSON value already serialised to the TEXT stored
// in its column. submit() encodes on the caller's thread, so the one writer thread only binds
// and steps statements: JSON serialisation was about half of the writer's time, and it now
// runs in parallel on the submitting threads (the executor's shards). The JSON values of the
// original records are released there too.
// Thread-safety: a plain value type.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/runtime/records.h"

namespace ledgerflow::storage {

struct EncodedWriteSet {
  // The records, with their JSON members released (null); read the texts below instead.
  rt::WriteSet records;
  // Parallel to the record vectors of `records`.
  std::vector<std::string> instance_state;
  std::vector<std::string> history_data;
  std::vector<std::string> task_roles;  // JSON arrays of names
  std::vector<std::string> task_users;
  std::vector<std::string> task_detail;
  std::vector<std::string> timer_payload;
  std::vector<std::string> outbox_payload;
  std::vector<std::string> idempotency_response;
  std::vector<std::string> event_payload;
  // Set when a value cannot be stored (invalid UTF-8, no row version per instance); the
  // writer then fails the write set without touching the database.
  std::optional<Error> error;
};

EncodedWriteSet encode(rt::WriteSet ws);

}  // namespace ledgerflow::storage
