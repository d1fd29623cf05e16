// Module: how a package plugs into the engine builder (engine_builder.h) without the
// builder knowing it — it opens what it keeps on the engine's database and registers its
// actions in the engine's action table. The builder names no module: each composition
// root (daemon, CLI, tests, benches) passes the modules it wants.
//
// Lifecycle, driven by the builder on one thread: open() once, before the executor
// exists, in the order modules were added; started() once the executor exists, before
// recovery; close() after the executor has stopped (no action runs any more), in reverse
// order. A module whose open() failed is neither started nor closed.
// Thread-safety: the handlers a module registers run on the executor's worker threads.
#pragma once

#include <string>

#include "apps/host/engine_config.h"
#include "engine/common/result.h"
#include "engine/runtime/action_runner.h"
#include "engine/runtime/clock.h"

namespace ledgerflow::rt {
class Executor;
}

namespace ledgerflow::host {

// What a module sees while the engine is built.
struct ModuleContext {
  const EngineConfig& config;
  const rt::Clock& clock;    // the engine's clock (config.clock or the system clock)
  rt::ActionTable& actions;  // register actions here
};

class Module {
 public:
  virtual ~Module() = default;
  virtual std::string name() const = 0;
  virtual Result<void> open(const ModuleContext& context) = 0;
  virtual void started(rt::Executor& /*executor*/) {}
  virtual void close() {}
};

}  // namespace ledgerflow::host
