#include "apps/host/engine_builder.h"

#include <algorithm>
#include <filesystem>

#include "engine/scoring/feature_check.h"
#include "storage/key_file.h"

namespace ledgerflow::host {

Engine::Engine(EngineConfig config) : config_(std::move(config)) {
  if (config_.clock != nullptr) clock_ = config_.clock;
}

Engine::~Engine() {
  executor_.reset();  // finishes commands and actions in flight, then flushes
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) (*it)->close();
  modules_.clear();
  definitions_.reset();
  wrapped_scorers_.reset();
  models_.reset();
  store_.reset();  // commits everything still queued
}

void Engine::refresh_models() {
  if (models_) models_->refresh();
}

void Engine::settle() {
  for (int round = 0; round < 1000; ++round) {
    executor_->wait_idle();
    if (executor_->fire_due_timers() == 0) break;
  }
  executor_->wait_idle();
  store_->flush();
}

EngineBuilder& EngineBuilder::add(std::shared_ptr<Module> module) {
  modules_.push_back(std::move(module));
  return *this;
}

EngineBuilder& EngineBuilder::add_action(std::string name, rt::ActionHandler handler) {
  actions_.emplace_back(std::move(name), std::move(handler));
  return *this;
}

EngineBuilder& EngineBuilder::wrap_scorers(ScorerWrapper wrapper) {
  wrap_scorers_ = std::move(wrapper);
  return *this;
}

EngineBuilder& EngineBuilder::wrap_actions(ActionWrapper wrapper) {
  wrap_actions_ = std::move(wrapper);
  return *this;
}

Result<std::unique_ptr<Engine>> EngineBuilder::build() {
  const EngineConfig& c = config_;
  std::unique_ptr<Engine> e(new Engine(c));

  storage::SqliteOptions so;
  so.path = c.database;
  so.synchronous_full = c.synchronous_full;
  so.group_commit = c.group_commit;
  so.busy_timeout_ms = c.busy_timeout_ms;
  auto store = storage::SqliteStore::open(so);
  if (!store) return store.error();
  e->store_ = std::move(*store);

  rt::ActionTable actions;
  const ModuleContext context{e->config_, *e->clock_, actions};
  for (const auto& module : modules_) {
    if (auto opened = module->open(context); !opened) {
      return Error{opened.error().code, module->name() + ": " + opened.error().message};
    }
    e->modules_.push_back(module);
  }
  for (auto& [name, handler] : actions_) {
    if (auto added = actions.add(name, handler); !added) return added.error();
  }
  if (wrap_actions_) actions.wrap(wrap_actions_);

  std::error_code ec;
  if (!c.models.empty() && std::filesystem::is_directory(c.models, ec)) {
    auto registry = plugins::DirectoryRegistry::open(c.models, c.model_notice, c.plugins);
    if (!registry) return registry.error();
    e->models_ = std::move(*registry);
    e->scorers_ = e->models_.get();
    if (wrap_scorers_) {
      e->wrapped_scorers_ = wrap_scorers_(*e->models_);
      e->scorers_ = e->wrapped_scorers_.get();
    }
  }

  // Every deployment checks score states against the registry; refresh first so a model
  // published since is seen.
  rt::DefinitionRegistry::DeployCheck check;
  if (e->models_ || c.require_models) {
    const std::string no_registry = c.models.empty()
                                        ? "no models directory is configured (models)"
                                        : "the models directory '" + c.models + "' does not exist";
    Engine* engine = e.get();
    check = [engine, no_registry](const def::Definition& d) {
      engine->refresh_models();
      return scoring::check_score_features(d, engine->models_.get(), no_registry);
    };
  }
  e->definitions_ = std::make_unique<rt::DefinitionRegistry>(*e->store_, std::move(check));

  rt::ExecutorOptions eo;
  eo.shards = std::max<std::size_t>(1, c.shards);
  eo.effect_threads = std::max<std::size_t>(1, c.effect_threads);
  if (c.pseudonym_key) {
    eo.pseudonym_key = *c.pseudonym_key;
  } else {
    auto key = storage::hmac_key_for(c.hmac_key_file, c.database);
    if (!key) return key.error();
    eo.pseudonym_key = std::move(*key);
  }
  e->executor_ = std::make_unique<rt::Executor>(*e->store_, *e->definitions_, *e->clock_,
                                                e->scorers_, std::move(actions), eo);
  for (const auto& module : e->modules_) module->started(*e->executor_);
  if (auto r = e->executor_->recover(); !r) return r.error();
  if (c.timer_thread) e->executor_->run_timer_thread();
  return e;
}

}  // namespace ledgerflow::host
