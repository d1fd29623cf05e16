// FinanceModule: the finance package as an engine module (apps/host/module.h). On the
// engine's database, with the engine's durability, it opens the business-record store and
// the AR ledger (one SqliteRecordStore) and registers the AP/treasury actions
// (finance_actions.h) and the AR/O2C actions (ar_actions.h) in the engine's action table.
// The composition roots (daemon, CLI, tests, benches) add it; the builder never names it.
//
// Thread-safety: records()/ar_ledger() are thread-safe once built (see the store); the
// lifecycle calls come from the builder's thread.
#pragma once

#include <memory>
#include <string>

#include "apps/host/engine_builder.h"
#include "apps/host/module.h"
#include "plugins/finance/ar_actions.h"
#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/records/record_store.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"

namespace ledgerflow::finance {

class FinanceModule final : public host::Module {
 public:
  std::string name() const override { return "finance"; }
  Result<void> open(const host::ModuleContext& context) override;
  void close() override;

  // Valid from open() to close().
  storage::SqliteRecordStore& store() { return *store_; }
  records::RecordStore& records() { return *store_; }
  records::ArLedger& ar_ledger() { return *store_; }

 private:
  std::unique_ptr<storage::SqliteRecordStore> store_;
  std::shared_ptr<ArActionRunner> ar_;
};

// Adds a FinanceModule to `builder` and returns it (its stores are open once the engine
// is built).
std::shared_ptr<FinanceModule> install(host::EngineBuilder& builder);

}  // namespace ledgerflow::finance
