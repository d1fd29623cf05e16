#include "crash/engine_stack.h"

#include "crash/ap_fixture.h"
#include "crash/ledger_post_runner.h"

namespace ledgerflow::crash {

Result<std::unique_ptr<EngineStack>> EngineStack::open(const std::string& db,
                                                       const std::string& models) {
  auto s = std::make_unique<EngineStack>();
  storage::SqliteOptions so;
  so.path = db;
  so.synchronous_full = true;
  auto store = storage::SqliteStore::open(so);
  if (!store) return store.error();
  s->store = std::move(*store);
  s->definitions = std::make_unique<rt::DefinitionRegistry>(*s->store);
  auto scorers = plugins::DirectoryRegistry::open(models);
  if (!scorers) return scorers.error();
  s->scorers = std::move(*scorers);
  auto deployed =
      s->definitions->deploy(ap_workflow_yaml(), def::Format::yaml, "ops", s->clock.now_us());
  if (!deployed) return deployed.error();
  if (!deployed->problems.empty()) {
    return Error::invalid("the crash workflow does not validate: " +
                          deployed->problems.front().message);
  }
  s->version = deployed->version;
  rt::ExecutorOptions eo;
  eo.shards = 2;
  eo.effect_threads = 4;
  s->executor = std::make_unique<rt::Executor>(
      *s->store, *s->definitions, s->clock, s->scorers.get(),
      std::vector<std::shared_ptr<rt::ActionRunner>>{std::make_shared<LedgerPostRunner>()}, eo);
  if (auto r = s->executor->recover(); !r) return r.error();
  return s;
}

}  // namespace ledgerflow::crash
