#include "plugins/finance/finance_module.h"

#include "plugins/finance/finance_actions.h"

namespace ledgerflow::finance {

Result<void> FinanceModule::open(const host::ModuleContext& context) {
  storage::RecordStoreOptions ro;
  ro.path = context.config.database;
  ro.synchronous_full = context.config.synchronous_full;
  ro.busy_timeout_ms = context.config.busy_timeout_ms;
  auto store = storage::SqliteRecordStore::open(ro);
  if (!store) return store.error();
  store_ = std::move(*store);
  auto added = FinanceActionRunner::install(
      std::make_shared<FinanceActionRunner>(*store_, context.clock), context.actions);
  if (!added) return added;
  ar_ = std::make_shared<ArActionRunner>(*store_, context.clock);
  return ArActionRunner::install(ar_, context.actions);
}

void FinanceModule::close() {
  ar_.reset();
  store_.reset();
}

std::shared_ptr<FinanceModule> install(host::EngineBuilder& builder) {
  auto module = std::make_shared<FinanceModule>();
  builder.add(module);
  return module;
}

}  // namespace ledgerflow::finance
