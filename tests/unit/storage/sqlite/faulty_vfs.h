// FaultyVfs: a SQLite VFS that forwards to the default one and, on demand, fails writes to
// WAL files the way a full disk or a failing device would (the idea of LevelDB's
// fault_injection_test). Open a store with SqliteOptions::vfs = FaultyVfs::kName.
// Thread-safety: the counters are atomic; register() is idempotent.
#pragma once

#include <sqlite3.h>

namespace storage_test {

class FaultyVfs {
 public:
  static constexpr const char* kName = "ledgerflow-faulty";

  // Registers the VFS (not as the default) the first time it is called.
  static void register_once();
  // The next `count` writes to a WAL file fail with `rc` (e.g. SQLITE_FULL, SQLITE_IOERR_WRITE).
  static void fail_wal_writes(int count, int rc = SQLITE_FULL);
  // Writes that failed because of fail_wal_writes().
  static int injected();
  static void reset();
};

}  // namespace storage_test
