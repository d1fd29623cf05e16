// StoreReader: the read queries of the Store interface on one (read-only) connection:
// SELECTs and the decoding of rows back into records.
//
// Filtered lists are built from a fixed set of clauses (one per filter that is set) with
// every value bound, so each combination is one cached prepared statement. Lists return at
// most kMaxListLimit rows (the API's largest page, 1000, plus the one row that tells a next
// page exists; the same cap applies to history, tasks, timers, outbox and events); callers
// page with the cursor.
// A stored value that does not decode (bad JSON, unknown status) is ErrorCode::corruption.
// Thread-safety: none; one per borrowed connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "engine/runtime/records.h"
#include "engine/runtime/store.h"
#include "storage/sqlite/connection.h"

namespace ledgerflow::storage {

inline constexpr std::size_t kMaxListLimit = 1001;

class StoreReader {
 public:
  explicit StoreReader(Connection& db) : db_(db) {}

  Result<rt::DefinitionRecord> definition(const std::string& name, int version);
  Result<rt::DefinitionRecord> definition_by_hash(const std::string& name, const std::string& hash);
  Result<std::vector<rt::DefinitionRecord>> definitions();

  Result<rt::InstanceRecord> instance(const std::string& id);
  Result<std::optional<rt::InstanceRecord>> instance_by_business_key(const std::string& workflow,
                                                                     const std::string& key);
  Result<std::vector<rt::InstanceRecord>> instances(const rt::InstanceFilter& filter);
  Result<std::vector<rt::InstanceRecord>> unfinished_instances();
  Result<std::vector<rt::HistoryRecord>> history(const std::string& instance_id,
                                                 std::uint64_t after_seq, std::size_t limit);

  Result<rt::TaskRecord> task(const std::string& id);
  Result<std::vector<rt::TaskRecord>> tasks(const rt::TaskFilter& filter);
  Result<std::vector<rt::TimerRecord>> timers_due(std::int64_t now_us, std::size_t limit);
  Result<std::optional<std::int64_t>> next_timer_due();
  Result<std::vector<rt::OutboxRecord>> outbox(std::size_t limit);
  Result<std::vector<rt::TimerRecord>> timers_page(std::int64_t after_due_us,
                                                   const std::string& after_id, std::size_t limit);
  Result<std::vector<rt::OutboxRecord>> outbox_page(std::int64_t after_created_us,
                                                    const std::string& after_id, std::size_t limit);
  Result<std::optional<rt::IdempotencyRecord>> idempotency(const std::string& key);
  Result<std::vector<rt::EventRecord>> events_after(std::uint64_t seq, std::size_t limit);
  Result<std::uint64_t> latest_event_seq();

  Result<rt::ActivitySummary> activity_summary(std::int64_t now_us, std::int64_t since_us);

 private:
  Connection& db_;
};

}  // namespace ledgerflow::storage
