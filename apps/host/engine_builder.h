// EngineBuilder: the one composition root of the engine. The daemon
// (api/service/engine_host.h), the CLI (apps/ledgerflow/engine_session.h), the crash and
// scenario tests and the benches all build their engine here, from an EngineConfig and
// the modules they pass in (module.h), in one order:
//
//   SqliteStore → modules open (their stores, their actions) → model registry →
//   DefinitionRegistry (deployments check score states against the registry) →
//   pseudonym key → Executor (with the action table) → modules started → recover() →
//   timer thread (if asked)
//
// and an Engine tears down in the reverse order: the executor first (it finishes the
// commands and actions in flight and flushes its last writes), then the modules (reverse),
// the definitions, the registry and the store.
//
// Thread-safety: the builder is used from one thread. An Engine's accessors may be used
// from any thread (each component documents its own guarantees); construction and
// destruction from one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apps/host/engine_config.h"
#include "apps/host/module.h"
#include "engine/common/result.h"
#include "engine/runtime/action_runner.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "engine/scoring/scorer.h"
#include "plugins/registry/directory_registry.h"
#include "storage/sqlite/sqlite_store.h"

namespace ledgerflow::host {

class Engine {
 public:
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  storage::SqliteStore& store() { return *store_; }
  rt::DefinitionRegistry& definitions() { return *definitions_; }
  rt::Executor& executor() { return *executor_; }
  // What the executor scores with (the wrapper, if the builder was given one); null
  // without a models directory.
  const scoring::ScorerRegistry* scorers() const { return scorers_; }
  // Forgets cached alias tables and version lists (after an alias change).
  void refresh_models();
  const rt::Clock& clock() const { return *clock_; }
  const EngineConfig& config() const { return config_; }

  // Lets everything in flight finish: commands, effects and the timers already due by
  // the engine's clock (and what they cause); then flushes the store.
  void settle();

 private:
  friend class EngineBuilder;
  explicit Engine(EngineConfig config);

  EngineConfig config_;
  rt::SystemClock system_clock_;
  const rt::Clock* clock_ = &system_clock_;
  std::unique_ptr<storage::SqliteStore> store_;
  std::vector<std::shared_ptr<Module>> modules_;  // opened, in order
  std::unique_ptr<plugins::DirectoryRegistry> models_;
  std::unique_ptr<scoring::ScorerRegistry> wrapped_scorers_;
  const scoring::ScorerRegistry* scorers_ = nullptr;
  std::unique_ptr<rt::DefinitionRegistry> definitions_;
  std::unique_ptr<rt::Executor> executor_;
};

class EngineBuilder {
 public:
  // Wraps the model registry the executor scores with (deployments still check against
  // the registry itself). Benches time scoring this way.
  using ScorerWrapper = std::function<std::unique_ptr<scoring::ScorerRegistry>(
      const scoring::ScorerRegistry& registry)>;
  using ActionWrapper = std::function<rt::ActionHandler(const std::string&, rt::ActionHandler)>;

  explicit EngineBuilder(EngineConfig config) : config_(std::move(config)) {}

  // Adds a module (opened in the order added). Returns the builder.
  EngineBuilder& add(std::shared_ptr<Module> module);
  // One action outside any module (test fakes).
  EngineBuilder& add_action(std::string name, rt::ActionHandler handler);
  EngineBuilder& wrap_scorers(ScorerWrapper wrapper);
  // Every registered handler h becomes wrapper(name, h) (benches time actions this way).
  EngineBuilder& wrap_actions(ActionWrapper wrapper);

  // Builds the engine; the first failure (a store that does not open, a module, two
  // modules claiming one action name, the key file, recovery) is returned and everything
  // built so far is torn down in order.
  Result<std::unique_ptr<Engine>> build();

 private:
  EngineConfig config_;
  std::vector<std::shared_ptr<Module>> modules_;
  std::vector<std::pair<std::string, rt::ActionHandler>> actions_;
  ScorerWrapper wrap_scorers_;
  ActionWrapper wrap_actions_;
};

}  // namespace ledgerflow::host
