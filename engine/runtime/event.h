// Event: everything that can happen to an instance. step() consumes one event; the
// event is recorded in the history first, so replaying the history's events through
// step() reproduces the instance exactly.
// Thread-safety: plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::rt {

// Who causes an event: a user with their roles, or the engine itself ("system", no roles:
// timers, action results, signals actions deliver, child instances). "system" is reserved:
// no API user may carry that name (the authenticator refuses it).
struct Actor {
  std::string user = "system";
  std::vector<std::string> roles;
};

inline bool is_engine(const Actor& a) {
  return a.user == "system" && a.roles.empty();
}

struct Event {
  enum class Type : std::uint8_t {
    start,          // input, business_key
    effect_result,  // effect_id, ok, output | error, message (actions, scores, child instances)
    timer_fired,    // timer_id, payload
    signal,         // name, correlation, payload
    task_complete,  // task_id, outcome, comment
    task_claim,     // task_id
    task_delegate,  // task_id, to
    cancel,         // reason (comment)
  };

  Type type = Type::start;
  nlohmann::json input;      // start
  std::string business_key;  // start
  std::string effect_id;     // effect_result
  bool ok = true;            // effect_result
  nlohmann::json output;     // effect_result
  std::string error;         // effect_result
  std::string message;       // effect_result
  // effect_result: signals the action asks to deliver to other instances, each
  // {instance_id | workflow + business_key, name, correlation, payload}; step() turns
  // them into outbox effects, so they commit with the result.
  nlohmann::json signals;
  std::string timer_id;        // timer_fired
  nlohmann::json payload;      // timer_fired, signal
  std::string name;            // signal
  nlohmann::json correlation;  // signal (null = none given)
  std::string task_id;         // task_*
  std::string outcome;         // task_complete
  std::string comment;         // task_complete, cancel
  std::string to;              // task_delegate
  std::vector<std::string> to_roles;  // task_delegate: the roles `to` holds (from the caller)
};

std::string_view to_string(Event::Type type);
nlohmann::json to_json(const Event& e);
Event event_from_json(const nlohmann::json& j);  // throws on malformed input

}  // namespace ledgerflow::rt
