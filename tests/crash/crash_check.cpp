#include "crash/crash_check.h"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <set>
#include <thread>

#include "crash/raw_db.h"

namespace ledgerflow::crash {
namespace {

constexpr std::size_t kMaxProblemsShown = 25;
constexpr std::size_t kHistoryPage = 1000;  // the store's list cap

// Every history event of an instance (the store returns at most kHistoryPage per call).
Result<std::vector<rt::HistoryRecord>> full_history(rt::Store& store, const std::string& id) {
  std::vector<rt::HistoryRecord> history;
  for (;;) {
    auto page = store.history(id, history.empty() ? 0 : history.back().seq, kHistoryPage);
    if (!page) return page.error();
    const std::size_t n = page->size();
    for (auto& h : *page) history.push_back(std::move(h));
    if (n < kHistoryPage) return history;
  }
}

std::int64_t elapsed_ms(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               since)
      .count();
}

}  // namespace

void CrashCheck::problem(std::string text) {
  ++problem_count_;
  if (problems_.size() < kMaxProblemsShown) problems_.push_back(std::move(text));
}

Result<void> CrashCheck::read_acks() {
  if (options_.acks_file.empty()) return {};
  std::ifstream in(options_.acks_file);
  if (!in) return Error::io("cannot read " + options_.acks_file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("ACK_TASK ", 0) == 0) {
      acked_tasks_.push_back(line.substr(9));
    } else if (line.rfind("ACK ", 0) == 0) {
      acked_instances_.push_back(line.substr(4));
    }
  }
  return {};
}

Result<void> CrashCheck::settle(EngineStack& engine) {
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    engine.executor->wait_idle();
    const std::size_t fired = engine.executor->fire_due_timers();
    timers_fired_ += fired;
    if (fired > 0) continue;
    auto next = engine.executor->next_timer_due();
    if (!next) break;
    if (elapsed_ms(start) > options_.settle_timeout_ms) {
      return Error{ErrorCode::unavailable, "timers still armed after settling for " +
                                               std::to_string(options_.settle_timeout_ms) + " ms"};
    }
    const std::int64_t wait_us =
        std::clamp<std::int64_t>(*next - engine.clock.now_us(), 1000, 50'000);
    std::this_thread::sleep_for(std::chrono::microseconds(wait_us));
  }
  engine.executor->wait_idle();
  engine.store->flush();
  settle_ms_ = elapsed_ms(start);
  return {};
}

Result<std::vector<std::string>> CrashCheck::ids_to_check() const {
  RawDb raw(options_.db);
  auto rows = raw.rows("SELECT id FROM instances WHERE updated_at_us >= ?1", options_.since_us);
  if (!rows) return rows.error();
  std::set<std::string> ids(acked_instances_.begin(), acked_instances_.end());
  for (auto& r : *rows) ids.insert(std::move(r.front()));
  return std::vector<std::string>(ids.begin(), ids.end());
}

void CrashCheck::check_history(const rt::InstanceRecord& rec,
                               const std::vector<rt::HistoryRecord>& history,
                               const def::Definition& definition) {
  for (std::size_t i = 0; i < history.size(); ++i) {
    if (history[i].seq != i + 1) {
      return problem(rec.id + ": history seq " + std::to_string(history[i].seq) + " at position " +
                     std::to_string(i + 1) + " (a gap or a duplicate)");
    }
  }
  if (history.size() != rec.seq) {
    return problem(rec.id + ": " + std::to_string(history.size()) +
                   " history events but InstanceRecord.seq is " + std::to_string(rec.seq));
  }
  auto replayed = rt::replay(definition, history);
  ++replayed_;
  if (!replayed) return problem(rec.id + ": replay failed: " + replayed.error().message);
  if (replayed->status != rec.status) {
    problem(rec.id + ": replay gives status " + std::string(rt::to_string(replayed->status)) +
            ", stored " + std::string(rt::to_string(rec.status)));
  }
  if (replayed->seq != rec.seq) {
    problem(rec.id + ": replay gives seq " + std::to_string(replayed->seq) + ", stored " +
            std::to_string(rec.seq));
  }
  if (replayed->state != rec.state) {
    std::string patch = nlohmann::json::diff(rec.state, replayed->state).dump();
    if (patch.size() > 400) patch = patch.substr(0, 400) + "...";
    problem(rec.id + ": replay gives a different state (stored -> replayed: " + patch + ")");
  }
}

void CrashCheck::check_instance(EngineStack& engine, const RawDb& raw, const std::string& id) {
  ++checked_;
  auto copies = raw.count("SELECT count(*) FROM instances WHERE id = ?1", &id);
  if (!copies) return problem(id + ": " + copies.error().message);
  if (*copies != 1) {
    return problem(id + ": stored " + std::to_string(*copies) + " times (expected exactly once)");
  }
  auto rec = engine.store->instance(id);
  if (!rec) return problem(id + ": " + rec.error().message);
  const auto s = rec->status;
  if (s != rt::InstanceStatus::succeeded && s != rt::InstanceStatus::failed &&
      s != rt::InstanceStatus::waiting) {
    problem(id + ": status " + std::string(rt::to_string(s)) + " after recovery and settling");
  }
  auto history = full_history(*engine.store, id);
  if (!history) return problem(id + ": history: " + history.error().message);
  auto definition = engine.definitions->get(rec->workflow, rec->version);
  if (!definition) return problem(id + ": definition: " + definition.error().message);
  check_history(*rec, *history, **definition);
}

void CrashCheck::check_task_ack(EngineStack& engine, const std::string& task_id) {
  auto task = engine.store->task(task_id);
  if (!task) return problem("acknowledged task " + task_id + ": " + task.error().message);
  if (task->status == rt::TaskStatus::open) {
    problem("acknowledged task " + task_id + " is still open");
  }
  auto history = full_history(*engine.store, task->instance_id);
  if (!history) return problem("task " + task_id + ": history: " + history.error().message);
  for (const auto& h : *history) {
    if (h.type == "task_acted" && h.data.value("task_id", std::string()) == task_id) return;
  }
  problem("acknowledged completion of task " + task_id + " is not in the history of " +
          task->instance_id);
}

void CrashCheck::check_tables() {
  RawDb raw(options_.db);
  auto integrity = raw.rows("PRAGMA integrity_check");
  if (!integrity) {
    problem("integrity_check: " + integrity.error().message);
  } else if (integrity->size() != 1 || integrity->front().front() != "ok") {
    problem("integrity_check: " + (integrity->empty() ? "" : integrity->front().front()));
  }
  struct Expect {
    const char* what;
    const char* sql;
  };
  const Expect zero[] = {
      {"instances neither finished nor waiting",
       "SELECT count(*) FROM instances WHERE status NOT IN ('succeeded', 'failed', 'waiting')"},
      {"waiting instances without an open task",
       "SELECT count(*) FROM instances i WHERE status = 'waiting' AND NOT EXISTS "
       "(SELECT 1 FROM tasks t WHERE t.instance_id = i.id AND t.status = 'open')"},
      {"open tasks of instances that are not waiting",
       "SELECT count(*) FROM tasks t JOIN instances i ON i.id = t.instance_id "
       "WHERE t.status = 'open' AND i.status != 'waiting'"},
      {"outbox entries left after settling", "SELECT count(*) FROM outbox"},
      {"timers left after settling", "SELECT count(*) FROM timers"},
  };
  for (const auto& e : zero) {
    auto n = raw.count(e.sql);
    if (!n) {
      problem(std::string(e.what) + ": " + n.error().message);
    } else if (*n != 0) {
      problem(std::to_string(*n) + " " + e.what);
    }
  }
  if (options_.since_us == 0) {  // full check: gaps across the whole history table
    auto gaps = raw.count(
        "SELECT count(*) FROM (SELECT i.id FROM instances i LEFT JOIN history h "
        "ON h.instance_id = i.id GROUP BY i.id HAVING count(h.seq) != max(i.seq) "
        "OR min(h.seq) != 1 OR max(h.seq) != max(i.seq))");
    if (!gaps) {
      problem("history gaps: " + gaps.error().message);
    } else if (*gaps != 0) {
      problem(std::to_string(*gaps) + " instances whose history is not 1..seq");
    }
  }
}

int CrashCheck::run() {
  if (auto r = read_acks(); !r) {
    std::printf("crash check: %s\n", r.error().message.c_str());
    return 2;
  }
  std::string statuses;
  std::size_t task_acks = 0;
  std::string at_open;  // what the kill left in flight, before recovery touches it
  {
    RawDb raw(options_.db);
    auto n = [&](const char* sql) {
      auto r = raw.count(sql);
      return r ? std::to_string(*r) : std::string("-");
    };
    at_open = "running=" + n("SELECT count(*) FROM instances WHERE status = 'running'") +
              " outbox=" + n("SELECT count(*) FROM outbox") +
              " timers=" + n("SELECT count(*) FROM timers");
  }
  {
    auto engine = EngineStack::open(options_.db, options_.models);
    if (!engine) {
      std::printf("crash check: cannot open and recover %s: %s\n", options_.db.c_str(),
                  engine.error().message.c_str());
      return 1;
    }
    if (auto r = settle(**engine); !r) problem("settle: " + r.error().message);
    auto ids = ids_to_check();
    if (!ids) {
      problem("listing instances: " + ids.error().message);
    } else {
      RawDb raw(options_.db);
      for (const auto& id : *ids) check_instance(**engine, raw, id);
    }
    std::set<std::string> tasks(acked_tasks_.begin(), acked_tasks_.end());
    task_acks = tasks.size();
    for (const auto& t : tasks) check_task_ack(**engine, t);
  }  // closed: the executor is idle and the store flushed and closed
  check_tables();
  RawDb raw(options_.db);
  if (auto rows = raw.rows("SELECT status, count(*) FROM instances GROUP BY status ORDER BY 1")) {
    for (const auto& r : *rows) statuses += " " + r[0] + "=" + r[1];
  }
  std::printf(
      "crash check: at open %s; after settling: instances%s; deep-checked %zu (replayed %zu), "
      "acknowledged starts %zu, "
      "acknowledged task completions %zu; settle fired %zu timers in %lld ms; %zu problems\n",
      at_open.c_str(), statuses.c_str(), checked_, replayed_, acked_instances_.size(), task_acks,
      timers_fired_, static_cast<long long>(settle_ms_), problem_count_);
  for (const auto& p : problems_) std::printf("  - %s\n", p.c_str());
  if (problem_count_ > problems_.size()) {
    std::printf("  ... and %zu more\n", problem_count_ - problems_.size());
  }
  std::fflush(stdout);
  return problem_count_ == 0 ? 0 : 1;
}

}  // namespace ledgerflow::crash
