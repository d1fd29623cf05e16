// EngineHost: the engine as the daemon runs it — built by the engine builder
// (apps/host/engine_builder.h) with the http module and the modules the daemon's main
// passes in (the finance package), timers on their own thread — plus deployment of a
// workflows directory at start. It names no domain: domain modules come from main.
// Thread-safety: the accessors may be used from any thread (each component documents its
// own guarantees); construction and destruction from one thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "apps/host/engine_builder.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/store.h"
#include "engine/scoring/scorer.h"

namespace ledgerflow::api {

struct EngineHostOptions {
  std::string database;
  bool synchronous_full = true;
  std::string models;   // directory; missing = no models
  std::string plugins;  // where "ledgerflow-plugin/1" libraries are installed (may be empty)
  // HMAC key file for sensitive feature values (storage/key_file.h); empty: the default
  // "<database>.hmac-key", created once.
  std::string hmac_key_file;
  // Told when a model loads through a fallback path (e.g. the XGBoost C API).
  std::function<void(const std::string&)> model_notice;
  int shards = 2;
  int effect_threads = 4;
  // Domain modules (e.g. finance::FinanceModule), opened in this order after http.
  std::vector<std::shared_ptr<host::Module>> modules;
};

struct DeployedFile {
  std::string file;
  std::string name;
  int version = 0;
  bool created = false;
};

class EngineHost {
 public:
  static Result<std::unique_ptr<EngineHost>> open(const EngineHostOptions& options,
                                                  const rt::Clock& clock);
  ~EngineHost();

  // Deploys every *.yaml, *.yml and *.json file directly in `dir` (sorted by name), as
  // `user`. All or nothing for validation: every file is validated first and the first
  // invalid one is reported with all its problems (file:line:column), deploying none.
  // Validation includes the model check: each score state's features must match its
  // models (engine/scoring/feature_check.h); without a models directory, a workflow with
  // score states does not deploy.
  Result<std::vector<DeployedFile>> deploy_directory(const std::string& dir,
                                                     const std::string& user);

  rt::Store& store() { return engine_->store(); }
  rt::DefinitionRegistry& definitions() { return engine_->definitions(); }
  rt::Executor& executor() { return engine_->executor(); }
  const scoring::ScorerRegistry* scorers() const { return engine_->scorers(); }
  // Forgets cached alias tables and version lists (after an alias change).
  void refresh_models() { engine_->refresh_models(); }
  const rt::Clock& clock() const { return engine_->clock(); }

 private:
  EngineHost() = default;
  std::unique_ptr<host::Engine> engine_;  // closes the modules' stores last
};

}  // namespace ledgerflow::api
