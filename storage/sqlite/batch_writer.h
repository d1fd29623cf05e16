// BatchWriter: the body of the one writer thread. It owns the write connection, takes
// batches from the WriteQueue and commits them (group commit):
//
//   BEGIN IMMEDIATE
//     apply write set 1; apply write set 2; ...      (optimistic: no savepoints)
//   COMMIT            (on failure every write set of the batch fails; nothing is applied)
//   hand the batch and its results to the CompletionQueue, whose thread calls every
//   `done` (never before COMMIT returned: acknowledged = durable)
//
// Write sets almost never fail, and a SAVEPOINT/RELEASE pair per write set cost about a
// tenth of the writer's time, so the first attempt applies the batch without them. When
// a write set fails, that one fails, the transaction is rolled back and the batch
// restarts without it, now isolating each write set in its own savepoint:
//
//     SAVEPOINT ws; apply write set 1; RELEASE ws      (on failure: ROLLBACK TO ws, and
//     SAVEPOINT ws; apply write set 2; RELEASE ws       only that write set fails)
//
// If SQLite aborts the whole transaction while applying a write set (it may on an IO
// error or a full disk), that write set fails and the batch restarts without it, so the
// write sets that were fine are still committed. Each restart drops at least one write
// set, so the loop ends.
// Thread-safety: run() on one thread; stats() from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

#include "engine/runtime/store.h"
#include "storage/sqlite/completion_queue.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/write_queue.h"
#include "storage/sqlite/write_set_applier.h"

namespace ledgerflow::storage {

class BatchWriter {
 public:
  // `max_batch`: write sets per transaction (1 = no group commit).
  BatchWriter(std::unique_ptr<Connection> db, std::size_t max_batch);

  // Commits batches until the queue is closed and drained, handing each committed (or
  // failed) batch to `completions`.
  void run(WriteQueue& queue, CompletionQueue& completions);
  // Calls every `done` of a batch with its result (on the completion thread).
  static void complete(CompletionQueue::Batch& batch);

  rt::StoreStats stats() const;

 private:
  using Items = std::vector<WriteQueue::Item>;
  enum class Attempt { finished, restart };

  std::vector<Result<void>> commit_batch(Items& items);
  Attempt try_transaction(Items& items, std::vector<std::size_t>& pending,
                          std::vector<Result<void>>& results, bool& isolate);
  Result<void> apply_in_savepoint(const EncodedWriteSet& ws);
  void rollback_quietly();

  std::unique_ptr<Connection> db_;
  WriteSetApplier applier_;
  const std::size_t max_batch_;
  std::atomic<std::uint64_t> commits_{0};
  std::atomic<std::uint64_t> write_sets_{0};
  std::atomic<std::uint64_t> failed_write_sets_{0};
};

}  // namespace ledgerflow::storage
