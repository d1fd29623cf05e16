// Records: the rows the engine persists, as plain structs. The engine produces them
// (step() and the executor); a Store (engine/runtime/store.h) writes and reads them.
// JSON-valued columns are nlohmann::json here and TEXT in SQLite.
// Thread-safety: plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::rt {

// A deployed definition version. `hash` is the SHA-256 (hex) of the canonical JSON, so
// deploying identical content again is recognised and does not create a version.
struct DefinitionRecord {
  std::string name;
  int version = 0;
  std::string hash;
  std::string format;  // "yaml" or "json"
  std::string source;  // the text as deployed
  std::int64_t created_at_us = 0;
  std::string created_by;
};

enum class InstanceStatus : std::uint8_t { running, waiting, succeeded, failed, cancelled };
std::string_view to_string(InstanceStatus s);
std::optional<InstanceStatus> instance_status_from(std::string_view s);
inline bool is_final(InstanceStatus s) {
  return s == InstanceStatus::succeeded || s == InstanceStatus::failed ||
         s == InstanceStatus::cancelled;
}

struct InstanceRecord {
  std::string id;
  std::string workflow;
  int version = 0;  // the definition version the instance is pinned to
  InstanceStatus status = InstanceStatus::running;
  std::string business_key;  // empty = none; unique per workflow when set
  std::string created_by;
  std::string parent_id;  // subflow children: the parent instance
  std::int64_t created_at_us = 0;
  std::int64_t updated_at_us = 0;
  std::uint64_t seq = 0;          // number of history events so far
  std::uint64_t row_version = 0;  // optimistic concurrency: +1 on every write
  nlohmann::json state;           // the runtime state (data, frames, ...), see instance.h
};

// One append-only history event; (instance_id, seq) is unique and seq has no gaps.
struct HistoryRecord {
  std::string instance_id;
  std::uint64_t seq = 0;  // 1-based
  std::int64_t at_us = 0;
  std::string type;   // "instance_started", "state_entered", "decision", ...
  std::string state;  // the state it concerns, or empty
  std::string actor;  // the user or "system"
  nlohmann::json data;
};

enum class TaskStatus : std::uint8_t { open, completed, cancelled };
std::string_view to_string(TaskStatus s);
std::optional<TaskStatus> task_status_from(std::string_view s);

// A human task (approval state). The instance state is the truth; this row is the
// queryable projection for inboxes, written in the same transaction.
struct TaskRecord {
  std::string id;
  std::string instance_id;
  std::string workflow;
  std::string state;
  TaskStatus status = TaskStatus::open;
  std::string title;
  std::vector<std::string> candidate_roles;
  std::vector<std::string> candidate_users;
  std::string assignee;  // claimed by, or empty
  std::optional<std::int64_t> due_at_us;
  std::int64_t created_at_us = 0;
  std::optional<std::int64_t> completed_at_us;
  std::string outcome;
  nlohmann::json detail;  // approvals so far, forbidden users, context for the inbox
};

// A durable timer: fires `payload` into its instance at due_at_us.
struct TimerRecord {
  std::string id;
  std::string instance_id;
  std::int64_t due_at_us = 0;
  nlohmann::json payload;
};

// An effect to perform after commit (HTTP call, plugin action, child start, ...). It stays
// in the outbox until its result is committed, so recovery re-runs what was in flight.
struct OutboxRecord {
  std::string id;  // also the idempotency key sent with outbound calls
  std::string instance_id;
  std::string kind;
  std::int64_t created_at_us = 0;
  nlohmann::json payload;
};

// The response to a request that carried an Idempotency-Key.
struct IdempotencyRecord {
  std::string key;
  std::string request_hash;
  std::string instance_id;
  nlohmann::json response;
  std::int64_t created_at_us = 0;
};

// A change feed entry (instance and task changes) for live views; `seq` is assigned by
// the store, strictly increasing and durable, so a consumer can resume after any seq.
struct EventRecord {
  std::uint64_t seq = 0;
  std::int64_t at_us = 0;
  std::string kind;  // "instance", "task"
  std::string instance_id;
  std::string task_id;
  nlohmann::json payload;
};

// The realised result of a scored decision (POST /v1/outcomes), for realised accuracy.
// Write-once per decision: storing the same `actual` again changes nothing; a different
// `actual` for a stored decision is a conflict.
struct OutcomeRecord {
  std::string decision_id;  // the decision record's id (the score effect's id)
  std::string instance_id;
  std::string workflow;
  std::string model;
  std::string model_version;
  double actual = 0;  // 0/1 for binary models, the observed value for regressions
  std::int64_t recorded_at_us = 0;
  std::string recorded_by;
  std::string note;
};

// An outcome with the score its decision recorded (for realised-accuracy figures).
struct ScoredOutcome {
  std::string model_version;
  double actual = 0;
  double score = 0;
};

// Everything one command changes, applied atomically (all or nothing).
struct WriteSet {
  std::vector<DefinitionRecord> definitions;         // insert
  std::vector<InstanceRecord> instances;             // insert (row_version 1) or update
  std::vector<std::uint64_t> expected_row_versions;  // per instance: 0 = new; else must match
  std::vector<HistoryRecord> history;                // append
  std::vector<TaskRecord> tasks;                     // upsert
  std::vector<TimerRecord> timers;                   // upsert
  std::vector<std::string> timers_deleted;
  std::vector<OutboxRecord> outbox;            // insert
  std::vector<std::string> outbox_done;        // delete
  std::vector<IdempotencyRecord> idempotency;  // insert
  std::vector<EventRecord> events;             // append; seq assigned on commit
  std::vector<OutcomeRecord> outcomes;         // insert; see OutcomeRecord for repeats

  bool empty() const;
};

}  // namespace ledgerflow::rt
