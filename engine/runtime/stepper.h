// Internal to step(): one Stepper computes one Transition. It owns copies of the
// instance record and its runtime state, applies the event, then runs every frame
// that can move inline until each waits for the outside or finishes.
#pragma once

#include <deque>
#include <string>

#include "engine/runtime/state.h"
#include "engine/runtime/step.h"

namespace ledgerflow::rt::detail {

// "roles [a, b], users [c] or the instance's creator", for refusals.
std::string describe(const def::Permission& p);

// A state-level failure: an error name that retry/catch match, and a message.
struct Failure {
  std::string error;
  std::string message;
};

class Stepper {
 public:
  Stepper(const def::Definition& d, const StepContext& ctx) : def_(d), ctx_(ctx) {}

  Result<Transition> start(const Event& e);
  Result<Transition> apply(const InstanceRecord& current, const Event& e);
  // After start() or apply() threw: a transition that records `e` and fails the
  // instance (a new one for a start event) with error "internal_error" and `what`.
  Result<Transition> abort(const InstanceRecord* current, const Event& e, const std::string& what);

 private:
  // --- bookkeeping
  void open_instance(const Event& e);  // start: the record, its first history events
  std::string next_id(const char* kind);
  void history(const std::string& type, const std::string& state, nlohmann::json data);
  Frame& frame(std::uint32_t id);
  const def::State& state_of(const Frame& f) const;
  expr::EvalContext eval_context() const;
  Result<Transition> finish();

  // --- running
  void run();
  void enter(std::uint32_t frame_id);
  void complete_state(std::uint32_t frame_id, nlohmann::json output);
  void go_to(std::uint32_t frame_id, const std::string& target);
  void fail_state(std::uint32_t frame_id, Failure failure);
  void finish_frame(std::uint32_t frame_id, bool ok, nlohmann::json result, Failure failure);
  void finish_instance(InstanceStatus status, Failure failure);
  void cancel_frame(std::uint32_t frame_id, const std::string& why);
  void leave_state(Frame& f);  // disarm the state's timers
  std::string arm_timer(Frame& f, std::int64_t due_us, const std::string& purpose);
  std::uint32_t spawn(std::uint32_t parent_id, std::uint32_t slot, const std::string& start,
                      nlohmann::json data);
  void child_finished(std::uint32_t parent_id, std::uint32_t slot, bool ok, nlohmann::json result,
                      const Failure& failure);
  void start_map_items(std::uint32_t frame_id);

  // --- per state type (stepper_states.cpp); each either completes, fails, or waits
  void enter_task(std::uint32_t id, const def::State& s);
  void enter_score(std::uint32_t id, const def::State& s);
  void enter_decide(std::uint32_t id, const def::State& s);
  void enter_choice(std::uint32_t id, const def::State& s);
  void enter_approval(std::uint32_t id, const def::State& s);
  void enter_wait(std::uint32_t id, const def::State& s);
  void enter_parallel(std::uint32_t id, const def::State& s);
  void enter_map(std::uint32_t id, const def::State& s);
  void enter_subflow(std::uint32_t id, const def::State& s);
  void wait_effect(std::uint32_t id, const def::State& s, const char* kind, nlohmann::json payload);

  // --- events (stepper_events.cpp)
  Result<void> on_effect_result(const Event& e);
  Result<void> on_timer(const Event& e);
  Result<void> on_signal(const Event& e);
  Result<void> on_task(const Event& e);
  Result<void> on_cancel(const Event& e);

  // --- human tasks (approval.cpp)
  void write_task(const Frame& f, TaskStatus status, const std::string& outcome);
  Result<void> check_may_act(const Frame& f, const std::string& action);
  Result<void> check_delegation(const nlohmann::json& task, const Event& e) const;

  const def::Definition& def_;
  const StepContext& ctx_;
  InstanceRecord rec_;
  RuntimeState st_;
  Transition tr_;
  std::deque<std::uint32_t> runnable_;
  std::size_t inline_budget_ =
      10000;  // state entries per step: a loop of inline states is an error
};

// Sets `value` at a dotted data path ("risk", "checks.match", "lines[0].ok"). Throws
// std::out_of_range for an index above kMaxPathIndex (step() turns that into a failure).
inline constexpr std::size_t kMaxPathIndex = 100000;
void set_path(nlohmann::json& data, const std::string& path, nlohmann::json value);

}  // namespace ledgerflow::rt::detail
