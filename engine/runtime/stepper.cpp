// The core of step(): starting, applying events, moving frames between states, and
// finishing frames and instances. State types are in stepper_states.cpp, event handling
// in stepper_events.cpp, human tasks in approval.cpp.
#include "engine/runtime/stepper.h"

#include "engine/runtime/jitter.h"

#include <algorithm>
#include <stdexcept>

namespace ledgerflow::rt::detail {

void set_path(nlohmann::json& data, const std::string& path, nlohmann::json value) {
  nlohmann::json* cur = &data;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '[') {
      std::size_t close = path.find(']', i);
      // A path index too large to fill (or to parse) throws std::out_of_range: step()'s
      // exception boundary fails the instance rather than allocating without bound.
      std::size_t index = std::stoul(path.substr(i + 1, close - i - 1));
      if (index > kMaxPathIndex) {
        throw std::out_of_range("data path '" + path + "' indexes past element " +
                                std::to_string(kMaxPathIndex));
      }
      if (!cur->is_array()) *cur = nlohmann::json::array();
      while (cur->size() <= index) cur->push_back(nullptr);
      cur = &(*cur)[index];
      i = close + 1;
    } else {
      if (path[i] == '.') ++i;
      std::size_t end = path.find_first_of(".[", i);
      std::string key = path.substr(i, end == std::string::npos ? std::string::npos : end - i);
      if (!cur->is_object()) *cur = nlohmann::json::object();
      cur = &(*cur)[key];
      i = end == std::string::npos ? path.size() : end;
    }
  }
  *cur = std::move(value);
}

std::string Stepper::next_id(const char* kind) {
  return rec_.id + "-" + kind + std::to_string(++st_.counter);
}

void Stepper::history(const std::string& type, const std::string& state, nlohmann::json data) {
  HistoryRecord h;
  h.instance_id = rec_.id;
  h.seq = ++rec_.seq;
  h.at_us = ctx_.now_us;
  h.type = type;
  h.state = state;
  h.actor = ctx_.actor.user;
  h.data = std::move(data);
  tr_.history.push_back(std::move(h));
}

Frame& Stepper::frame(std::uint32_t id) {
  return *st_.frame(id);
}

const def::State& Stepper::state_of(const Frame& f) const {
  return *def_.find_state(f.state);
}

expr::EvalContext Stepper::eval_context() const {
  expr::EvalContext c;
  c.now_us = ctx_.now_us;
  c.env = ctx_.env;
  return c;
}

std::string describe(const def::Permission& p) {
  std::vector<std::string> parts;
  auto list = [](const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  };
  if (!p.roles.empty()) parts.push_back("roles [" + list(p.roles) + "]");
  if (!p.users.empty()) parts.push_back("users [" + list(p.users) + "]");
  if (p.creator) parts.push_back("the instance's creator");
  return parts.empty() ? std::string("nobody") : list(parts);
}

Result<Transition> Stepper::start(const Event& e) {
  if (def_.permissions.start && !is_engine(ctx_.actor) && !ctx_.replaying &&
      !def_.permissions.start->allows(ctx_.actor.user, ctx_.actor.roles)) {
    return Error{ErrorCode::forbidden,
                 "user '" + ctx_.actor.user + "' may not start workflow '" + def_.name +
                     "' (its permissions.start allows " + describe(*def_.permissions.start) + ")",
                 ErrorReason::not_permitted};
  }
  if (auto ok = def::validate_input(def_, e.input); !ok) return ok.error();
  open_instance(e);
  Frame root;
  root.id = st_.next_frame_id++;
  root.data = e.input;
  st_.frames.push_back(std::move(root));
  if (def_.timeout) {
    std::string id = next_id("t");
    st_.instance_timer = id;
    tr_.timers.push_back(TimerRecord{
        id, rec_.id, ctx_.now_us + def_.timeout->ms * 1000, {{"purpose", "instance_timeout"}}});
  }
  go_to(st_.frames.front().id, def_.flow.start);
  run();
  return finish();
}

void Stepper::open_instance(const Event& e) {
  rec_.id = ctx_.new_instance_id;
  rec_.workflow = def_.name;
  rec_.version = ctx_.definition_version;
  rec_.business_key = e.business_key;
  rec_.created_by = ctx_.submitter.empty() ? ctx_.actor.user : ctx_.submitter;
  rec_.parent_id = ctx_.parent_id;
  rec_.created_at_us = ctx_.now_us;
  rec_.status = InstanceStatus::running;
  nlohmann::json ev = to_json(e);
  ev["actor"] = {{"user", ctx_.actor.user}, {"roles", ctx_.actor.roles}};
  ev["version"] = ctx_.definition_version;
  if (!ctx_.parent_id.empty()) ev["parent_id"] = ctx_.parent_id;
  if (!ctx_.parent_effect_id.empty()) ev["parent_effect_id"] = ctx_.parent_effect_id;
  if (!ctx_.submitter.empty()) ev["submitter"] = ctx_.submitter;
  if (!ctx_.legacy_jitter) {
    st_.jitter = kJitterFnv1a;
    ev["jitter"] = kJitterFnv1a;  // replay reads the scheme from here
  }
  history("event", "", std::move(ev));
  history("instance_started", "", {{"workflow", def_.name}, {"version", rec_.version}});
  st_.parent_effect = ctx_.parent_effect_id;
}

Result<Transition> Stepper::abort(const InstanceRecord* current, const Event& e,
                                  const std::string& what) {
  // Everything the failed attempt computed is discarded; only the event and the failure
  // are recorded. Replaying that event throws again and lands here again, so replay
  // agrees with what was stored.
  tr_ = Transition{};
  runnable_.clear();
  Failure failure{"internal_error", "the step threw an exception: " + what};
  if (current == nullptr) {
    rec_ = InstanceRecord{};
    st_ = RuntimeState{};
    open_instance(e);
  } else {
    rec_ = *current;
    try {
      st_ = runtime_state_from_json(current->state);
    } catch (const std::exception&) {
      st_ = RuntimeState{};
    }
    if (is_final(rec_.status)) {
      return Error{ErrorCode::corruption, "instance " + rec_.id + ": " + failure.message};
    }
    nlohmann::json ev = to_json(e);
    ev["actor"] = {{"user", ctx_.actor.user}, {"roles", ctx_.actor.roles}};
    history("event", "", std::move(ev));
  }
  const InstanceRecord rec_before = rec_;
  const Transition tr_before = tr_;
  try {
    finish_instance(InstanceStatus::failed, failure);
  } catch (const std::exception&) {
    // Cancelling the frames threw too (their stored state is what is broken): drop
    // them without cancelling and fail the instance as it is.
    rec_ = rec_before;
    tr_ = tr_before;
    st_.frames.clear();
    finish_instance(InstanceStatus::failed, failure);
  }
  return finish();
}

Result<Transition> Stepper::apply(const InstanceRecord& current, const Event& e) {
  rec_ = current;
  try {
    st_ = runtime_state_from_json(current.state);
  } catch (const std::exception& ex) {
    return Error{ErrorCode::corruption,
                 "instance " + current.id + " has a malformed state: " + ex.what()};
  }
  if (is_final(rec_.status) && e.type != Event::Type::effect_result) {
    return Error{ErrorCode::conflict, "instance " + rec_.id + " is " +
                                          std::string(to_string(rec_.status)) +
                                          "; it accepts no more events"};
  }
  nlohmann::json ev = to_json(e);
  ev["actor"] = {{"user", ctx_.actor.user}, {"roles", ctx_.actor.roles}};
  history("event", "", std::move(ev));
  Result<void> r;
  switch (e.type) {
    case Event::Type::start:
      return Error::invalid("instance " + rec_.id + " has already started");
    case Event::Type::effect_result:
      r = on_effect_result(e);
      break;
    case Event::Type::timer_fired:
      r = on_timer(e);
      break;
    case Event::Type::signal:
      r = on_signal(e);
      break;
    case Event::Type::task_complete:
    case Event::Type::task_claim:
    case Event::Type::task_delegate:
      r = on_task(e);
      break;
    case Event::Type::cancel:
      r = on_cancel(e);
      break;
  }
  if (!r) return r.error();
  run();
  return finish();
}

void Stepper::run() {
  while (!runnable_.empty()) {
    std::uint32_t id = runnable_.front();
    runnable_.pop_front();
    if (!st_.frame(id) || is_final(rec_.status)) continue;
    if (inline_budget_-- == 0) {
      fail_state(id, {"loop_limit",
                      "more than 10000 states ran inline in one step; the workflow loops "
                      "without waiting"});
      continue;
    }
    enter(id);
  }
}

void Stepper::enter(std::uint32_t id) {
  Frame& f = frame(id);
  const def::State& s = state_of(f);
  f.wait = WaitKind::none;
  if (s.timeout) {
    f.timers.push_back(arm_timer(f, ctx_.now_us + s.timeout->ms * 1000, "timeout"));
  }
  switch (s.type) {
    case def::StateType::task:
      return enter_task(id, s);
    case def::StateType::score:
      return enter_score(id, s);
    case def::StateType::decide:
      return enter_decide(id, s);
    case def::StateType::choice:
      return enter_choice(id, s);
    case def::StateType::approval:
      return enter_approval(id, s);
    case def::StateType::wait:
      return enter_wait(id, s);
    case def::StateType::parallel:
      return enter_parallel(id, s);
    case def::StateType::map:
      return enter_map(id, s);
    case def::StateType::subflow:
      return enter_subflow(id, s);
    case def::StateType::succeed: {
      const auto& spec = std::get<def::SucceedSpec>(s.spec);
      nlohmann::json result = frame(id).data;
      if (spec.result) {
        auto r = spec.result->render(frame(id).data, eval_context());
        if (!r) return finish_frame(id, false, nullptr, {"expression_error", r.error().message});
        result = std::move(*r);
      }
      history("state_completed", s.name, nlohmann::json::object());
      return finish_frame(id, true, std::move(result), {});
    }
    case def::StateType::fail: {
      const auto& spec = std::get<def::FailSpec>(s.spec);
      std::string message = "failed in state '" + s.name + "'";
      if (spec.cause) {
        auto r = spec.cause->render(frame(id).data, eval_context());
        if (r) message = r->is_string() ? r->get<std::string>() : r->dump();
      }
      history("state_completed", s.name, nlohmann::json::object());
      return finish_frame(id, false, nullptr, {spec.error, message});
    }
  }
}

std::string Stepper::arm_timer(Frame& f, std::int64_t due_us, const std::string& purpose) {
  std::string id = next_id("t");
  tr_.timers.push_back(TimerRecord{
      id,
      rec_.id,
      due_us,
      {{"purpose", purpose}, {"frame", f.id}, {"state", f.state}, {"attempt", f.attempt}}});
  return id;
}

void Stepper::leave_state(Frame& f) {
  for (auto& t : f.timers) tr_.timers_deleted.push_back(t);
  f.timers.clear();
  if (f.wait == WaitKind::timer) tr_.timers_deleted.push_back(f.wait_key);
  f.wait = WaitKind::none;
  f.wait_key.clear();
  f.correlation = nullptr;
}

void Stepper::complete_state(std::uint32_t id, nlohmann::json output) {
  Frame& f = frame(id);
  const def::State& s = state_of(f);
  if (!s.output.empty()) set_path(f.data, s.output, output);
  history("state_completed", s.name,
          s.output.empty() ? nlohmann::json::object() : nlohmann::json{{"output", output}});
  go_to(id, s.next);
}

void Stepper::go_to(std::uint32_t id, const std::string& target) {
  Frame& f = frame(id);
  leave_state(f);
  f.state = target;
  f.attempt = 1;
  f.entered_at_us = ctx_.now_us;
  history("state_entered", target, {{"frame", f.id}});
  runnable_.push_back(id);
}

void Stepper::fail_state(std::uint32_t id, Failure failure) {
  Frame& f = frame(id);
  const def::State& s = state_of(f);
  leave_state(f);
  auto matches = [&](const std::vector<std::string>& errors) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e == "any" || e == failure.error; });
  };
  for (const auto& policy : s.retry) {
    if (!matches(policy.errors)) continue;
    if (static_cast<int>(f.attempt) >= policy.max_attempts) break;
    // Exponential backoff with deterministic jitter: the delay is drawn from
    // [delay/2, delay] by a specified hash of (instance, state, attempt) (jitter.h), so
    // replay agrees.
    double delay_ms = static_cast<double>(policy.initial.ms);
    if (policy.exponential) {
      for (std::uint32_t a = 1; a < f.attempt && delay_ms < policy.max.ms; ++a) delay_ms *= 2;
    }
    delay_ms = std::min(delay_ms, static_cast<double>(policy.max.ms));
    if (policy.jitter) {
      std::uint32_t permille = retry_jitter_permille(st_.jitter, rec_.id, s.name, f.attempt);
      delay_ms = delay_ms / 2 + (delay_ms / 2) * static_cast<double>(permille) / 999.0;
    }
    auto due = ctx_.now_us + static_cast<std::int64_t>(delay_ms * 1000);
    history("retry_scheduled", s.name,
            {{"error", failure.error},
             {"message", failure.message},
             {"attempt", f.attempt},
             {"delay_ms", static_cast<std::int64_t>(delay_ms)}});
    f.wait = WaitKind::timer;
    f.wait_key = arm_timer(f, due, "retry");
    return;
  }
  for (const auto& c : s.catchers) {
    if (!matches(c.errors)) continue;
    history("error_caught", s.name,
            {{"error", failure.error}, {"message", failure.message}, {"next", c.next}});
    if (!c.output.empty()) {
      set_path(f.data, c.output, {{"error", failure.error}, {"message", failure.message}});
    }
    go_to(id, c.next);
    return;
  }
  history("state_failed", s.name, {{"error", failure.error}, {"message", failure.message}});
  finish_frame(id, false, nullptr, std::move(failure));
}

std::uint32_t Stepper::spawn(std::uint32_t parent_id, std::uint32_t slot, const std::string& start,
                             nlohmann::json data) {
  Frame child;
  child.id = st_.next_frame_id++;
  child.parent = parent_id;
  child.slot = slot;
  child.data = std::move(data);
  std::uint32_t id = child.id;
  st_.frames.push_back(std::move(child));
  go_to(id, start);
  return id;
}

void Stepper::cancel_frame(std::uint32_t id, const std::string& why) {
  // Children first, then the frame itself.
  std::vector<std::uint32_t> children;
  for (const auto& f : st_.frames) {
    if (f.parent == id) children.push_back(f.id);
  }
  for (auto c : children) cancel_frame(c, why);
  Frame& f = frame(id);
  if (f.wait == WaitKind::task) write_task(f, TaskStatus::cancelled, "");
  if (f.wait == WaitKind::effect && !f.correlation.is_string()) {
    // An action or score not yet run: consumed in this same write, so it never runs after
    // the cancel commits (the effect thread also re-checks the instance before acting).
    tr_.effects_done.push_back(f.wait_key);
  }
  if (f.wait == WaitKind::effect && f.correlation.is_string()) {
    // A child instance started by a subflow state: cancel it too.
    tr_.effects.push_back(OutboxRecord{next_id("e"),
                                       rec_.id,
                                       kEffectCancelChild,
                                       ctx_.now_us,
                                       {{"child_id", f.correlation.get<std::string>()}}});
  }
  leave_state(f);
  st_.frames.erase(std::remove_if(st_.frames.begin(), st_.frames.end(),
                                  [&](const Frame& x) { return x.id == id; }),
                   st_.frames.end());
}

void Stepper::finish_frame(std::uint32_t id, bool ok, nlohmann::json result, Failure failure) {
  Frame& f = frame(id);
  if (!f.parent) {
    st_.data = f.data;
    if (ok) st_.result = std::move(result);
    finish_instance(ok ? InstanceStatus::succeeded : InstanceStatus::failed, std::move(failure));
    return;
  }
  std::uint32_t parent = *f.parent;
  std::uint32_t slot = f.slot;
  leave_state(f);
  st_.frames.erase(std::remove_if(st_.frames.begin(), st_.frames.end(),
                                  [&](const Frame& x) { return x.id == id; }),
                   st_.frames.end());
  child_finished(parent, slot, ok, std::move(result), failure);
}

void Stepper::child_finished(std::uint32_t parent_id, std::uint32_t slot, bool ok,
                             nlohmann::json result, const Failure& failure) {
  Frame& p = frame(parent_id);
  const def::State& s = state_of(p);
  if (p.running_children > 0) --p.running_children;
  p.finished[slot] = true;
  p.results[slot] = std::move(result);
  auto cancel_children = [&]() {
    std::vector<std::uint32_t> children;
    for (const auto& f : st_.frames) {
      if (f.parent == parent_id) children.push_back(f.id);
    }
    for (auto c : children) cancel_frame(c, "sibling finished");
  };
  if (!ok) {
    cancel_children();
    Frame& pf = frame(parent_id);
    pf.results.clear();
    pf.finished.clear();
    pf.items = nullptr;
    fail_state(parent_id, {failure.error, "branch " + std::to_string(slot + 1) + " of '" + s.name +
                                              "' failed: " + failure.message});
    return;
  }
  if (s.type == def::StateType::parallel) {
    const auto& spec = std::get<def::ParallelSpec>(s.spec);
    if (spec.join == def::Join::any) {
      nlohmann::json winner = p.results[slot];
      cancel_children();
      complete_state(parent_id, std::move(winner));
      return;
    }
    if (p.running_children == 0) {
      nlohmann::json out = nlohmann::json::array();
      for (auto& r : p.results) out.push_back(std::move(r));
      complete_state(parent_id, std::move(out));
    }
    return;
  }
  // map
  start_map_items(parent_id);
}

void Stepper::start_map_items(std::uint32_t id) {
  const def::State& s = state_of(frame(id));
  const auto& spec = std::get<def::MapSpec>(s.spec);
  const auto limit = static_cast<std::uint32_t>(spec.max_concurrency);
  // spawn() grows the frame list, so the parent is looked up afresh each time.
  while (frame(id).running_children < limit && frame(id).next_item < frame(id).items.size()) {
    Frame& p = frame(id);
    std::uint32_t slot = p.next_item++;
    ++p.running_children;
    const nlohmann::json& item = p.items[slot];
    nlohmann::json data = item.is_object() ? item : nlohmann::json{{"item", item}};
    spawn(id, slot, spec.iterator.start, std::move(data));
  }
  Frame& p = frame(id);
  if (p.running_children == 0 && p.next_item >= p.items.size()) {
    nlohmann::json out = nlohmann::json::array();
    for (auto& r : p.results) out.push_back(std::move(r));
    p.items = nullptr;
    complete_state(id, std::move(out));
  }
}

void Stepper::finish_instance(InstanceStatus status, Failure failure) {
  std::vector<std::uint32_t> ids;
  for (const auto& f : st_.frames) {
    if (!f.parent) ids.push_back(f.id);
  }
  for (auto id : ids) {
    if (st_.data.is_null()) st_.data = frame(id).data;
    cancel_frame(id, "instance finished");
  }
  st_.frames.clear();
  if (!st_.instance_timer.empty()) tr_.timers_deleted.push_back(st_.instance_timer);
  st_.instance_timer.clear();
  rec_.status = status;
  nlohmann::json data = {{"status", to_string(status)}};
  if (status == InstanceStatus::failed || status == InstanceStatus::cancelled) {
    st_.error = failure.error;
    st_.error_message = failure.message;
    data["error"] = failure.error;
    data["message"] = failure.message;
  }
  history(std::string("instance_") + std::string(to_string(status)), "", std::move(data));
  if (!rec_.parent_id.empty()) {
    nlohmann::json payload = {{"parent_id", rec_.parent_id},
                              {"effect_id", st_.parent_effect},
                              {"ok", status == InstanceStatus::succeeded}};
    if (status == InstanceStatus::succeeded) {
      payload["output"] = st_.result;
    } else {
      payload["error"] = status == InstanceStatus::cancelled ? "cancelled" : failure.error;
      payload["message"] = failure.message;
    }
    tr_.effects.push_back(
        OutboxRecord{next_id("e"), rec_.id, kEffectNotifyParent, ctx_.now_us, payload});
  }
}

Result<Transition> Stepper::finish() {
  if (!is_final(rec_.status)) {
    bool running = std::any_of(st_.frames.begin(), st_.frames.end(),
                               [](const Frame& f) { return f.wait == WaitKind::effect; });
    rec_.status = running ? InstanceStatus::running : InstanceStatus::waiting;
  }
  rec_.updated_at_us = ctx_.now_us;
  rec_.state = to_json(st_);
  nlohmann::json states = nlohmann::json::array();
  for (const auto& f : st_.frames) states.push_back(f.state);
  tr_.events.push_back(EventRecord{0,
                                   ctx_.now_us,
                                   "instance",
                                   rec_.id,
                                   "",
                                   {{"id", rec_.id},
                                    {"workflow", rec_.workflow},
                                    {"version", rec_.version},
                                    {"status", to_string(rec_.status)},
                                    {"states", std::move(states)},
                                    {"seq", rec_.seq}}});
  tr_.instance = std::move(rec_);
  return std::move(tr_);
}

}  // namespace ledgerflow::rt::detail
