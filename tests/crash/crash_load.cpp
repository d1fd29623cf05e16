#include "crash/crash_load.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <latch>
#include <mutex>
#include <semaphore>
#include <thread>
#include <vector>

#include "crash/ap_fixture.h"

namespace ledgerflow::crash {

void emit_line(const std::string& line) {
  static std::mutex mu;
  std::string text = line + "\n";
  std::lock_guard lock(mu);
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    ssize_t n = ::write(STDOUT_FILENO, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) std::_Exit(3);  // the reader is gone: nothing left to report to
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

rt::StartRequest CrashLoad::request(std::mt19937_64& rng) const {
  rt::StartRequest r;
  r.workflow = kWorkflowName;
  r.version = engine_.version;
  r.input = make_invoice(rng, options_.approve_pct, options_.hold_pct);
  r.actor = clerk();
  return r;
}

void CrashLoad::sync_starter(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (;;) {
    auto r = engine_.executor->start_sync(request(rng));
    if (r) {
      emit_line("ACK " + r->id);
    } else {
      emit_line("ERR start_sync: " + r.error().message);
    }
  }
}

void CrashLoad::async_starter(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::counting_semaphore<> slots(options_.async_in_flight);
  for (;;) {
    slots.acquire();
    engine_.executor->start(request(rng), [&slots](Result<rt::InstanceRecord> r) {
      if (r) {
        emit_line("ACK " + r->id);
      } else {
        emit_line("ERR start: " + r.error().message);
      }
      slots.release();
    });
  }
}

void CrashLoad::approver(std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> pct(0, 99);
  for (;;) {
    rt::TaskFilter f;
    f.status = rt::TaskStatus::open;
    f.limit = 64;
    auto open = engine_.store->tasks(f);
    if (!open) {
      emit_line("ERR tasks: " + open.error().message);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (open->empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    // Completed concurrently, so approvals keep up with the starts (each waits for a commit).
    std::latch finished(static_cast<std::ptrdiff_t>(open->size()));
    for (const auto& t : *open) {
      rt::Event e;
      e.type = rt::Event::Type::task_complete;
      e.task_id = t.id;
      e.outcome = pct(rng) < options_.reject_pct ? "rejected" : "approved";
      e.comment = "crash test";
      engine_.executor->send(
          t.instance_id, std::move(e), manager(),
          [&finished, id = t.id](Result<rt::InstanceRecord> r) {
            emit_line(r ? "ACK_TASK " + id : "ERR task " + id + ": " + r.error().message);
            finished.count_down();
          });
    }
    finished.wait();
  }
}

void CrashLoad::timer_burst() {
  emit_line("READY");
  LoadOptions all_hold = options_;
  all_hold.approve_pct = 0;
  all_hold.hold_pct = 100;
  CrashLoad burst(engine_, all_hold);
  std::mt19937_64 rng(options_.seed);
  std::counting_semaphore<> slots(options_.async_in_flight);
  for (std::size_t i = 0; i < options_.burst; ++i) {
    slots.acquire();
    engine_.executor->start(burst.request(rng), [&slots](Result<rt::InstanceRecord> r) {
      emit_line(r ? "ACK " + r->id : "ERR start: " + r.error().message);
      slots.release();
    });
  }
  engine_.executor->wait_idle();
  emit_line("BURST_DONE");
  for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
}

void CrashLoad::run() {
  if (options_.burst > 0) timer_burst();
  engine_.executor->run_timer_thread();
  emit_line("READY");
  std::vector<std::thread> threads;
  for (int i = 0; i < options_.sync_threads; ++i) {
    threads.emplace_back([this, i] { sync_starter(options_.seed * 1000 + i); });
  }
  threads.emplace_back([this] { async_starter(options_.seed * 1000 + 100); });
  threads.emplace_back([this] { approver(options_.seed * 1000 + 200); });
  for (auto& t : threads) t.join();  // never: each loops until the process is killed
  std::_Exit(0);
}

}  // namespace ledgerflow::crash
