// crash_driver: the process the crash test kills. See crash_load.h (normal mode: load
// until SIGKILL, acknowledgements on stdout) and crash_check.h (--check: recover,
// settle and verify in a fresh process).
//
//   crash_driver --db FILE --models DIR [--seed N] [--burst N]
//   crash_driver --check --db FILE --models DIR [--acks FILE] [--since-us T]
#include <cstdio>

#include <CLI/CLI.hpp>

#include "crash/crash_check.h"
#include "crash/crash_load.h"

int main(int argc, char** argv) {
  using namespace ledgerflow::crash;
  CLI::App app{"Ledgerflow crash-test driver"};
  bool check = false;
  CheckOptions co;
  LoadOptions lo;
  app.add_flag("--check", check, "Recover, settle and verify instead of generating load");
  app.add_option("--db", co.db, "SQLite database file")->required();
  app.add_option("--models", co.models, "Model registry directory")->required();
  app.add_option("--acks", co.acks_file, "--check: the acknowledgement lines to verify");
  app.add_option("--since-us", co.since_us,
                 "--check: deep-check instances updated at or after this time (0 = all)");
  app.add_option("--seed", lo.seed, "Seed of the invoice generator");
  app.add_option("--burst", lo.burst,
                 "Start this many timer-waiting instances, print BURST_DONE and idle");
  CLI11_PARSE(app, argc, argv);
  if (check) return CrashCheck(co).run();
  auto engine = EngineStack::open(co.db, co.models);
  if (!engine) {
    emit_line("ERR open: " + engine.error().message);
    return 1;
  }
  CrashLoad(**engine, lo).run();
}
