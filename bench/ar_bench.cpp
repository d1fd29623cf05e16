// ar_bench: accounts-receivable cash application and the collections worklist with many
// open invoices stored (issue 7, item 8), on SQLite files with synchronous=FULL, opened as
// the engine builder opens them (SqliteStore, then the finance module's SqliteRecordStore on
// the same file).
//
//   1. Store: N open AR invoices (default 1,000,000) of N/25 customers (ar_bench_feed.h),
//      validated as the importer validates rows (records::validate_row) and written
//      through RecordStore::upsert in batches of 250,000 (the importer's largest payload):
//      the ledger rows (ar_invoice_state) are made by the schema's trigger. Printed:
//      invoices/s. Every store is then closed (checkpointing the WAL) and reopened, so the
//      runs measure a settled database, not the checkpoint of the bulk load.
//   2. Cash application, one thread, R runs (default 3) of P payments (default 5,000):
//      for each payment ar.match_payment, then what workflows/ar_cash_application.yaml
//      does with the result: ar.apply_payment (matched) or ar.leave_unapplied (review or
//      unidentified), through finance::ArActionRunner::run. Each run settles invoices no
//      earlier run settled. Printed per run and as the median of runs: payments/s for the
//      match alone and for match + apply, p50/p99 latency of both, and the outcome per
//      payment kind (exact number, typo, several invoices, no customer id): applied to
//      the right invoices, applied to wrong ones, left for review, unidentified.
//   3. The same at K stored (default 10,000; a new store per run, and min(P, K/10)
//      payments, so a run settles at most ~15% of it). Compared: the p50 latencies at N
//      against K: how much N open invoices cost (an index lookup grows with log N; a scan
//      would grow with N).
//   4. Worklist: a third store of W open invoices (default 100,000); R recomputations of
//      finance::build_worklist (8 collectors, as of 2025-12-31; every collector's list,
//      and one collector's, as GET /v1/collections/worklist?collector= asks) and of
//      finance::build_forecast (13 weeks). Compared with reading the W open invoices alone
//      (ArLedger::open_ar_page in pages of 5,000, as both do). Printed: median seconds per
//      recomputation and invoices/s. The invoices are unscored (p_late 0.5): recording a
//      risk is one transaction per invoice, which the bench does not spend time on; the
//      worklist reads the same rows either way.
//
// Defaults take ~2-2.5 minutes on 2 busy cores (70-100 s of it storing the million invoices).
//
//   ar_bench [--open N] [--payments P] [--worklist W] [--runs R] [--compare-open K]
//            [--seed S] [--dir DIR]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "apps/host/engine_builder.h"
#include "ar_bench_feed.h"
#include "engine/runtime/clock.h"
#include "plugins/finance/ar_actions.h"
#include "plugins/finance/collections.h"
#include "plugins/finance/finance_module.h"
#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

using namespace ledgerflow;
namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;

constexpr std::size_t kBatch = 250'000;  // records per upsert transaction
constexpr int kForecastWeeks = 13;
constexpr std::size_t kLedgerPage = 5000;  // as plugins/finance/collections.cpp pages
const char* const kKinds[] = {"exact", "typo", "several", "no_customer"};

double seconds_since(SteadyClock::time_point t) {
  return std::chrono::duration<double>(SteadyClock::now() - t).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

template <typename T>
bool ok(const Result<T>& r, const char* what) {
  if (!r) std::fprintf(stderr, "ar_bench: %s: %s\n", what, r.error().message.c_str());
  return static_cast<bool>(r);
}

// ---------------------------------------------------------------------------------------
// A store: the engine's and the records' connections on one file, built by the engine
// builder with the finance module (the executor idles: the actions are called directly).

struct Store {
  std::string path;
  std::unique_ptr<host::Engine> engine;
  storage::SqliteRecordStore* records = nullptr;  // the finance module's, in `engine`
};

void remove_db(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(path + suffix, ec);
  }
}

bool open_store(Store& s, const std::string& path) {
  s.path = path;
  host::EngineConfig c;
  c.database = path;
  c.pseudonym_key = "ar-bench";
  c.shards = 1;
  c.effect_threads = 1;
  host::EngineBuilder builder(std::move(c));
  auto finance = finance::install(builder);
  auto engine = builder.build();
  if (!ok(engine, "open store")) return false;
  s.engine = std::move(*engine);
  s.records = &finance->store();
  return true;
}

// Creates a store at `path` and fills it with the feed's customers and open invoices.
// Returns the seconds spent writing the invoices. The store is then closed (the last
// connection checkpoints the WAL into the database) and opened again, so the runs start
// where a long-running engine is, not in the checkpoint of a bulk load.
std::optional<double> fill_store(Store& s, const std::string& path, bench::ArBenchFeed& feed,
                                 bool progress) {
  remove_db(path);
  if (!open_store(s, path)) return std::nullopt;
  const std::int64_t now_us = rt::SystemClock().now_us();
  if (!ok(s.records->upsert(feed.customer_records(), "bench", now_us), "customers")) {
    return std::nullopt;
  }
  const auto t0 = SteadyClock::now();
  for (std::size_t first = 0; first < feed.invoice_count(); first += kBatch) {
    const std::size_t n = std::min(kBatch, feed.invoice_count() - first);
    auto batch = feed.invoice_records(first, n);
    if (!ok(s.records->upsert(batch, "bench", now_us), "ar_invoices")) return std::nullopt;
    if (progress) {
      std::printf("\r   stored %zu of %zu invoices", first + n, feed.invoice_count());
      std::fflush(stdout);
    }
  }
  if (progress) std::printf("\n");
  const double stored_s = seconds_since(t0);
  s.records = nullptr;
  s.engine.reset();
  if (!open_store(s, path)) return std::nullopt;
  return stored_s;
}

double file_mb(const std::string& path) {
  double bytes = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    const auto n = fs::file_size(path + suffix, ec);
    if (!ec) bytes += static_cast<double>(n);
  }
  return bytes / 1e6;
}

void close_store(Store& s, bool remove) {
  s.records = nullptr;
  s.engine.reset();
  if (remove) remove_db(s.path);
}

// ---------------------------------------------------------------------------------------
// Cash application.

struct KindCounts {
  std::size_t payments = 0, applied_right = 0, applied_wrong = 0, review = 0, unidentified = 0,
              errors = 0;
  std::map<std::string, std::size_t> review_flags;  // the match's flags on payments left over
};

struct PaymentFigures {
  std::size_t payments = 0;
  double match_s = 0, total_s = 0;  // summed latencies (one thread: the busy time)
  double match_p50_us = 0, match_p99_us = 0, total_p50_us = 0, total_p99_us = 0;
  std::map<std::string, KindCounts> by_kind;
  double match_per_s() const { return static_cast<double>(payments) / match_s; }
  double total_per_s() const { return static_cast<double>(payments) / total_s; }
};

// ar.match_payment for every payment, then ar.apply_payment or ar.leave_unapplied with
// the arguments workflows/ar_cash_application.yaml renders.
std::optional<PaymentFigures> run_payments(Store& s,
                                           const std::vector<bench::ArBenchPayment>& payments) {
  rt::SystemClock clock;
  finance::ArActionRunner runner(*s.records, *s.records, clock);
  const nlohmann::json policy = {
      {"short_tolerance", 25}, {"short_tolerance_pct", 1}, {"auto_apply_min", 0.9}};
  std::vector<double> match_us, total_us;
  PaymentFigures f;
  std::size_t failures_shown = 0;
  for (const auto& p : payments) {
    const std::string instance = "bench-" + p.payment["payment_id"].get<std::string>();
    rt::ActionRequest match;
    match.action = "ar.match_payment";
    match.args = {{"payment", p.payment}, {"policy", policy}};
    match.instance_id = instance;
    match.state = "match";
    const auto t0 = SteadyClock::now();
    const auto m = runner.run(match);
    const auto t1 = SteadyClock::now();
    KindCounts& k = f.by_kind[p.kind];
    ++k.payments;
    if (!m.ok) {
      ++k.errors;
      if (failures_shown++ < 3) std::fprintf(stderr, "ar_bench: %s\n", m.message.c_str());
      continue;
    }
    const std::string status = m.output.value("status", "");
    rt::ActionRequest next;
    next.instance_id = instance;
    if (status == "matched") {
      next.action = "ar.apply_payment";
      next.state = "apply_match";
      next.args = {{"payment", p.payment},
                   {"customer_id", m.output["customer_id"]},
                   {"allocations", m.output["suggestions"][0]["allocations"]},
                   {"short_amount", m.output["short_amount"]},
                   {"flags", m.output["flags"]}};
    } else {
      next.action = "ar.leave_unapplied";
      next.state = status == "ambiguous" ? "mark_review" : "flag_unidentified";
      next.args = {{"payment", p.payment},
                   {"status", status == "ambiguous" ? "review" : "unapplied"},
                   {"flags", m.output["flags"]}};
      if (status == "ambiguous") next.args["customer_id"] = m.output["customer_id"];
    }
    const auto r = runner.run(next);
    const auto t2 = SteadyClock::now();
    match_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    total_us.push_back(std::chrono::duration<double, std::micro>(t2 - t0).count());
    if (!r.ok) {
      ++k.errors;
      if (failures_shown++ < 3) std::fprintf(stderr, "ar_bench: %s\n", r.message.c_str());
      continue;
    }
    if (status == "matched") {
      std::set<std::string> got, want(p.invoice_ids.begin(), p.invoice_ids.end());
      for (const auto& a : m.output["suggestions"][0]["allocations"]) {
        got.insert(a["invoice_id"].get<std::string>());
      }
      (got == want ? k.applied_right : k.applied_wrong) += 1;
    } else {
      (status == "ambiguous" ? k.review : k.unidentified) += 1;
      for (const auto& flag : m.output["flags"]) ++k.review_flags[flag.get<std::string>()];
    }
  }
  if (match_us.empty()) return std::nullopt;
  f.payments = match_us.size();
  for (double x : match_us) f.match_s += x / 1e6;
  for (double x : total_us) f.total_s += x / 1e6;
  f.match_p50_us = percentile(match_us, 0.5);
  f.match_p99_us = percentile(match_us, 0.99);
  f.total_p50_us = percentile(total_us, 0.5);
  f.total_p99_us = percentile(total_us, 0.99);
  return f;
}

struct PaymentMedians {
  double match_per_s = 0, total_per_s = 0, match_p50 = 0, match_p99 = 0, total_p50 = 0,
         total_p99 = 0;
  std::map<std::string, KindCounts> by_kind;  // summed over runs
};

PaymentMedians medians_of(const std::vector<PaymentFigures>& runs) {
  auto med = [&](auto get) {
    std::vector<double> v;
    for (const auto& f : runs) v.push_back(get(f));
    return median(v);
  };
  PaymentMedians m;
  m.match_per_s = med([](const PaymentFigures& f) { return f.match_per_s(); });
  m.total_per_s = med([](const PaymentFigures& f) { return f.total_per_s(); });
  m.match_p50 = med([](const PaymentFigures& f) { return f.match_p50_us; });
  m.match_p99 = med([](const PaymentFigures& f) { return f.match_p99_us; });
  m.total_p50 = med([](const PaymentFigures& f) { return f.total_p50_us; });
  m.total_p99 = med([](const PaymentFigures& f) { return f.total_p99_us; });
  for (const auto& f : runs) {
    for (const auto& [kind, c] : f.by_kind) {
      KindCounts& sum = m.by_kind[kind];
      sum.payments += c.payments;
      sum.applied_right += c.applied_right;
      sum.applied_wrong += c.applied_wrong;
      sum.review += c.review;
      sum.unidentified += c.unidentified;
      sum.errors += c.errors;
      for (const auto& [flag, n] : c.review_flags) sum.review_flags[flag] += n;
    }
  }
  return m;
}

void print_payment_header() {
  std::printf("   %-4s %9s %12s %12s %12s %12s %12s\n", "run", "payments", "match/s",
              "match+apply/s", "match p50", "match p99", "m+apply p50");
}

void print_payment_run(int run, const PaymentFigures& f) {
  std::printf("   %-4d %9zu %12.0f %12.0f %10.0fus %10.0fus %10.0fus  (p99 %.0f us)\n", run,
              f.payments, f.match_per_s(), f.total_per_s(), f.match_p50_us, f.match_p99_us,
              f.total_p50_us, f.total_p99_us);
}

void print_kinds(const PaymentMedians& m) {
  std::printf("   outcome per payment kind (summed over runs):\n");
  std::printf("     %-12s %8s %14s %14s %8s %13s %7s\n", "kind", "payments", "applied right",
              "applied wrong", "review", "unidentified", "errors");
  for (const char* kind : kKinds) {
    auto it = m.by_kind.find(kind);
    if (it == m.by_kind.end()) continue;
    const KindCounts& c = it->second;
    const double n = static_cast<double>(std::max<std::size_t>(c.payments, 1));
    std::printf("     %-12s %8zu %8zu %4.0f%% %8zu %4.1f%% %8zu %13zu %7zu\n", kind, c.payments,
                c.applied_right, 100 * static_cast<double>(c.applied_right) / n, c.applied_wrong,
                100 * static_cast<double>(c.applied_wrong) / n, c.review, c.unidentified, c.errors);
    std::string flags;
    for (const auto& [flag, count] : c.review_flags) {
      flags += (flags.empty() ? "" : ", ") + flag + " " + std::to_string(count);
    }
    if (!flags.empty()) std::printf("       (flags of those not applied: %s)\n", flags.c_str());
  }
}

// ---------------------------------------------------------------------------------------
// Worklist and forecast.

struct WorklistFigures {
  double read_s = 0, all_s = 0, one_s = 0, forecast_s = 0;
  std::size_t read = 0, items_all = 0, items_one = 0;
  bool truncated = false;
};

std::optional<WorklistFigures> recompute(records::ArLedger& ledger,
                                         const std::vector<std::string>& collectors) {
  WorklistFigures f;
  auto t0 = SteadyClock::now();
  std::string after;
  for (;;) {
    auto page = ledger.open_ar_page(after, kLedgerPage);
    if (!ok(page, "open_ar_page")) return std::nullopt;
    f.read += page->size();
    if (page->size() < kLedgerPage) break;
    after = page->back().invoice_id;
  }
  f.read_s = seconds_since(t0);

  finance::WorklistQuery q;
  q.as_of_day = bench::kAsOfDay;
  q.collectors = collectors;
  t0 = SteadyClock::now();
  auto all = finance::build_worklist(ledger, q);
  f.all_s = seconds_since(t0);
  if (!ok(all, "build_worklist")) return std::nullopt;
  f.items_all = all->items.size();
  f.truncated = all->truncated;

  q.collector = collectors.front();
  t0 = SteadyClock::now();
  auto one = finance::build_worklist(ledger, q);
  f.one_s = seconds_since(t0);
  if (!ok(one, "build_worklist (one collector)")) return std::nullopt;
  f.items_one = one->items.size();

  t0 = SteadyClock::now();
  auto forecast = finance::build_forecast(ledger, bench::kAsOfDay, kForecastWeeks);
  f.forecast_s = seconds_since(t0);
  if (!ok(forecast, "build_forecast")) return std::nullopt;
  f.truncated = f.truncated || forecast->truncated;
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ar_bench: cash application and the worklist with many open AR invoices"};
  std::size_t open = 1'000'000, payments = 5'000, worklist = 100'000, compare_open = 10'000;
  int runs = 3;
  std::uint64_t seed = 1;
  std::string dir;
  app.add_option("--open", open, "Open AR invoices stored for cash application")
      ->capture_default_str();
  app.add_option("--payments", payments, "Payments per run")->capture_default_str();
  app.add_option("--worklist", worklist, "Open AR invoices of the worklist store")
      ->capture_default_str();
  app.add_option("--runs", runs, "Runs (figures are their medians)")->capture_default_str();
  app.add_option("--compare-open", compare_open, "Open invoices of the comparison store")
      ->capture_default_str();
  app.add_option("--seed", seed, "Feed seed")->capture_default_str();
  app.add_option("--dir", dir, "Directory for the database files (default: a temp dir, removed)");
  CLI11_PARSE(app, argc, argv);
  if (open < 100 || payments == 0 || worklist < 100 || runs <= 0 || compare_open < 100) {
    std::fprintf(stderr,
                 "ar_bench: --open, --worklist, --compare-open must be >= 100; --payments, "
                 "--runs > 0\n");
    return 2;
  }
  const bool keep_dir = !dir.empty();
  const fs::path scratch =
      keep_dir ? fs::path(dir)
               : fs::temp_directory_path() / ("lf_ar_bench_" + std::to_string(::getpid()));
  fs::create_directories(scratch);
  const auto t_total = SteadyClock::now();
  std::printf(
      "ar_bench: SQLite WAL, synchronous=FULL, files in %s; one thread; %u hardware threads; "
      "seed %llu\n\n",
      scratch.c_str(), std::thread::hardware_concurrency(), static_cast<unsigned long long>(seed));

  // 1. Store N open invoices.
  bench::ArBenchFeed feed(open, seed);
  std::printf("1. store: %zu open AR invoices of %zu customers, upserts of %zu\n", open,
              feed.customer_count(), kBatch);
  Store big;
  auto fill_s = fill_store(big, (scratch / "ar_bench.db").string(), feed, true);
  if (!fill_s) return 1;
  std::printf(
      "   %.1f s, %.0f invoices/s (validation + upsert + the ledger trigger); database %.0f MB "
      "(closed, so checkpointed, and opened again)\n\n",
      *fill_s, static_cast<double>(open) / *fill_s, file_mb(big.path));

  // 2. Cash application with N stored.
  std::printf(
      "2. cash application, one thread: %d runs of %zu payments with %zu open invoices stored\n"
      "   (ar.match_payment, then ar.apply_payment or ar.leave_unapplied as "
      "ar_cash_application does)\n",
      runs, payments, open);
  print_payment_header();
  std::vector<PaymentFigures> big_runs;
  for (int r = 0; r < runs; ++r) {
    auto f = run_payments(big, feed.payments(r, payments));
    if (!f) return 1;
    print_payment_run(r + 1, *f);
    big_runs.push_back(std::move(*f));
  }
  const PaymentMedians big_m = medians_of(big_runs);
  std::printf(
      "   median of %d runs: %.0f payments/s matched, %.0f payments/s matched and applied; "
      "match p50 %.0f us, p99 %.0f us; match + apply p50 %.0f us, p99 %.0f us\n",
      runs, big_m.match_per_s, big_m.total_per_s, big_m.match_p50, big_m.match_p99, big_m.total_p50,
      big_m.total_p99);
  print_kinds(big_m);
  close_store(big, !keep_dir);

  // 3. The same with K stored.
  const std::size_t small_payments = std::min(payments, compare_open / 10);
  std::printf(
      "\n3. the same with %zu open invoices stored (a new store per run, %zu payments per run)\n",
      compare_open, small_payments);
  print_payment_header();
  std::vector<PaymentFigures> small_runs;
  for (int r = 0; r < runs; ++r) {
    bench::ArBenchFeed small_feed(compare_open, seed);
    Store small;
    if (!fill_store(small, (scratch / "ar_bench_small.db").string(), small_feed, false)) return 1;
    auto f = run_payments(small, small_feed.payments(r, small_payments));
    close_store(small, true);
    if (!f) return 1;
    print_payment_run(r + 1, *f);
    small_runs.push_back(std::move(*f));
  }
  const PaymentMedians small_m = medians_of(small_runs);
  std::printf(
      "   median of %d runs: %.0f payments/s matched, %.0f payments/s matched and applied; "
      "match p50 %.0f us, p99 %.0f us; match + apply p50 %.0f us, p99 %.0f us\n",
      runs, small_m.match_per_s, small_m.total_per_s, small_m.match_p50, small_m.match_p99,
      small_m.total_p50, small_m.total_p99);
  print_kinds(small_m);
  std::printf(
      "   ratio %zu / %zu stored (%.0fx the invoices): match p50 %.2fx, p99 %.2fx; "
      "match + apply p50 %.2fx, p99 %.2fx; payments/s matched and applied %.2fx\n",
      open, compare_open, static_cast<double>(open) / static_cast<double>(compare_open),
      big_m.match_p50 / small_m.match_p50, big_m.match_p99 / small_m.match_p99,
      big_m.total_p50 / small_m.total_p50, big_m.total_p99 / small_m.total_p99,
      big_m.total_per_s / small_m.total_per_s);

  // 4. Worklist and forecast over W open invoices.
  bench::ArBenchFeed wl_feed(worklist, seed + 1);
  std::printf(
      "\n4. worklist and forecast: %zu open AR invoices of %zu customers (a third store), %d "
      "recomputations\n",
      worklist, wl_feed.customer_count(), runs);
  Store wl;
  auto wl_fill = fill_store(wl, (scratch / "ar_bench_worklist.db").string(), wl_feed, false);
  if (!wl_fill) return 1;
  std::printf("   stored in %.1f s\n", *wl_fill);
  std::vector<std::string> collectors;
  for (int c = 1; c <= 8; ++c) collectors.push_back("collector-" + std::to_string(c));
  std::printf("   %-4s %12s %14s %14s %12s %10s %10s\n", "run", "read alone", "worklist (all)",
              "one collector", "forecast", "items", "1 coll.");
  std::vector<WorklistFigures> wl_runs;
  for (int r = 0; r < runs; ++r) {
    auto f = recompute(*wl.records, collectors);
    if (!f) return 1;
    std::printf("   %-4d %11.3fs %13.3fs %13.3fs %11.3fs %10zu %10zu%s\n", r + 1, f->read_s,
                f->all_s, f->one_s, f->forecast_s, f->items_all, f->items_one,
                f->truncated ? "  (truncated)" : "");
    wl_runs.push_back(*f);
  }
  close_store(wl, !keep_dir);
  auto wmed = [&](auto get) {
    std::vector<double> v;
    for (const auto& f : wl_runs) v.push_back(get(f));
    return median(v);
  };
  const double read_s = wmed([](const WorklistFigures& f) { return f.read_s; });
  const double all_s = wmed([](const WorklistFigures& f) { return f.all_s; });
  const double one_s = wmed([](const WorklistFigures& f) { return f.one_s; });
  const double fc_s = wmed([](const WorklistFigures& f) { return f.forecast_s; });
  auto wmin = [&](auto get) {
    double best = get(wl_runs.front());
    for (const auto& f : wl_runs) best = std::min(best, get(f));
    return best;
  };
  const double w = static_cast<double>(worklist);
  std::printf(
      "   median of %d: worklist recomputation %.3f s (%.0f open invoices/s; %zu ranked, "
      "disputed ones left out), one collector's %.3f s; 13-week forecast %.3f s (%.0f "
      "invoices/s)\n",
      runs, all_s, w / all_s, wl_runs.front().items_all, one_s, fc_s, w / fc_s);
  std::printf(
      "   compared with reading the %zu open invoices alone (median %.3f s): the ledger read is "
      "%.0f%% of a worklist recomputation, %.0f%% of a forecast (best of %d: read %.3f s, "
      "worklist %.3f s, forecast %.3f s; on a shared machine the best is the steadier figure)\n",
      worklist, read_s, 100 * read_s / all_s, 100 * read_s / fc_s, runs,
      wmin([](const WorklistFigures& f) { return f.read_s; }),
      wmin([](const WorklistFigures& f) { return f.all_s; }),
      wmin([](const WorklistFigures& f) { return f.forecast_s; }));

  std::printf("\nar_bench: %.0f s in all\n", seconds_since(t_total));
  if (!keep_dir) {
    std::error_code ec;
    fs::remove_all(scratch, ec);
  }
  return 0;
}
