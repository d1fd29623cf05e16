// CrashLoad: the crash driver's normal mode. Starts instances of the crash workflow from
// several threads (blocking start_sync and asynchronous start with callbacks), completes
// open approval tasks, lets the executor's timer thread fire the hold timers, and runs
// until the process is killed.
//
// Protocol on stdout (a pipe read by the test), one line per write(2), each written only
// after the executor acknowledged the transition (its callback runs after COMMIT):
//   READY                 the engine is open and recovered
//   ACK <instance_id>     a start was acknowledged
//   ACK_TASK <task_id>    a task completion was acknowledged
//   ERR <message>         an operation failed that should not have (the test fails on it)
//   BURST_DONE            (--burst only) every burst start was acknowledged
// Thread-safety: run() once; it starts and owns its threads.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "crash/engine_stack.h"

namespace ledgerflow::crash {

struct LoadOptions {
  std::uint64_t seed = 1;
  int sync_threads = 2;      // threads calling start_sync in a loop
  int async_in_flight = 48;  // asynchronous starts outstanding at once
  int approve_pct = 25;      // instances that wait for an approval
  int hold_pct = 15;         // instances that wait for a PT0.2S timer
  int reject_pct = 20;       // completed tasks that are rejected
  // > 0: instead of the mixed load, start this many instances that all wait on a timer,
  // print BURST_DONE, and idle (no timer thread) until killed: the database then holds
  // `burst` armed timers for recovery to load.
  std::size_t burst = 0;
};

class CrashLoad {
 public:
  CrashLoad(EngineStack& engine, LoadOptions options) : engine_(engine), options_(options) {}

  // Never returns (the process is killed).
  [[noreturn]] void run();

 private:
  rt::StartRequest request(std::mt19937_64& rng) const;
  void sync_starter(std::uint64_t seed);
  void async_starter(std::uint64_t seed);
  void approver(std::uint64_t seed);
  [[noreturn]] void timer_burst();

  EngineStack& engine_;
  LoadOptions options_;
};

// Writes one protocol line to stdout with a single write(2) (whole lines, even if killed).
void emit_line(const std::string& line);

}  // namespace ledgerflow::crash
