#include "crash/engine_stack.h"

#include "crash/ap_fixture.h"
#include "crash/ledger_post_runner.h"

namespace ledgerflow::crash {

Result<std::unique_ptr<EngineStack>> EngineStack::open(const std::string& db,
                                                       const std::string& models) {
  auto s = std::make_unique<EngineStack>();
  host::EngineConfig c;
  c.database = db;
  c.synchronous_full = true;
  c.models = models;
  c.clock = &s->clock;
  c.pseudonym_key = "";  // the crash workflow scores no sensitive data
  c.shards = 2;
  c.effect_threads = 4;
  host::EngineBuilder builder(std::move(c));
  builder.add_action("ledger.post", [runner = std::make_shared<LedgerPostRunner>()](
                                        const rt::ActionRequest& r) { return runner->run(r); });
  auto engine = builder.build();
  if (!engine) return engine.error();
  s->engine = std::move(*engine);
  s->store = &s->engine->store();
  s->definitions = &s->engine->definitions();
  s->executor = &s->engine->executor();
  auto deployed =
      s->definitions->deploy(ap_workflow_yaml(), def::Format::yaml, "ops", s->clock.now_us());
  if (!deployed) return deployed.error();
  if (!deployed->problems.empty()) {
    return Error::invalid("the crash workflow does not validate: " +
                          deployed->problems.front().message);
  }
  s->version = deployed->version;
  return s;
}

}  // namespace ledgerflow::crash
