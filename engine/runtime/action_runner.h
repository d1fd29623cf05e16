// Actions: what a task state's `action:` names — an outbound HTTP call, a plugin action
// (ap.duplicate_candidates, ledger.post, ...) — performed outside the pure engine. The
// executor calls the action's handler after the step that asked for it is committed, on
// a worker pool (never on a network thread), and feeds the result back as an event.
//
// The executor finds the handler by name in an ActionTable. Modules (plugins/http, the
// finance package, test fakes) register their actions into the table while the engine
// is built (apps/host/engine_builder.h); an action nobody registered fails at run time
// with an `action_error` naming it.
//
// Thread-safety: handlers and ActionRunner::run() may be called from several threads at
// once. An ActionTable is filled on one thread before the engine starts; after that it is
// only read (find()/run() from any thread).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

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

// Performs one action. A handler may throw: the executor turns the exception into an
// `action_error` ("action 'X' threw: ...").
using ActionHandler = std::function<ActionResult(const ActionRequest&)>;

// Something that performs requests itself (the HTTP client; KServe scorers use it as
// their transport). Registered in a table under the names it serves.
class ActionRunner {
 public:
  virtual ~ActionRunner() = default;
  virtual ActionResult run(const ActionRequest& request) = 0;
};

// Action name -> handler.
class ActionTable {
 public:
  // invalid_argument when `name` is empty, `handler` is empty or `name` is registered
  // already: two modules claiming one action is a wiring mistake, found at start.
  Result<void> add(std::string name, ActionHandler handler) {
    if (name.empty()) return Error::invalid("an action needs a name");
    if (!handler) return Error::invalid("action '" + name + "' has no handler");
    if (handlers_.count(name) > 0) {
      return Error::invalid("action '" + name + "' is registered twice");
    }
    handlers_.emplace(std::move(name), std::move(handler));
    return {};
  }
  // `name` performed by `runner` (the table shares ownership of it).
  Result<void> add(std::string name, std::shared_ptr<ActionRunner> runner) {
    if (!runner) return Error::invalid("action '" + name + "' has no runner");
    return add(std::move(name),
               [runner = std::move(runner)](const ActionRequest& r) { return runner->run(r); });
  }

  // The handler registered for `name`, or nullptr.
  const ActionHandler* find(std::string_view name) const {
    auto it = handlers_.find(name);
    return it == handlers_.end() ? nullptr : &it->second;
  }
  // Runs the request's action; an unknown action is an `action_error` saying so.
  // Exceptions from the handler pass through.
  ActionResult run(const ActionRequest& request) const {
    const ActionHandler* handler = find(request.action);
    if (handler == nullptr) {
      return ActionResult::failure("action_error",
                                   "no action runner handles '" + request.action +
                                       "' (is the plugin that provides it loaded?)");
    }
    return (*handler)(request);
  }
  // Every registered name, sorted.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(handlers_.size());
    for (const auto& entry : handlers_) out.push_back(entry.first);
    return out;
  }
  std::size_t size() const { return handlers_.size(); }
  bool empty() const { return handlers_.empty(); }

  // Replaces every handler by wrap(name, handler) (benches time actions this way).
  void wrap(const std::function<ActionHandler(const std::string&, ActionHandler)>& wrap) {
    for (auto& [name, handler] : handlers_) handler = wrap(name, std::move(handler));
  }

 private:
  std::map<std::string, ActionHandler, std::less<>> handlers_;
};

}  // namespace ledgerflow::rt
