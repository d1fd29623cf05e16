// SqliteStore: the SQLite implementation of rt::Store (engine/runtime/store.h), the
// embedded default: one file, WAL mode, synchronous=FULL unless told otherwise.
//
// Writes: submit() serialises the write set's JSON on the caller's thread and puts it on a
// bounded queue (submit blocks when max_queued_write_sets are waiting: back-pressure).
// One writer thread owns the only write connection and commits up to max_batch write sets
// per transaction, each in its own savepoint, so one failing write set (row_version
// conflict, duplicate key) fails alone. `done` runs on the completion thread after COMMIT
// returned, never before, in commit order. Reads: each call borrows a read-only connection
// (SQLITE_OPEN_READONLY) from a small pool; in WAL mode readers see the last commit and never block
// the writer. Open: refuses a file that is not a database or fails PRAGMA quick_check (corruption),
// a schema newer than this binary (unavailable), a SQLite file of another application
// (invalid_argument), and a directory or file it cannot open (io_error). A full disk or a
// read-only file fails the write sets concerned with io_error; the store stays usable.
//
// Thread-safety: every method may be called from any thread, except that flush() and
// submit_sync() must not be called from a `done` callback (the completion thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "engine/common/result.h"
#include "engine/runtime/store.h"

namespace ledgerflow::storage {

class BatchWriter;
class CompletionQueue;
class ReaderPool;
class WriteQueue;

struct SqliteOptions {
  std::string path;
  bool synchronous_full = true;  // else NORMAL: power loss may lose the last commits
  bool group_commit = true;      // false: one transaction per write set (benchmarks)
  std::size_t max_batch = 512;   // write sets per transaction
  std::int64_t busy_timeout_ms = 5000;
  std::int64_t max_page_count = 0;  // 0 = SQLite's default; tests use it to fill the disk
  bool read_only = false;           // every connection SQLITE_OPEN_READONLY; writes fail
  std::size_t max_queued_write_sets = 100'000;  // submit() blocks beyond this
  std::size_t max_readers = 8;                  // read connections; more readers wait
  std::int64_t writer_cache_kib = 32 * 1024;    // page cache of the write connection
  std::string vfs;  // SQLite VFS name; empty = the default (tests inject faults through one)
};

class SqliteStore final : public rt::Store {
 public:
  static Result<std::unique_ptr<SqliteStore>> open(const SqliteOptions& options);
  // Commits everything still queued, then stops the writer.
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  // The schema version this binary creates and understands (PRAGMA user_version).
  static int schema_version();

  void submit(rt::WriteSet ws, Done done) override;

  Result<rt::DefinitionRecord> definition(const std::string& name, int version) override;
  Result<rt::DefinitionRecord> definition_by_hash(const std::string& name,
                                                  const std::string& hash) override;
  Result<std::vector<rt::DefinitionRecord>> definitions() override;

  Result<rt::InstanceRecord> instance(const std::string& id) override;
  Result<std::optional<rt::InstanceRecord>> instance_by_business_key(
      const std::string& workflow, const std::string& key) override;
  Result<std::vector<rt::InstanceRecord>> instances(const rt::InstanceFilter& filter) override;
  Result<std::vector<rt::InstanceRecord>> unfinished_instances() override;
  Result<std::vector<rt::HistoryRecord>> history(const std::string& instance_id,
                                                 std::uint64_t after_seq,
                                                 std::size_t limit) override;

  Result<rt::TaskRecord> task(const std::string& id) override;
  Result<std::vector<rt::TaskRecord>> tasks(const rt::TaskFilter& filter) override;
  Result<std::vector<rt::TimerRecord>> timers_due(std::int64_t now_us, std::size_t limit) override;
  Result<std::optional<std::int64_t>> next_timer_due() override;
  Result<std::vector<rt::OutboxRecord>> outbox(std::size_t limit) override;
  Result<std::vector<rt::TimerRecord>> timers_page(std::int64_t after_due_us,
                                                   const std::string& after_id,
                                                   std::size_t limit) override;
  Result<std::vector<rt::OutboxRecord>> outbox_page(std::int64_t after_created_us,
                                                    const std::string& after_id,
                                                    std::size_t limit) override;
  Result<std::optional<rt::IdempotencyRecord>> idempotency(const std::string& key) override;
  Result<std::vector<rt::EventRecord>> events_after(std::uint64_t seq, std::size_t limit) override;
  Result<std::uint64_t> latest_event_seq() override;
  Result<std::optional<rt::OutcomeRecord>> outcome(const std::string& decision_id) override;
  Result<std::vector<rt::ScoredOutcome>> scored_outcomes(const std::string& model,
                                                         std::size_t limit) override;

  rt::StoreStats stats() const override;
  void flush() override;

  Result<rt::ActivitySummary> activity_summary(std::int64_t now_us, std::int64_t since_us) override;

  // Pauses the writer between batches: submitted write sets wait (submit() blocks once
  // max_queued_write_sets wait) and are committed together after resume_writes(). The
  // batch being committed when this is called still commits. flush() waits for resume.
  void pause_writes();
  void resume_writes();

 private:
  SqliteStore(std::unique_ptr<BatchWriter> writer, std::unique_ptr<ReaderPool> readers,
              std::size_t max_queued);

  template <typename Fn>
  auto read(Fn&& fn);

  // Declaration order is destruction order in reverse: readers close before the writer's
  // connection, so the last connection to close checkpoints and removes the WAL file.
  std::unique_ptr<BatchWriter> writer_;
  std::unique_ptr<ReaderPool> readers_;
  std::unique_ptr<WriteQueue> queue_;
  std::unique_ptr<CompletionQueue> completions_;
  std::thread completion_thread_;  // started first: the writer hands it batches
  std::thread writer_thread_;
  // Committed batches waiting for their callbacks before the writer waits.
  static constexpr std::size_t kMaxCompletedBatches = 4;
};

}  // namespace ledgerflow::storage
