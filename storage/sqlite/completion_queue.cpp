#include "storage/sqlite/completion_queue.h"

namespace ledgerflow::storage {

void CompletionQueue::push(Batch batch) {
  {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [this] { return closed_ || batches_.size() < max_batches_; });
    batches_.push_back(std::move(batch));
  }
  not_empty_.notify_one();
}

bool CompletionQueue::pop(Batch& out) {
  {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [this] { return closed_ || !batches_.empty(); });
    if (batches_.empty()) return false;
    out = std::move(batches_.front());
    batches_.pop_front();
  }
  not_full_.notify_one();
  return true;
}

void CompletionQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
}

}  // namespace ledgerflow::storage
