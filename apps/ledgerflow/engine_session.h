// EngineSession: what the CLI's engine commands share — a store on a database file, the
// definition registry, scorers, action runners and an executor — wired exactly as the
// daemon wires them, so the CLI exercises the same engine API.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/records/record_store.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/state.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"

namespace ledgerflow::cli {

struct SessionOptions {
  std::string db = "ledgerflow.db";
  std::string models = "models";
  std::string users = "config/demo-users.yaml";
  std::string as = "system";
  std::string roles;          // comma-separated; overrides the users file
  std::string hmac_key_file;  // empty: "<db>.hmac-key", created once (storage/key_file.h)
};

// Prints "ledgerflow COMMAND: message" to stderr; the exit code for the error (IO errors
// are usage errors, everything else invalid input).
int report(const Error& e, const char* command);

// Adds --db, --models, --hmac-key-file, --users, --as, --roles to a subcommand.
void add_session_options(CLI::App& cmd, SessionOptions& options, bool with_actor);

class EngineSession {
 public:
  static Result<std::unique_ptr<EngineSession>> open(const SessionOptions& options);
  ~EngineSession();

  rt::Store& store() { return *store_; }
  records::RecordStore& records() { return *records_; }
  records::ArLedger& ar_ledger() { return *records_; }
  rt::DefinitionRegistry& definitions() { return *definitions_; }
  rt::Executor& executor() { return *executor_; }
  const rt::Actor& actor() const { return actor_; }

  // Lets everything in flight finish: effects, and timers already due.
  void settle();
  // Prints history events after `after_seq`, returns the last seq printed.
  std::uint64_t print_history(const std::string& instance_id, std::uint64_t after_seq);
  // Prints status, open tasks and what the instance waits for.
  void print_status(const std::string& instance_id);

 private:
  EngineSession() = default;
  std::unique_ptr<rt::Store> store_;
  std::unique_ptr<storage::SqliteRecordStore> records_;
  std::unique_ptr<rt::DefinitionRegistry> definitions_;
  std::unique_ptr<scoring::ScorerRegistry> scorers_;
  rt::SystemClock clock_;
  std::unique_ptr<rt::Executor> executor_;
  rt::Actor actor_;
};

}  // namespace ledgerflow::cli
