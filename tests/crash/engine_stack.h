// EngineStack: the engine built by the engine builder (apps/host/engine_builder.h), as
// the daemon builds it but with the fake ledger.post action as its only action, on a file
// database with synchronous=FULL, recover() already run and the crash workflow deployed.
// One per process.
// Thread-safety: the members are thread-safe (see their headers); open() is not.
#pragma once

#include <memory>
#include <string>

#include "apps/host/engine_builder.h"
#include "engine/common/result.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "storage/sqlite/sqlite_store.h"

namespace ledgerflow::crash {

struct EngineStack {
  rt::SystemClock clock;
  std::unique_ptr<host::Engine> engine;
  // Views into `engine`.
  storage::SqliteStore* store = nullptr;
  rt::DefinitionRegistry* definitions = nullptr;
  rt::Executor* executor = nullptr;
  int version = 0;  // the deployed version of the crash workflow

  // Opens `db`, starts the executor, recovers (re-runs the outbox, loads the timers) and
  // deploys the workflow (a no-op when already deployed).
  static Result<std::unique_ptr<EngineStack>> open(const std::string& db,
                                                   const std::string& models);
};

}  // namespace ledgerflow::crash
