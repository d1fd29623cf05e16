#include "storage/sqlite/batch_writer.h"

#include <exception>
#include <numeric>
#include <string>

namespace ledgerflow::storage {

BatchWriter::BatchWriter(std::unique_ptr<Connection> db, std::size_t max_batch)
    : db_(std::move(db)), applier_(*db_), max_batch_(max_batch == 0 ? 1 : max_batch) {}

void BatchWriter::run(WriteQueue& queue, CompletionQueue& completions) {
  CompletionQueue::Batch batch;
  batch.items.reserve(max_batch_);
  while (queue.pop_batch(max_batch_, batch.items)) {
    batch.results = commit_batch(batch.items);
    completions.push(std::move(batch));
    batch = CompletionQueue::Batch{};
    batch.items.reserve(max_batch_);
  }
}

void BatchWriter::complete(CompletionQueue::Batch& batch) {
  for (std::size_t i = 0; i < batch.items.size(); ++i) {
    // A callback that throws must not take the completion thread (and every later
    // caller) down.
    try {
      if (batch.items[i].done) batch.items[i].done(std::move(batch.results[i]));
    } catch (...) {
    }
  }
}

rt::StoreStats BatchWriter::stats() const {
  rt::StoreStats s;
  s.commits = commits_.load(std::memory_order_relaxed);
  s.write_sets = write_sets_.load(std::memory_order_relaxed);
  s.failed_write_sets = failed_write_sets_.load(std::memory_order_relaxed);
  return s;
}

std::vector<Result<void>> BatchWriter::commit_batch(Items& items) {
  std::vector<Result<void>> results(items.size());
  std::vector<std::size_t> pending(items.size());
  std::iota(pending.begin(), pending.end(), std::size_t{0});
  bool isolate = false;  // optimistic first: no savepoints until a write set fails
  try {
    while (try_transaction(items, pending, results, isolate) == Attempt::restart) {
    }
  } catch (const std::exception& e) {  // e.g. bad_alloc: fail the batch, keep the thread
    rollback_quietly();
    for (auto& r : results) r = Error::io(std::string("writing the batch failed: ") + e.what());
  }
  for (const auto& r : results) {
    if (!r) failed_write_sets_.fetch_add(1, std::memory_order_relaxed);
  }
  return results;
}

BatchWriter::Attempt BatchWriter::try_transaction(Items& items, std::vector<std::size_t>& pending,
                                                  std::vector<Result<void>>& results,
                                                  bool& isolate) {
  if (pending.empty()) return Attempt::finished;
  rollback_quietly();  // never inherit a transaction a failure left open
  auto begun = db_->exec("BEGIN IMMEDIATE", "beginning the write transaction");
  if (!begun) {
    for (std::size_t i : pending) results[i] = begun.error();
    return Attempt::finished;
  }
  // A lone write set needs no savepoint: its failure rolls back the whole transaction.
  const bool savepoints = isolate && pending.size() > 1;
  std::vector<std::size_t> applied;
  applied.reserve(pending.size());
  for (std::size_t k = 0; k < pending.size(); ++k) {
    const std::size_t i = pending[k];
    auto r =
        savepoints ? apply_in_savepoint(items[i].write_set) : applier_.apply(items[i].write_set);
    if (r) {
      applied.push_back(i);
      continue;
    }
    results[i] = std::move(r);
    if (!savepoints || !db_->in_transaction()) {
      // Optimistic mode, or SQLite rolled back the whole transaction: undo everything and
      // restart without the failed write set, each one now in its own savepoint.
      rollback_quietly();
      applied.insert(applied.end(), pending.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                     pending.end());
      pending = std::move(applied);
      isolate = true;
      return Attempt::restart;
    }
  }
  if (applied.empty()) {
    rollback_quietly();
    return Attempt::finished;
  }
  auto committed = db_->exec(
      "COMMIT", "committing a batch of " + std::to_string(applied.size()) + " write sets");
  if (!committed) {
    rollback_quietly();
    for (std::size_t i : applied) results[i] = committed.error();
    return Attempt::finished;
  }
  commits_.fetch_add(1, std::memory_order_relaxed);
  write_sets_.fetch_add(applied.size(), std::memory_order_relaxed);
  return Attempt::finished;
}

Result<void> BatchWriter::apply_in_savepoint(const EncodedWriteSet& ws) {
  auto opened = db_->exec("SAVEPOINT ws", "opening a savepoint for a write set");
  if (!opened) return opened;
  auto applied = applier_.apply(ws);
  if (applied) {
    auto released = db_->exec("RELEASE ws", "releasing the savepoint of a write set");
    if (released) return released;
    applied = released;  // fall through: undo the write set
  }
  if (!db_->in_transaction()) return applied;  // nothing left to undo
  auto undone = db_->exec("ROLLBACK TO ws", "rolling back a failed write set");
  if (undone) undone = db_->exec("RELEASE ws", "releasing the savepoint of a failed write set");
  if (!undone) rollback_quietly();  // cannot undo part: drop the transaction, batch restarts
  return applied;
}

void BatchWriter::rollback_quietly() {
  if (!db_->in_transaction()) return;
  // If even ROLLBACK fails the connection is unusable; the next BEGIN reports that error.
  auto rolled_back = db_->exec("ROLLBACK", "rolling back the write transaction");
  (void)rolled_back;
}

}  // namespace ledgerflow::storage
