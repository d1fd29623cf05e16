// Crash test: SIGKILL the engine under load, again and again, on the same database, and
// check after every kill (in a fresh process) that nothing acknowledged was lost and
// nothing half-done was left behind. The driver and the checks: crash_driver.cpp,
// crash_load.h, crash_check.h.
//
// [crash]                 20 kill cycles, part of ctest (CI)
// [.crash][.slow]         200 kill cycles: crash_tests "[.slow]"
// [crash]                 more than 1000 armed timers at a crash (recovery pages)
// "[crash]" also selects the hidden 200-cycle case (Catch2 reads [.crash] as [.][crash]);
// ctest runs only the visible ones.
// Reproduce a run with LF_CRASH_SEED=<seed>; keep its files with LF_CRASH_KEEP=1.
#include <signal.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "crash/ap_fixture.h"
#include "crash/child_process.h"

using ledgerflow::crash::ChildProcess;
namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kMinKillMs = 30;
constexpr int kMaxKillMs = 900;
// One kill in kDuringStartup is timed from the spawn, so it may land during open and
// recovery; the others are timed from READY, so they land under load even when a grown
// database makes opening slow.
constexpr int kDuringStartup = 4;
constexpr auto kStartupTimeout = std::chrono::seconds(120);
constexpr auto kPoll = std::chrono::milliseconds(20);
constexpr auto kCheckTimeout = std::chrono::seconds(120);

std::uint64_t crash_seed() {
  if (const char* s = std::getenv("LF_CRASH_SEED")) return std::strtoull(s, nullptr, 10);
  return std::random_device{}();
}

std::int64_t wall_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A scratch directory, removed at the end unless LF_CRASH_KEEP is set.
class ScratchDir {
 public:
  ScratchDir() {
    std::string tmpl = (fs::temp_directory_path() / "lf_crash_XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    if (!std::getenv("LF_CRASH_KEEP")) fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

struct CheckOutcome {
  int exit_code = -1;
  std::string report;
};

struct Totals {
  std::size_t instance_acks = 0;
  std::size_t task_acks = 0;
  std::size_t killed_before_ready = 0;
  // What the kills left for recovery, summed over the cycles (from the check reports).
  std::size_t running = 0;
  std::size_t outbox = 0;
  std::size_t timers = 0;
};

// Adds the "at open running=R outbox=O timers=T" numbers of a check report.
void add_recovery_counts(const std::string& report, Totals& t) {
  auto number = [&](const char* key) -> std::size_t {
    auto at = report.find(key);
    return at == std::string::npos
               ? 0
               : std::strtoull(report.c_str() + at + std::strlen(key), nullptr, 10);
  };
  t.running += number(" running=");
  t.outbox += number(" outbox=");
  t.timers += number(" timers=");
}

class CrashRun {
 public:
  explicit CrashRun(std::uint64_t seed) : seed_(seed), rng_(seed) {
    REQUIRE(ledgerflow::crash::write_risk_model(dir_ / "models"));
  }

  std::string where() const { return dir_.str(); }
  const Totals& totals() const { return totals_; }

  // One cycle: start the driver, kill it after a random delay, collect what it
  // acknowledged, then check the database in a fresh process.
  void cycle(int index) {
    const std::int64_t since_us = wall_us();
    std::uniform_int_distribution<int> delay_ms(kMinKillMs, kMaxKillMs);
    const int delay = delay_ms(rng_);
    const bool from_spawn = std::uniform_int_distribution<int>(1, kDuringStartup)(rng_) == 1;
    INFO("cycle " << index << ": kill " << delay << " ms after "
                  << (from_spawn ? "the spawn" : "READY"));
    auto child =
        ChildProcess::spawn(LF_CRASH_DRIVER,
                            {"--db", dir_ / "ledger.db", "--models", dir_ / "models", "--seed",
                             std::to_string(seed_ + static_cast<std::uint64_t>(index))},
                            dir_ / "driver.log");
    REQUIRE(child.ok());
    std::vector<std::string> lines;
    bool running = true;
    if (!from_spawn) {
      const auto deadline = Clock::now() + kStartupTimeout;
      auto ready = [&] { return std::find(lines.begin(), lines.end(), "READY") != lines.end(); };
      while (running && !ready() && Clock::now() < deadline) {
        running = (*child)->read_lines(std::min(deadline, Clock::now() + kPoll), lines);
      }
    }
    if (running) {
      running = (*child)->read_lines(Clock::now() + std::chrono::milliseconds(delay), lines);
    }
    (*child)->kill_hard();
    while ((*child)->read_lines(Clock::now() + std::chrono::seconds(10), lines)) {
    }
    const int status = (*child)->wait();
    std::vector<std::string> acks;
    std::vector<std::string> errors;
    bool ready = false;
    for (auto& l : lines) {
      if (l == "READY") {
        ready = true;
      } else if (l.rfind("ACK_TASK ", 0) == 0) {
        ++totals_.task_acks;
        acks.push_back(l);
      } else if (l.rfind("ACK ", 0) == 0) {
        ++totals_.instance_acks;
        acks.push_back(l);
      } else if (l.rfind("ERR", 0) == 0) {
        errors.push_back(l);
      }
    }
    if (!ready) ++totals_.killed_before_ready;
    INFO("driver output: " << lines.size()
                           << " lines, first error: " << (errors.empty() ? "-" : errors.front()));
    CHECK(running);  // the driver must not exit by itself
    CHECK(status == 128 + SIGKILL);
    CHECK(errors.empty());
    all_acks_.insert(all_acks_.end(), acks.begin(), acks.end());
    auto outcome = check(acks, since_us);
    INFO(outcome.report);
    REQUIRE(outcome.exit_code == 0);
    add_recovery_counts(outcome.report, totals_);
  }

  // Starts `n` instances that all wait on a timer, kills the driver once every start is
  // acknowledged (so the database holds n armed timers) and checks that recovery fires
  // them all.
  void timer_burst(std::size_t n) {
    auto child = ChildProcess::spawn(
        LF_CRASH_DRIVER,
        {"--db", dir_ / "ledger.db", "--models", dir_ / "models", "--burst", std::to_string(n)},
        dir_ / "driver.log");
    REQUIRE(child.ok());
    std::vector<std::string> lines;
    const auto deadline = Clock::now() + std::chrono::seconds(120);
    auto done = [&] { return !lines.empty() && lines.back() == "BURST_DONE"; };
    while (!done() && Clock::now() < deadline &&
           (*child)->read_lines(std::min(deadline, Clock::now() + kPoll), lines)) {
    }
    (*child)->kill_hard();
    (*child)->wait();
    std::vector<std::string> acks;
    for (const auto& l : lines) {
      if (l.rfind("ACK ", 0) == 0) acks.push_back(l);
    }
    REQUIRE(done());
    REQUIRE(acks.size() == n);
    auto outcome = check(acks, 0);
    INFO(outcome.report);
    CHECK(outcome.exit_code == 0);
  }

  // The final check: every acknowledgement of every cycle, every instance.
  void final_check() {
    auto outcome = check(all_acks_, 0);
    INFO(outcome.report);
    REQUIRE(outcome.exit_code == 0);
    last_report_ = outcome.report;
  }

  const std::string& last_report() const { return last_report_; }

 private:
  CheckOutcome check(const std::vector<std::string>& acks, std::int64_t since_us) {
    const std::string acks_file = dir_ / "acks.txt";
    {
      std::ofstream out(acks_file, std::ios::trunc);
      for (const auto& a : acks) out << a << "\n";
      REQUIRE(out.flush());
    }
    auto child =
        ChildProcess::spawn(LF_CRASH_DRIVER,
                            {"--check", "--db", dir_ / "ledger.db", "--models", dir_ / "models",
                             "--acks", acks_file, "--since-us", std::to_string(since_us)},
                            dir_ / "check.log");
    REQUIRE(child.ok());
    std::vector<std::string> lines;
    const auto deadline = Clock::now() + kCheckTimeout;
    while ((*child)->read_lines(deadline, lines) && Clock::now() < deadline) {
    }
    CheckOutcome out;
    for (const auto& l : lines) out.report += l + "\n";
    if (Clock::now() >= deadline) {
      out.report += "(the check did not finish in time; killed)\n";
      (*child)->kill_hard();
    }
    out.exit_code = (*child)->wait();
    return out;
  }

  ScratchDir dir_;
  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::vector<std::string> all_acks_;
  Totals totals_;
  std::string last_report_;
};

void run_cycles(int cycles) {
  const std::uint64_t seed = crash_seed();
  INFO("seed " << seed << " (rerun with LF_CRASH_SEED=" << seed << ")");
  const auto started = Clock::now();
  CrashRun run(seed);
  INFO("files in " << run.where() << " (kept with LF_CRASH_KEEP=1)");
  for (int i = 0; i < cycles; ++i) run.cycle(i);
  run.final_check();
  const auto& t = run.totals();
  CHECK(t.instance_acks > 0);
  CHECK(t.task_acks > 0);
  // Not vacuous: the kills did leave effects and timers in flight for recovery to finish.
  CHECK(t.outbox > 0);
  CHECK(t.timers > 0);
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::printf(
      "crash test: seed %llu, %d kill cycles (%zu before READY) in %.1f s; %zu acknowledged "
      "starts, %zu acknowledged task completions; the kills left %zu running instances, %zu "
      "outbox entries and %zu timers to recovery\n%s",
      static_cast<unsigned long long>(seed), cycles, t.killed_before_ready, seconds,
      t.instance_acks, t.task_acks, t.running, t.outbox, t.timers, run.last_report().c_str());
}

}  // namespace

TEST_CASE("SIGKILL under load loses nothing acknowledged (20 cycles)", "[crash]") {
  run_cycles(20);
}

TEST_CASE("SIGKILL under load loses nothing acknowledged (200 cycles)", "[.crash][.slow]") {
  run_cycles(200);
}

// Regression: recover() once loaded at most 1000 timers and outbox entries (the store
// caps list reads at 1000 rows); it now pages through them with keyset cursors.
TEST_CASE("recovery arms every stored timer beyond the first 1000", "[crash]") {
  CrashRun run(crash_seed());
  run.timer_burst(1500);
}
