// The runtime state of one workflow instance, kept as JSON in InstanceRecord::state.
//
// An instance runs one or more frames. A frame is one path of execution: the root frame
// runs the definition's top-level flow; a parallel state runs one child frame per
// branch; a map state one child frame per item. Each frame sits in one state and may be
// waiting for something from outside (an action's result, a timer, a signal, a human
// task, its child frames, a child instance).
// Thread-safety: plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::rt {

enum class WaitKind : std::uint8_t {
  none,      // running inline (only inside step())
  effect,    // an action, a score or a child instance: `key` is the effect id
  timer,     // a wait state's timer or a retry backoff: `key` is the timer id
  signal,    // `key` is the signal name, `correlation` its key (null = any)
  task,      // `key` is the human task id
  children,  // parallel/map: waiting for child frames
};

struct Frame {
  std::uint32_t id = 0;
  std::optional<std::uint32_t> parent;  // nullopt for the root frame
  std::uint32_t slot = 0;               // branch or item index within the parent
  std::string state;                    // current state name
  std::uint32_t attempt = 1;
  std::int64_t entered_at_us = 0;
  nlohmann::json data;  // this frame's data (the root's is the instance data)

  WaitKind wait = WaitKind::none;
  std::string wait_key;
  nlohmann::json correlation;       // signal waits
  std::vector<std::string> timers;  // timers armed for this state (timeout, escalation)
  nlohmann::json task;              // approval: the human task (candidates, approvals, ...)

  // parallel / map bookkeeping while wait == children
  std::vector<nlohmann::json> results;  // per slot; null until that child finished
  std::vector<bool> finished;           // per slot
  std::uint32_t running_children = 0;
  std::uint32_t next_item = 0;  // map: next item index to start
  nlohmann::json items;         // map: the items being processed
};

struct RuntimeState {
  std::vector<Frame> frames;  // active frames, root first
  std::uint32_t next_frame_id = 1;
  std::uint64_t counter = 0;  // for deterministic effect/timer/task ids
  nlohmann::json data;        // the root frame's data once the instance finished
  nlohmann::json result;      // the succeed state's result
  std::string error;          // the error name when failed
  std::string error_message;
  std::string instance_timer;  // the instance-level timeout timer, if any
  std::string parent_effect;   // child instances: the parent's start_child effect id
  std::string jitter;          // retry jitter scheme (jitter.h); empty: instances before it

  Frame* frame(std::uint32_t id);
  const Frame* frame(std::uint32_t id) const;
};

nlohmann::json to_json(const RuntimeState& s);
// Throws nlohmann::json exceptions on malformed input (callers turn them into corruption).
RuntimeState runtime_state_from_json(const nlohmann::json& j);

}  // namespace ledgerflow::rt
