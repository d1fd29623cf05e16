// WriteQueue: the bounded hand-off between the threads that submit write sets and the one
// writer thread. Many producers, one consumer, FIFO.
//
// Bounded (TigerBeetle style): when `capacity` write sets are waiting, push() blocks the
// caller until the writer has taken some (back-pressure instead of unbounded memory).
// It also keeps the counts flush() needs: everything pushed before a wait_drained() call
// has been taken, committed (or failed) and had its `done` called when the call returns.
// Thread-safety: every method is thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

#include "engine/runtime/records.h"
#include "engine/runtime/store.h"
#include "storage/sqlite/encoded_write_set.h"

namespace ledgerflow::storage {

class WriteQueue {
 public:
  struct Item {
    EncodedWriteSet write_set;
    rt::Store::Done done;
  };

  explicit WriteQueue(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Appends `item`, blocking while the queue is full unless `may_block` is false (the
  // writer thread itself must never wait for itself). Returns false, leaving `item`
  // untouched, once the queue is closed.
  bool push(Item& item, bool may_block);
  // Waits for work; moves up to `max_items` into `out`. Returns false when the queue is
  // closed and empty (the writer then exits).
  bool pop_batch(std::size_t max_items, std::vector<Item>& out);
  // The writer has finished `count` items (committed or failed, done called).
  void finished(std::size_t count);
  // Blocks until every item pushed before this call is finished.
  void wait_drained();
  // No more pushes; pop_batch() drains what is queued, then returns false.
  void close();
  // While held, pop_batch() takes nothing: pushed items accumulate (up to capacity) and
  // are taken together once released. close() overrides a hold. For tests and for
  // maintenance windows; wait_drained() during a hold waits for the release.
  void hold(bool held);

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::condition_variable drained_;
  std::deque<Item> items_;
  std::uint64_t pushed_ = 0;
  std::uint64_t finished_ = 0;
  bool closed_ = false;
  bool held_ = false;
};

}  // namespace ledgerflow::storage
