#include "storage/sqlite/reader_pool.h"

namespace ledgerflow::storage {

ReaderPool::Lease::~Lease() {
  if (db_ != nullptr) pool_->release(std::move(db_));
}

ReaderPool::ReaderPool(std::string path, std::string vfs, std::int64_t busy_timeout_ms,
                       std::size_t max_connections)
    : path_(std::move(path)),
      vfs_(std::move(vfs)),
      busy_timeout_ms_(busy_timeout_ms),
      max_connections_(max_connections == 0 ? 1 : max_connections) {}

Result<ReaderPool::Lease> ReaderPool::acquire() {
  {
    std::unique_lock lock(mutex_);
    returned_.wait(lock, [this] { return !idle_.empty() || open_ < max_connections_; });
    if (!idle_.empty()) {
      auto db = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(db));
    }
    ++open_;  // reserve a slot; open outside the lock
  }
  auto db = Connection::open(path_, Connection::Mode::read_only, busy_timeout_ms_, vfs_);
  if (!db) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    returned_.notify_one();
    return db.error();
  }
  return Lease(this, std::move(*db));
}

void ReaderPool::release(std::unique_ptr<Connection> db) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(db));
  }
  returned_.notify_one();
}

}  // namespace ledgerflow::storage
