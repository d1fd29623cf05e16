// CompletionQueue: hands committed batches from the writer thread to the completion thread,
// which calls every write set's `done` and frees the batch.
//
// Why a second thread: the callbacks (the executor's bookkeeping, the API's responses) and
// freeing thousands of JSON strings took about a sixth of the writer's time, and the writer
// is the one thread everything else waits for. Order is kept: batches complete in commit
// order, and within a batch in submission order.
//
// Bounded: push() blocks the writer while max_batches batches wait, so a slow callback slows
// the writer instead of growing memory. A callback must therefore never wait for the writer
// (SqliteStore::submit() from the completion thread does not block; flush() returns at once).
// Thread-safety: push() from the writer, pop() from the completion thread, close() from any.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "engine/common/result.h"
#include "storage/sqlite/write_queue.h"

namespace ledgerflow::storage {

class CompletionQueue {
 public:
  struct Batch {
    std::vector<WriteQueue::Item> items;
    std::vector<Result<void>> results;  // one per item
  };

  explicit CompletionQueue(std::size_t max_batches) : max_batches_(max_batches ? max_batches : 1) {}

  void push(Batch batch);
  // Waits for a batch; false once closed and empty.
  bool pop(Batch& out);
  // No more pushes; pop() drains what is queued, then returns false.
  void close();

 private:
  const std::size_t max_batches_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<Batch> batches_;
  bool closed_ = false;
};

}  // namespace ledgerflow::storage
