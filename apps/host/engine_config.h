// EngineConfig: everything the engine builder (engine_builder.h) needs to know to wire an
// engine — one struct for the daemon, the CLI, the tests and the benches, so the copies
// cannot drift.
// Thread-safety: a plain value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "engine/runtime/clock.h"

namespace ledgerflow::host {

struct EngineConfig {
  // The SQLite file of the engine; modules open their own stores on it too.
  std::string database;
  // FULL: a commit survives a power cut. NORMAL (false): the last commits may be lost
  // (tests and scenarios on temp files). Applies to every store on `database`.
  bool synchronous_full = true;
  bool group_commit = true;  // false: one transaction per write set (benchmarks)
  // A record import holds SQLite's write lock for its whole transaction: the engine's
  // writer waits for it rather than failing.
  std::int64_t busy_timeout_ms = 30000;

  // Model registry directory; empty or not a directory: no registry.
  std::string models;
  // Where "ledgerflow-plugin/1" libraries are installed (may be empty).
  std::string plugins;
  // Told when a model loads through a fallback path (e.g. the XGBoost C API); empty:
  // such notices go to stderr.
  std::function<void(const std::string&)> model_notice;
  // true: without a registry a workflow with score states does not deploy (the daemon).
  // false: it deploys and scoring fails at run time (the CLI). With a registry, every
  // deployment checks score states against it either way.
  bool require_models = false;

  // The engine's "now" (actions, timers, imports); nullptr: the system clock. Must
  // outlive the engine.
  const rt::Clock* clock = nullptr;

  // HMAC key for sensitive feature values: set, used as is (tests, benches); unset, read
  // from `hmac_key_file` (empty: "<database>.hmac-key", created once; storage/key_file.h).
  std::optional<std::string> pseudonym_key;
  std::string hmac_key_file;

  std::size_t shards = 2;          // instance worker threads
  std::size_t effect_threads = 4;  // action workers (these may block on IO)
  // Fire timers on a background thread as they come due (the daemon); without it the
  // owner fires them (Engine::settle, Executor::fire_due_timers).
  bool timer_thread = false;
};

}  // namespace ledgerflow::host
