// step(): the pure transition function at the heart of the engine.
//
//   step(definition, instance, event, context) -> Transition
//
// No IO, no clock, no randomness: time, the new instance's id and the acting user come
// in through StepContext, and ids of timers, tasks and effects are derived from a
// counter in the instance state. The same inputs always give the same Transition, so
// replaying an instance's history through step() reproduces its state exactly.
//
// A step runs every state it can finish inline (set, emit, choice, decide, succeed,
// fail, the fan-out of parallel/map) and stops where the instance must wait for the
// outside: an action or score (an Effect to run after commit), a timer, a signal, a
// human task or a child instance.
// Thread-safety: pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"
#include "engine/definition/definition.h"
#include "engine/runtime/event.h"
#include "engine/runtime/records.h"

namespace ledgerflow::rt {

struct StepContext {
  std::int64_t now_us = 0;
  Actor actor;
  int definition_version = 0;           // start: the version being started
  std::string new_instance_id;          // start: the id of the new instance
  std::string parent_id;                // start of a child instance: its parent
  std::string parent_effect_id;         // start of a child instance: the parent's effect
  // start of a child instance: the root instance's submitter, who becomes the child's
  // created_by (so segregation of duties holds inside subflows too).
  std::string submitter;
  // replay(): permissions are admission checks made when the event was accepted; replay
  // re-applies recorded events without them.
  bool replaying = false;
  const nlohmann::json* env = nullptr;  // values of `env.*` in expressions
  // The HMAC-SHA-256 key under which score steps pseudonymise sensitive feature values in
  // what they record (engine/scoring/pseudonym.h). Empty: such values are recorded as
  // "hmac-sha256:unkeyed", never in clear.
  std::string_view pseudonym_key;
  // start: draw retry jitter the way instances recorded before jitter.h were (std::hash).
  // Only replay sets it, for a start event that records no "jitter" scheme.
  bool legacy_jitter = false;
};

// Effect kinds written to the outbox (OutboxRecord::kind).
inline constexpr const char* kEffectAction =
    "action";  // {action, args, idempotency_key, state, attempt, timeout_ms}
inline constexpr const char* kEffectScore =
    "score";  // {model, features:{name:value}, recorded_features?, shadow, explain, state}
inline constexpr const char* kEffectStartChild =
    "start_child";  // {workflow, version, input, child_id}
inline constexpr const char* kEffectCancelChild = "cancel_child";  // {child_id}
inline constexpr const char* kEffectNotifyParent =
    "notify_parent";  // {parent_id, effect_id, ok, output|error,message}
inline constexpr const char* kEffectSignal =
    "signal";  // {instance_id | workflow, business_key; name, correlation, payload}

struct Transition {
  InstanceRecord instance;             // the new record (row_version untouched: the store bumps it)
  std::vector<HistoryRecord> history;  // seq continues from the old record
  std::vector<OutboxRecord> effects;   // to run after commit (and kept in the outbox until done)
  std::vector<std::string> effects_done;    // outbox ids this step consumed
  std::vector<TaskRecord> tasks;            // created or changed human tasks
  std::vector<TimerRecord> timers;          // armed
  std::vector<std::string> timers_deleted;  // disarmed
  std::vector<EventRecord> events;          // change feed
};

// `current` is null for Event::Type::start. Errors: invalid_argument (input breaks
// input.schema, malformed event), not_found (no such task in this instance), conflict
// (instance finished, task already completed, nobody waits for that signal), forbidden
// (segregation of duties, not a candidate). An exception thrown inside the step is not an
// error of the call: the transition records the event and fails the instance (a new one
// for a start event) with error "internal_error" and the exception's message.
Result<Transition> step(const def::Definition& definition, const InstanceRecord* current,
                        const Event& event, const StepContext& context);

// The write set that commits a transition; expected_row_version is the row version the
// transition was computed from (0 for a new instance).
WriteSet to_write_set(Transition t, std::uint64_t expected_row_version);

// Replays the events recorded in a history (type "event") through step() from nothing
// and returns the resulting record; used by tests and `ledgerflow history --verify`.
Result<InstanceRecord> replay(const def::Definition& definition,
                              const std::vector<HistoryRecord>& history,
                              const nlohmann::json* env = nullptr);

}  // namespace ledgerflow::rt
