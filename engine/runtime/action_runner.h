// ActionRunner: performs a task state's action outside the pure engine — an outbound
// HTTP call, a plugin action (ap.duplicate_candidates, ledger.post, ...). The executor
// calls it after the step that asked for it is committed, on a worker pool (never on a
// network thread), and feeds the result back as an event.
//
// Thread-safety: run() may be called from several threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::rt {

struct ActionRequest {
  std::string action;           // "http", "ap.duplicate_candidates", ...
  nlohmann::json args;          // the rendered `with:` template
  std::string idempotency_key;  // derived from (instance, state, attempt): stable on re-runs
  std::string instance_id;
  std::string state;
  int attempt = 1;
  std::int64_t timeout_ms = 30000;
};

// A signal an action asks the engine to deliver to another instance, named by id or by
// (workflow, business_key). Delivery is an effect: it is written to the outbox with the
// action's result, sent after that commit (again after a crash), and consumed with the
// receiving instance's transition. Best effort on the receiving side: no such instance,
// or one that does not wait for the signal, drops it.
struct SignalRequest {
  std::string instance_id;   // or, when empty:
  std::string workflow;      //   the instance of this workflow
  std::string business_key;  //   with this business key
  std::string name;
  nlohmann::json correlation;  // null = none
  nlohmann::json payload;
};

// An action either produces output or fails with a named error that `catch`/`retry`
// can match (e.g. "http_error", "timeout", "action_error").
struct ActionResult {
  bool ok = true;
  nlohmann::json output;
  std::string error;                   // error name when !ok
  std::string message;                 // human explanation when !ok
  std::vector<SignalRequest> signals;  // delivered after the result commits, ok or not

  static ActionResult success(nlohmann::json out) { return {true, std::move(out), {}, {}, {}}; }
  static ActionResult failure(std::string name, std::string msg) {
    return {false, nullptr, std::move(name), std::move(msg), {}};
  }
};

class ActionRunner {
 public:
  virtual ~ActionRunner() = default;
  // True if this runner performs `action`.
  virtual bool handles(const std::string& action) const = 0;
  virtual ActionResult run(const ActionRequest& request) = 0;
};

}  // namespace ledgerflow::rt
