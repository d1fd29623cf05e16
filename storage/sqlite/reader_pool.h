// ReaderPool: read-only connections (SQLITE_OPEN_READONLY) for the read side of the store.
// In WAL mode readers see the last committed state and never block the writer.
//
// A thread borrows a connection for one read call (acquire() -> Lease) and returns it when
// the Lease dies. Connections are opened on demand and kept on a free list; at most
// `max_connections` exist, beyond that acquire() waits for a returned one.
// Thread-safety: every method is thread-safe; a Lease is used by one thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "storage/sqlite/connection.h"

namespace ledgerflow::storage {

class ReaderPool {
 public:
  class Lease {
   public:
    Lease(ReaderPool* pool, std::unique_ptr<Connection> db) : pool_(pool), db_(std::move(db)) {}
    Lease(Lease&&) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& db() const { return *db_; }

   private:
    ReaderPool* pool_;
    std::unique_ptr<Connection> db_;
  };

  ReaderPool(std::string path, std::string vfs, std::int64_t busy_timeout_ms,
             std::size_t max_connections);

  Result<Lease> acquire();

 private:
  void release(std::unique_ptr<Connection> db);

  const std::string path_;
  const std::string vfs_;
  const std::int64_t busy_timeout_ms_;
  const std::size_t max_connections_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;  // idle + leased
};

}  // namespace ledgerflow::storage
