// Store: where the engine's state lives, as two interfaces: EngineStore (what the
// Executor needs: writes, point reads, recovery pages) and ReadModel (the queries of the
// API, CLI and dashboards). A backend implements both as Store; storage/sqlite does
// (storage/postgres will too). The engine depends only on EngineStore.
//
// Writes go through submit(): a WriteSet is applied atomically, and `done` is called
// only after it is durable (or failed, with nothing of it applied). Implementations
// batch the write sets of many callers into one transaction (group commit); a write set
// that fails (a row-version conflict, a duplicate key) fails alone, the others commit.
//
// Thread-safety: every method may be called from any thread. `done` callbacks run on
// the store's completion thread: keep them short and never call submit_sync() from one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/runtime/activity_summary.h"
#include "engine/runtime/records.h"

namespace ledgerflow::rt {

struct InstanceFilter {
  std::string workflow;                  // empty = any
  std::optional<InstanceStatus> status;  // nullopt = any
  std::string business_key;              // empty = any
  std::optional<std::int64_t> created_after_us;
  std::string after_id;     // cursor: ids are time-ordered; list ids > after_id
  std::size_t limit = 100;  // at most 1001 (a page of 1000 and one to see a next page)
};

struct TaskFilter {
  std::optional<TaskStatus> status;
  std::string instance_id;
  // The caller's inbox: tasks where user is a candidate (by user or any role) or assignee.
  std::string candidate_user;
  std::vector<std::string> candidate_roles;
  std::string after_id;
  std::size_t limit = 100;
};

struct StoreStats {
  std::uint64_t commits = 0;     // transactions committed
  std::uint64_t write_sets = 0;  // write sets committed (>= commits with group commit)
  std::uint64_t failed_write_sets = 0;
};

// What the engine itself needs (the Executor and the DefinitionRegistry): committing
// write sets, the point reads a command makes, and the keyset pages recovery walks.
class EngineStore {
 public:
  virtual ~EngineStore() = default;

  // --- writes
  using Done = std::function<void(Result<void>)>;
  virtual void submit(WriteSet ws, Done done) = 0;
  // Convenience: submit and wait for the outcome.
  Result<void> submit_sync(WriteSet ws);
  // Blocks until every submitted write set has been committed or failed.
  virtual void flush() = 0;

  // --- definitions
  virtual Result<DefinitionRecord> definition(const std::string& name,
                                              int version) = 0;  // 0 = latest
  virtual Result<DefinitionRecord> definition_by_hash(const std::string& name,
                                                      const std::string& hash) = 0;
  virtual Result<std::vector<DefinitionRecord>> definitions() = 0;  // every version, ordered

  // --- what a command reads
  virtual Result<InstanceRecord> instance(const std::string& id) = 0;
  virtual Result<std::optional<InstanceRecord>> instance_by_business_key(
      const std::string& workflow, const std::string& key) = 0;
  virtual Result<TaskRecord> task(const std::string& id) = 0;
  virtual Result<std::optional<IdempotencyRecord>> idempotency(const std::string& key) = 0;

  // --- recovery
  // Keyset pages, which must see every row however many there are: timers ordered by
  // (due_at_us, id) after the given pair; outbox entries ordered by (created_at_us, id)
  // after the given pair. Start with (INT64_MIN, "").
  virtual Result<std::vector<TimerRecord>> timers_page(std::int64_t after_due_us,
                                                       const std::string& after_id,
                                                       std::size_t limit) = 0;
  virtual Result<std::vector<OutboxRecord>> outbox_page(std::int64_t after_created_us,
                                                        const std::string& after_id,
                                                        std::size_t limit) = 0;

  // --- health
  virtual StoreStats stats() const = 0;
};

// The read model: the queries behind the API, the CLI and the dashboards. The engine
// never calls these. Point reads (instance, task, definition) are on EngineStore.
class ReadModel {
 public:
  virtual ~ReadModel() = default;

  // --- instances
  virtual Result<std::vector<InstanceRecord>> instances(const InstanceFilter& filter) = 0;
  // Instances that are neither finished nor cancelled.
  virtual Result<std::vector<InstanceRecord>> unfinished_instances() = 0;
  virtual Result<std::vector<HistoryRecord>> history(const std::string& instance_id,
                                                     std::uint64_t after_seq,
                                                     std::size_t limit) = 0;

  // --- tasks, timers, outbox, events
  virtual Result<std::vector<TaskRecord>> tasks(const TaskFilter& filter) = 0;
  virtual Result<std::vector<TimerRecord>> timers_due(std::int64_t now_us, std::size_t limit) = 0;
  virtual Result<std::optional<std::int64_t>> next_timer_due() = 0;
  virtual Result<std::vector<OutboxRecord>> outbox(std::size_t limit) = 0;
  virtual Result<std::vector<EventRecord>> events_after(std::uint64_t seq, std::size_t limit) = 0;
  // The seq of the newest event (0 when there is none): where a live follower starts.
  virtual Result<std::uint64_t> latest_event_seq() = 0;

  // --- outcomes (WriteSet::outcomes writes them)
  virtual Result<std::optional<OutcomeRecord>> outcome(const std::string& decision_id) = 0;
  // The outcomes of `model` with the score each decision recorded, newest first, at most
  // `limit` (the caller's bound on work; at most 100,000).
  virtual Result<std::vector<ScoredOutcome>> scored_outcomes(const std::string& model,
                                                             std::size_t limit) = 0;

  // --- dashboards
  // Aggregates over instances and tasks (see activity_summary.h): overdue means due
  // before now_us; the per-minute window starts at since_us. Each figure is read on its
  // own, so two of them may differ by the commits made in between.
  virtual Result<ActivitySummary> activity_summary(std::int64_t now_us, std::int64_t since_us) = 0;
};

// Both: what a storage backend implements and what a host that serves the API holds.
class Store : public EngineStore, public ReadModel {};

}  // namespace ledgerflow::rt
