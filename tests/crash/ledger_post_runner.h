// LedgerPostRunner: a fake "ledger.post" action for the crash test, so the outbox path is
// exercised too (effect committed → run after commit → result committed; recover() re-runs
// what a kill left in flight). About one call in ten fails with action_error, decided by a
// hash of the idempotency key (so deterministic per attempt), to drive retries and their
// timers. Each call takes about a millisecond, which widens the window a kill can hit.
// Thread-safety: run() is safe to call from many threads at once (no state).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "engine/runtime/action_runner.h"

namespace ledgerflow::crash {

class LedgerPostRunner final : public rt::ActionRunner {
 public:
  rt::ActionResult run(const rt::ActionRequest& request) override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (std::hash<std::string>{}(request.idempotency_key) % 10 == 0) {
      return rt::ActionResult::failure("action_error", "ledger unavailable (simulated)");
    }
    return rt::ActionResult::success({{"ledger_id", "L-" + request.idempotency_key},
                                      {"amount", request.args.value("amount", 0)}});
  }
};

}  // namespace ledgerflow::crash
