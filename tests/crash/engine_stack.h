// EngineStack: the engine wired the way the daemon wires it (store → DefinitionRegistry →
// Executor with a ScorerRegistry and the fake ledger.post runner), on a file database with
// synchronous=FULL, the crash workflow deployed and recover() already run. One per process.
// Thread-safety: the members are thread-safe (see their headers); open() is not.
#pragma once

#include <memory>
#include <string>

#include "engine/common/result.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "plugins/registry/directory_registry.h"
#include "storage/sqlite/sqlite_store.h"

namespace ledgerflow::crash {

struct EngineStack {
  rt::SystemClock clock;
  std::unique_ptr<storage::SqliteStore> store;
  std::unique_ptr<rt::DefinitionRegistry> definitions;
  std::unique_ptr<plugins::DirectoryRegistry> scorers;
  std::unique_ptr<rt::Executor> executor;
  int version = 0;  // the deployed version of the crash workflow

  // Opens `db`, deploys the workflow (a no-op when already deployed), starts the
  // executor and recovers (re-runs the outbox, loads the timers).
  static Result<std::unique_ptr<EngineStack>> open(const std::string& db,
                                                   const std::string& models);

  // The executor goes first: it flushes its last writes into the store.
  ~EngineStack() { executor.reset(); }
};

}  // namespace ledgerflow::crash
