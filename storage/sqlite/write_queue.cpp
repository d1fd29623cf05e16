#include "storage/sqlite/write_queue.h"

#include <algorithm>

namespace ledgerflow::storage {

bool WriteQueue::push(Item& item, bool may_block) {
  std::unique_lock lock(mutex_);
  if (may_block) {
    not_full_.wait(lock, [this] { return closed_ || items_.size() < capacity_; });
  }
  if (closed_) return false;
  items_.push_back(std::move(item));
  ++pushed_;
  lock.unlock();
  not_empty_.notify_one();
  return true;
}

bool WriteQueue::pop_batch(std::size_t max_items, std::vector<Item>& out) {
  std::unique_lock lock(mutex_);
  not_empty_.wait(lock, [this] { return closed_ || (!held_ && !items_.empty()); });
  if (items_.empty()) return false;  // closed and drained
  const std::size_t n = std::min(std::max<std::size_t>(max_items, 1), items_.size());
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(std::move(items_.front()));
    items_.pop_front();
  }
  lock.unlock();
  not_full_.notify_all();
  return true;
}

void WriteQueue::finished(std::size_t count) {
  {
    std::lock_guard lock(mutex_);
    finished_ += count;
  }
  drained_.notify_all();
}

void WriteQueue::wait_drained() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = pushed_;
  drained_.wait(lock, [this, target] { return finished_ >= target; });
}

void WriteQueue::hold(bool held) {
  {
    std::lock_guard lock(mutex_);
    held_ = held;
  }
  not_empty_.notify_all();
}

void WriteQueue::close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
}

}  // namespace ledgerflow::storage
