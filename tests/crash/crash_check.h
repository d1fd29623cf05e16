// CrashCheck: the crash driver's --check mode. In a fresh process, after a SIGKILL:
// open and recover, settle (fire the due timers and wait until nothing runs), then
// verify the database against what the killed drivers acknowledged:
//
//   * every acknowledged instance exists, exactly once;
//   * every acknowledged task completion is in its instance's history (and the task is
//     no longer open);
//   * history seq runs 1..n without gaps and n == InstanceRecord.seq;
//   * every instance is succeeded, failed, or waiting for an open approval task: none
//     is left running, and the outbox and the timer table are empty after settling;
//   * rt::replay(definition, history) reproduces the stored state, status and seq;
//   * PRAGMA integrity_check returns "ok" (the file opened with sqlite3 directly).
//
// The per-instance checks (history, replay) cover every instance updated at or after
// `since_us` plus every acknowledged one, so a check after each kill stays cheap; the
// final check passes since_us = 0 and covers everything.
// Thread-safety: run() once, from one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crash/engine_stack.h"
#include "crash/raw_db.h"

namespace ledgerflow::crash {

struct CheckOptions {
  std::string db;
  std::string models;
  std::string acks_file;      // lines "ACK <id>" / "ACK_TASK <id>"; empty = none
  std::int64_t since_us = 0;  // deep-check instances updated at or after this
  std::int64_t settle_timeout_ms = 30'000;
};

class CrashCheck {
 public:
  explicit CrashCheck(CheckOptions options) : options_(std::move(options)) {}

  // Prints a report to stdout; returns the process exit code (0 = every check passed).
  int run();

 private:
  Result<void> settle(EngineStack& engine);
  Result<void> read_acks();
  Result<std::vector<std::string>> ids_to_check() const;
  void check_instance(EngineStack& engine, const RawDb& raw, const std::string& id);
  void check_history(const rt::InstanceRecord& rec, const std::vector<rt::HistoryRecord>& history,
                     const def::Definition& definition);
  void check_task_ack(EngineStack& engine, const std::string& task_id);
  void check_tables();
  void problem(std::string text);

  CheckOptions options_;
  std::vector<std::string> acked_instances_;
  std::vector<std::string> acked_tasks_;
  std::vector<std::string> problems_;
  std::size_t problem_count_ = 0;
  std::size_t checked_ = 0;
  std::size_t replayed_ = 0;
  std::size_t timers_fired_ = 0;
  std::int64_t settle_ms_ = 0;
};

}  // namespace ledgerflow::crash
