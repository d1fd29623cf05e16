// EngineSession: what the CLI's engine commands share — the engine on a database file,
// built by the same builder as the daemon's (apps/host/engine_builder.h) with the same
// modules (http, finance), so the CLI exercises the same engine API. Unlike the daemon,
// no timer thread (settle() fires what is due) and a workflow with score states deploys
// without a models directory (scoring then fails at run time).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "apps/host/engine_builder.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/state.h"
#include "plugins/finance/finance_module.h"
#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/records/record_store.h"

namespace ledgerflow::cli {

struct SessionOptions {
  std::string db = "ledgerflow.db";
  std::string models = "models";
  std::string plugins;  // where "ledgerflow-plugin/1" libraries are installed (may be empty)
  std::string users = "config/demo-users.yaml";
  std::string as = "system";
  std::string roles;          // comma-separated; overrides the users file
  std::string hmac_key_file;  // empty: "<db>.hmac-key", created once (storage/key_file.h)
};

// Prints "ledgerflow COMMAND: message" to stderr; the exit code for the error (IO errors
// are usage errors, everything else invalid input).
int report(const Error& e, const char* command);

// Adds --db, --models, --plugins, --hmac-key-file, --users, --as, --roles to a
// subcommand.
void add_session_options(CLI::App& cmd, SessionOptions& options, bool with_actor);

class EngineSession {
 public:
  static Result<std::unique_ptr<EngineSession>> open(const SessionOptions& options);
  ~EngineSession();

  rt::Store& store() { return engine_->store(); }
  records::RecordStore& records() { return finance_->records(); }
  records::ArLedger& ar_ledger() { return finance_->ar_ledger(); }
  rt::DefinitionRegistry& definitions() { return engine_->definitions(); }
  rt::Executor& executor() { return engine_->executor(); }
  const rt::Actor& actor() const { return actor_; }

  // Lets everything in flight finish: effects, and timers already due.
  void settle() { engine_->settle(); }
  // Prints history events after `after_seq`, returns the last seq printed.
  std::uint64_t print_history(const std::string& instance_id, std::uint64_t after_seq);
  // Prints status, open tasks and what the instance waits for.
  void print_status(const std::string& instance_id);

 private:
  EngineSession() = default;
  std::shared_ptr<finance::FinanceModule> finance_;
  std::unique_ptr<host::Engine> engine_;
  rt::Actor actor_;
};

}  // namespace ledgerflow::cli
