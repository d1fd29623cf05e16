// engine_bench: durable throughput of the whole engine (Executor + SqliteStore with
// synchronous=FULL on a file) on an AP-like workflow of 7 states with no human task:
//
//   score (logistic model) → decide → choice → set (auto-approve) → set → set → succeed
//
// With inline scores the whole chain is two step() calls folded into one write set, so
// the start callback (which runs after COMMIT) marks the instance's finish; the callback
// checks that the instance succeeded. Starts are submitted asynchronously, at most
// --in-flight at a time (a semaphore).
//
// Printed: instances/s, step() calls/s (Executor::stats().transitions), state transitions/s
// (state_entered history events), p50/p99 start-to-finish latency, mean commit batch
// (write sets per transaction), first with group commit, then without it on N/20
// instances, and the ratio. Then a breakdown of where the time goes: step() alone on one
// thread, and the store alone committing the same write sets.
//
// Compared against: the goal of ≥10,000 instances/s and ≥50,000 transitions/s durable on
// 2 cores; Camunda 8 ~51 process instances/s on three 3-vCPU brokers; Conductor ~200
// workflows/s on a laptop.
//
//   engine_bench [--instances N] [--db PATH] [--no-group-commit] [--threads T] [--in-flight K]
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "apps/host/engine_builder.h"
#include "engine/runtime/clock.h"
#include "engine/runtime/definition_registry.h"
#include "engine/runtime/executor.h"
#include "engine/runtime/step.h"
#include "plugins/registry/directory_registry.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

using namespace ledgerflow;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr double kGoalInstancesPerS = 10'000;
constexpr double kGoalTransitionsPerS = 50'000;
constexpr double kCamundaPerS = 51;     // Camunda 8, three 3-vCPU brokers
constexpr double kConductorPerS = 200;  // Conductor on a laptop

const char* kWorkflow = R"(
workflow: ap_bench
title: AP-like auto-approval (benchmark)
start: score_risk
states:
  score_risk:
    type: score
    model: invoice_risk
    features:
      amount: invoice.amount
      vendor_age_days: invoice.vendor_age_days
      round_amount: "invoice.amount % 100 == 0 ? 1 : 0"
    explain: 2
    output: risk
    next: decide_tier
  decide_tier:
    type: decide
    hit: first
    rules:
      - {when: invoice.amount < 1000 && risk.probability < 0.3, result: {tier: auto}}
      - {when: risk.probability < 0.7, result: {tier: auto_review}}
    default: {tier: auto_watch}
    output: tier
    next: route
  route:
    type: choice
    choices:
      - {when: tier.tier == "auto", next: auto_approve}
    default: auto_approve
  auto_approve:
    type: task
    action: set
    with: {approval: {outcome: approved, by: system, tier: "${tier.tier}"}}
    next: mark_checked
  mark_checked:
    type: task
    action: set
    with: {checked: true}
    next: post
  post:
    type: task
    action: set
    with: {posted: true, posted_amount: "${invoice.amount}"}
    next: done
  done:
    type: succeed
    result: {invoice_id: "${invoice.id}", tier: "${tier.tier}", status: posted}
)";

bool write_model(const fs::path& dir) {
  const nlohmann::json model = {
      {"format", "ledgerflow-linear/1"},
      {"kind", "logistic"},
      {"name", "invoice_risk"},
      {"version", "1"},
      {"features",
       {{{"name", "amount"}, {"coef", 0.8}, {"mean", 5000.0}, {"scale", 3000.0}},
        {{"name", "vendor_age_days"}, {"coef", -0.6}, {"mean", 400.0}, {"scale", 300.0}},
        {{"name", "round_amount"}, {"coef", 0.4}}}},
      {"intercept", -1.2},
      {"labels", {{"threshold", 0.5}, {"above", "high"}, {"below", "low"}}}};
  fs::create_directories(dir / "invoice_risk" / "1");
  std::ofstream out(dir / "invoice_risk" / "1" / "model.json", std::ios::trunc);
  out << model.dump(2);
  return static_cast<bool>(out.flush());
}

nlohmann::json invoice(std::mt19937_64& rng, std::size_t i) {
  std::uniform_int_distribution<int> amount(10, 20000);
  std::uniform_int_distribution<int> age(0, 2000);
  return {{"invoice",
           {{"id", "INV-" + std::to_string(i)},
            {"amount", amount(rng)},
            {"vendor_age_days", age(rng)},
            {"submitted_by", "clerk"}}}};
}

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(path + suffix, ec);
  }
}

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

double percentile_ms(std::vector<std::int64_t>& ns, double p) {
  if (ns.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(ns.size() - 1));
  std::nth_element(ns.begin(), ns.begin() + static_cast<std::ptrdiff_t>(k), ns.end());
  return static_cast<double>(ns[k]) / 1e6;
}

std::int64_t count_state_transitions(const std::string& db) {
  sqlite3* h = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, "SELECT count(*) FROM history WHERE type = 'state_entered'", -1, &st,
                           nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return n;
}

struct Config {
  std::size_t instances = 100'000;
  std::string db;
  bool no_group_commit = false;
  std::size_t threads = 2;  // executor shards (instance worker threads)
  std::ptrdiff_t in_flight = 2000;
  fs::path models;
};

struct RunResult {
  std::string label;
  std::size_t instances = 0;
  std::size_t failed = 0;
  double seconds = 0;
  std::uint64_t steps = 0;
  std::int64_t state_transitions = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double mean_batch = 0;
  std::uint64_t commits = 0;

  double per_s(double n) const { return seconds > 0 ? n / seconds : 0; }
};

// The engine as the engine builder (apps/host/engine_builder.h) builds it: no action
// modules, one effect thread (the workflow has no task action).
struct Engine {
  rt::SystemClock clock;
  std::unique_ptr<host::Engine> engine;
  storage::SqliteStore* store = nullptr;  // views into `engine`
  rt::Executor* executor = nullptr;
  int version = 0;
};

std::unique_ptr<Engine> open_engine(const Config& c, const std::string& db, bool group_commit) {
  auto e = std::make_unique<Engine>();
  host::EngineConfig hc;
  hc.database = db;
  hc.synchronous_full = true;
  hc.group_commit = group_commit;
  hc.models = c.models.string();
  hc.clock = &e->clock;
  hc.pseudonym_key = "";  // no sensitive features
  hc.shards = c.threads;
  hc.effect_threads = 1;
  auto built = host::EngineBuilder(std::move(hc)).build();
  if (!built) {
    std::fprintf(stderr, "engine_bench: %s\n", built.error().message.c_str());
    return nullptr;
  }
  e->engine = std::move(*built);
  e->store = &e->engine->store();
  e->executor = &e->engine->executor();
  auto d =
      e->engine->definitions().deploy(kWorkflow, def::Format::yaml, "bench", e->clock.now_us());
  if (!d || !d->problems.empty()) {
    std::fprintf(stderr, "engine_bench: the workflow does not deploy: %s\n",
                 d ? d->problems.front().message.c_str() : d.error().message.c_str());
    return nullptr;
  }
  e->version = d->version;
  return e;
}

std::optional<RunResult> run_engine(const Config& c, const std::string& label,
                                    const std::string& db, std::size_t n, bool group_commit) {
  remove_db(db);
  auto engine = open_engine(c, db, group_commit);
  if (!engine) return std::nullopt;
  std::mt19937_64 rng(42);
  std::vector<nlohmann::json> inputs;
  inputs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) inputs.push_back(invoice(rng, i));
  std::vector<std::int64_t> latency_ns(n, 0);
  std::atomic<std::size_t> failed{0};
  std::counting_semaphore<> slots(c.in_flight);
  const auto before = engine->store->stats();
  const auto started = SteadyClock::now();
  for (std::size_t i = 0; i < n; ++i) {
    slots.acquire();
    rt::StartRequest r;
    r.workflow = "ap_bench";
    r.version = engine->version;
    r.input = std::move(inputs[i]);
    r.actor = rt::Actor{"clerk", {"ap_clerk"}};
    const auto submitted = SteadyClock::now();
    engine->executor->start(std::move(r), [&, i, submitted](Result<rt::InstanceRecord> res) {
      latency_ns[i] = (SteadyClock::now() - submitted).count();
      if (!res || res->status != rt::InstanceStatus::succeeded) failed.fetch_add(1);
      slots.release();
    });
  }
  engine->executor->wait_idle();
  RunResult out;
  out.seconds = seconds_since(started);
  out.label = label;
  out.instances = n;
  out.failed = failed.load();
  out.steps = engine->executor->stats().transitions;
  const auto after = engine->store->stats();
  out.commits = after.commits - before.commits;
  out.mean_batch = out.commits ? static_cast<double>(after.write_sets - before.write_sets) /
                                     static_cast<double>(out.commits)
                               : 0;
  out.p50_ms = percentile_ms(latency_ns, 0.50);
  out.p99_ms = percentile_ms(latency_ns, 0.99);
  engine.reset();  // closes the store (checkpoint) before the history is counted
  out.state_transitions = count_state_transitions(db);
  remove_db(db);
  return out;
}

// --- where the time goes ----------------------------------------------------------------

// step() alone: the same two steps per instance the executor runs (start, then the inline
// score result), plus the scoring itself, on one thread, nothing written.
struct StepOnly {
  double us_per_instance = 0;
  std::vector<rt::WriteSet> write_sets;  // the folded write sets, for the store-only run
};

std::optional<StepOnly> measure_step_only(const Config& c, std::size_t n) {
  auto loaded = def::load_definition(kWorkflow);
  if (!loaded.ok()) return std::nullopt;
  plugins::DirectoryRegistry scorers(c.models.string());
  auto scorer = scorers.resolve("invoice_risk");
  if (!scorer) return std::nullopt;
  const auto& info = (*scorer)->info();
  std::mt19937_64 rng(7);
  StepOnly out;
  out.write_sets.reserve(n);
  rt::SystemClock clock;
  const auto started = SteadyClock::now();
  for (std::size_t i = 0; i < n; ++i) {
    rt::StepContext ctx;
    ctx.now_us = clock.now_us();
    ctx.actor = rt::Actor{"clerk", {"ap_clerk"}};
    ctx.definition_version = 1;
    char id[32];
    std::snprintf(id, sizeof id, "bench-%012zu", i);
    ctx.new_instance_id = id;
    rt::Event start;
    start.type = rt::Event::Type::start;
    start.input = invoice(rng, i);
    auto first = rt::step(*loaded.definition, nullptr, start, ctx);
    if (!first || first->effects.size() != 1) return std::nullopt;
    const rt::OutboxRecord& effect = first->effects.front();
    std::vector<double> x;
    for (const auto& f : info.features) x.push_back(effect.payload["features"].value(f, 0.0));
    auto s = (*scorer)->score(x, 2);
    if (!s) return std::nullopt;
    rt::Event result;
    result.type = rt::Event::Type::effect_result;
    result.effect_id = effect.id;
    // The same document the executor's run_score() produces.
    nlohmann::json contributions = nlohmann::json::array();
    for (const auto& k : s->contributions) {
      contributions.push_back({{"feature", k.feature}, {"value", k.value}});
    }
    result.output = {{"model", info.name},
                     {"version", info.version},
                     {"score", s->score},
                     {"probability", s->probability.value_or(0)},
                     {"label", s->label},
                     {"contributions", std::move(contributions)},
                     {"bias", s->bias},
                     {"features", effect.payload["features"]},
                     {"shadow", nlohmann::json::array()}};
    ctx.actor = rt::Actor{};
    auto second = rt::step(*loaded.definition, &first->instance, result, ctx);
    if (!second || second->instance.status != rt::InstanceStatus::succeeded) return std::nullopt;
    // Fold like the executor does: one write set, the consumed score effect never written.
    rt::Transition t = std::move(*second);
    t.history.insert(t.history.begin(), first->history.begin(), first->history.end());
    t.events.insert(t.events.begin(), first->events.begin(), first->events.end());
    t.effects_done.clear();
    out.write_sets.push_back(rt::to_write_set(std::move(t), 0));
  }
  out.us_per_instance = seconds_since(started) * 1e6 / static_cast<double>(n);
  return out;
}

// The store alone: commits the write sets step() produced, `in_flight` at a time.
std::optional<double> measure_store_only(const Config& c, const std::string& db,
                                         std::vector<rt::WriteSet> sets, bool group_commit) {
  remove_db(db);
  storage::SqliteOptions so;
  so.path = db;
  so.group_commit = group_commit;
  auto store = storage::SqliteStore::open(so);
  if (!store) return std::nullopt;
  std::counting_semaphore<> slots(c.in_flight);
  std::atomic<std::size_t> failed{0};
  const std::size_t n = sets.size();
  const auto started = SteadyClock::now();
  for (auto& ws : sets) {
    slots.acquire();
    (*store)->submit(std::move(ws), [&](Result<void> r) {
      if (!r) failed.fetch_add(1);
      slots.release();
    });
  }
  (*store)->flush();
  const double seconds = seconds_since(started);
  store->reset();
  remove_db(db);
  if (failed.load() != 0) {
    std::fprintf(stderr, "engine_bench: %zu write sets failed in the store-only run\n",
                 failed.load());
  }
  return static_cast<double>(n) / seconds;
}

// --- report ---------------------------------------------------------------------------

void print_row(const RunResult& r) {
  std::printf("%-26s %9zu %12.0f %12.0f %14.0f %8.2f %8.2f %8.1f %8llu %7zu\n", r.label.c_str(),
              r.instances, r.per_s(static_cast<double>(r.instances)),
              r.per_s(static_cast<double>(r.steps)),
              r.per_s(static_cast<double>(r.state_transitions)), r.p50_ms, r.p99_ms, r.mean_batch,
              static_cast<unsigned long long>(r.commits), r.failed);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"engine_bench: durable instances/s of an AP-like workflow (see the source header)"};
  Config c;
  app.add_option("--instances", c.instances, "Instances in the group-commit run")
      ->capture_default_str();
  app.add_option("--db", c.db, "Database file (must not exist; default: a temp file)");
  app.add_flag("--no-group-commit", c.no_group_commit,
               "Only the run without group commit (one transaction per write set)");
  app.add_option("--threads", c.threads, "Executor shards (instance worker threads)")
      ->capture_default_str();
  app.add_option("--in-flight", c.in_flight, "Starts outstanding at once")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (c.instances == 0 || c.threads == 0 || c.in_flight <= 0) {
    std::fprintf(stderr, "engine_bench: --instances, --threads and --in-flight must be > 0\n");
    return 2;
  }
  const fs::path scratch =
      fs::temp_directory_path() / ("lf_engine_bench_" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  c.models = scratch / "models";
  if (!write_model(c.models)) return 1;
  if (c.db.empty()) {
    c.db = (scratch / "bench.db").string();
  } else if (fs::exists(c.db)) {
    std::fprintf(stderr, "engine_bench: %s exists; give the path of a new file\n", c.db.c_str());
    return 2;
  }
  const std::string db_nogroup = c.db + ".nogroup";
  const std::size_t n_nogroup = std::max<std::size_t>(1, c.instances / 20);

  std::printf(
      "engine_bench: AP-like workflow of 7 states (score → decide → choice → set → set → set → "
      "succeed)\nSQLite WAL, synchronous=FULL, file %s; %zu executor shards, %td starts in "
      "flight; %u hardware threads\n\n",
      c.db.c_str(), c.threads, c.in_flight, std::thread::hardware_concurrency());
  std::vector<RunResult> runs;
  if (!c.no_group_commit) {
    auto g = run_engine(c, "group commit", c.db, c.instances, true);
    if (!g) return 1;
    runs.push_back(*g);
  }
  auto ng = run_engine(c, "no group commit", db_nogroup,
                       c.no_group_commit ? c.instances : n_nogroup, false);
  if (!ng) return 1;
  runs.push_back(*ng);

  std::printf("%-26s %9s %12s %12s %14s %8s %8s %8s %8s %7s\n", "run", "instances", "instances/s",
              "steps/s", "state-trans/s", "p50 ms", "p99 ms", "batch", "commits", "failed");
  for (const auto& r : runs) print_row(r);
  const RunResult& best = runs.front();
  const double ips = best.per_s(static_cast<double>(best.instances));
  const double tps = best.per_s(static_cast<double>(best.state_transitions));
  std::printf(
      "\n(steps = step() calls, Executor::stats().transitions: 2 per instance here; "
      "state transitions = states entered, 7 per instance)\n");
  if (runs.size() == 2) {
    std::printf("group commit / no group commit, instances/s: %.1fx\n",
                ips / runs[1].per_s(static_cast<double>(runs[1].instances)));
  }
  std::printf(
      "\nagainst the goal (durable, 2 cores): %.0f instances/s of %.0f (%s), %.0f state "
      "transitions/s of %.0f (%s)\n",
      ips, kGoalInstancesPerS, ips >= kGoalInstancesPerS ? "met" : "NOT met", tps,
      kGoalTransitionsPerS, tps >= kGoalTransitionsPerS ? "met" : "NOT met");
  std::printf(
      "against published figures (different workflows and hardware, so only a rough "
      "scale): Camunda 8 ~%.0f PI/s on three 3-vCPU brokers: %.0fx; Conductor ~%.0f "
      "workflows/s on a laptop: %.0fx\n",
      kCamundaPerS, ips / kCamundaPerS, kConductorPerS, ips / kConductorPerS);

  // Where the time goes.
  const std::size_t n_parts = std::min<std::size_t>(c.instances, 20'000);
  auto steps = measure_step_only(c, n_parts);
  if (!steps) {
    std::fprintf(stderr, "engine_bench: the step-only run failed\n");
    return 1;
  }
  const double step_per_s = 1e6 / steps->us_per_instance;
  const rt::WriteSet& sample = steps->write_sets.front();
  const std::size_t state_bytes = sample.instances.front().state.dump().size();
  const std::size_t history_rows = sample.history.size();
  const std::size_t event_rows = sample.events.size();
  auto store_per_s = measure_store_only(c, c.db + ".storeonly", std::move(steps->write_sets), true);
  std::printf("\nwhere the time goes (%zu instances each):\n", n_parts);
  std::printf(
      "  step() x2 + scoring, one thread, nothing written: %7.1f us/instance = %8.0f "
      "instances/s per core\n",
      steps->us_per_instance, step_per_s);
  if (store_per_s) {
    std::printf(
        "  SqliteStore alone, the same write sets, group commit: %8.0f write sets/s "
        "(%.1f us each on the writer thread)\n",
        *store_per_s, 1e6 / *store_per_s);
  }
  std::printf("  whole engine: %.0f instances/s = %.1f us/instance of wall time\n", ips, 1e6 / ips);
  std::printf(
      "  one instance's write set: 1 instance row (state %zu bytes of JSON), %zu history "
      "rows, %zu change-feed events\n",
      state_bytes, history_rows, event_rows);
  std::error_code ec;
  fs::remove_all(scratch, ec);
  return best.failed == 0 ? 0 : 1;
}
