// Events arriving at a running instance: effect results, timers, signals, cancellation.
// Also the public step(), to_write_set() and replay().
#include <algorithm>

#include "engine/runtime/stepper.h"

namespace ledgerflow::rt::detail {

Result<void> Stepper::on_effect_result(const Event& e) {
  tr_.effects_done.push_back(e.effect_id);
  // The action has happened whatever became of the frame that asked for it, so the
  // signals it produced are delivered even when the result itself comes too late.
  if (e.signals.is_array()) {
    for (const auto& signal : e.signals) {
      tr_.effects.push_back(
          OutboxRecord{next_id("e"), rec_.id, kEffectSignal, ctx_.now_us, signal});
    }
  }
  Frame* found = nullptr;
  for (auto& f : st_.frames) {
    if (f.wait == WaitKind::effect && f.wait_key == e.effect_id) found = &f;
  }
  if (!found) {
    // A late result: the frame moved on (timeout, cancellation). Consume it and stop.
    history("effect_ignored", "", {{"effect_id", e.effect_id}});
    return {};
  }
  std::uint32_t id = found->id;
  const def::State& s = state_of(*found);
  if (!e.ok) {
    fail_state(id, {e.error.empty() ? "action_error" : e.error, e.message});
    return {};
  }
  if (s.type == def::StateType::score) {
    // The decision record: which model, which version, what it said and why.
    nlohmann::json decision = e.output;
    decision["decision_id"] = e.effect_id;
    history("decision", s.name, decision);
  }
  complete_state(id, e.output);
  return {};
}

Result<void> Stepper::on_timer(const Event& e) {
  tr_.timers_deleted.push_back(e.timer_id);  // a fired timer is spent, whatever it did
  const nlohmann::json& p = e.payload;
  std::string purpose = p.value("purpose", std::string());
  if (purpose == "instance_timeout") {
    if (e.timer_id != st_.instance_timer) return {};
    st_.instance_timer.clear();
    finish_instance(
        InstanceStatus::failed,
        {"timeout", "the instance ran longer than its timeout " + def::to_string(*def_.timeout)});
    return {};
  }
  Frame* f = st_.frame(p.value("frame", 0u));
  bool current =
      f && f->state == p.value("state", std::string()) && f->attempt == p.value("attempt", 0u);
  if (!current) {
    history("timer_ignored", "", {{"timer_id", e.timer_id}, {"purpose", purpose}});
    return {};
  }
  std::uint32_t id = f->id;
  f->timers.erase(std::remove(f->timers.begin(), f->timers.end(), e.timer_id), f->timers.end());
  const def::State& s = state_of(*f);
  if (purpose == "wait" && f->wait == WaitKind::timer && f->wait_key == e.timer_id) {
    f->wait_key.clear();
    f->wait = WaitKind::none;
    complete_state(id, nullptr);
  } else if (purpose == "retry" && f->wait == WaitKind::timer && f->wait_key == e.timer_id) {
    f->wait_key.clear();
    f->wait = WaitKind::none;
    ++f->attempt;
    history("state_retried", s.name, {{"attempt", f->attempt}});
    runnable_.push_back(id);
  } else if (purpose == "timeout") {
    if (f->wait == WaitKind::task) {
      write_task(*f, TaskStatus::cancelled, "timeout");
      f->task = nullptr;
    }
    // Children of a parallel/map state stop with it.
    std::vector<std::uint32_t> children;
    for (const auto& x : st_.frames) {
      if (x.parent == id) children.push_back(x.id);
    }
    for (auto c : children) cancel_frame(c, "parent timed out");
    fail_state(id,
               {"timeout", "state '" + s.name + "' timed out after " + def::to_string(*s.timeout)});
  } else if (purpose == "escalate" && f->wait == WaitKind::task) {
    const auto& spec = std::get<def::ApprovalSpec>(s.spec);
    for (const auto& r : spec.escalate->to.roles) f->task["roles"].push_back(r);
    for (const auto& u : spec.escalate->to.users) f->task["users"].push_back(u);
    f->task["escalated"] = true;
    history("task_escalated", s.name,
            {{"task_id", f->wait_key},
             {"to_roles", spec.escalate->to.roles},
             {"to_users", spec.escalate->to.users}});
    write_task(*f, TaskStatus::open, "");
  }
  return {};
}

Result<void> Stepper::on_signal(const Event& e) {
  if (!is_engine(ctx_.actor) && !ctx_.replaying) {
    const auto& allowed = def_.permissions.signals;
    const auto it = allowed.find(e.name);
    if (it == allowed.end() ||
        !it->second.allows(ctx_.actor.user, ctx_.actor.roles, rec_.created_by)) {
      return Error{ErrorCode::forbidden,
                   "user '" + ctx_.actor.user + "' may not send signal '" + e.name +
                       "' to instances of workflow '" + def_.name + "' (" +
                       (it == allowed.end() ? std::string("no permissions.signals entry names it")
                                            : "its permissions.signals entry allows " +
                                                  describe(it->second)) +
                       ")",
                   ErrorReason::not_permitted};
    }
  }
  for (auto& f : st_.frames) {
    if (f.wait != WaitKind::signal || f.wait_key != e.name) continue;
    if (!f.correlation.is_null() && f.correlation != e.correlation) continue;
    std::uint32_t id = f.id;
    history("signal_received", f.state, {{"name", e.name}, {"correlation", e.correlation}});
    complete_state(id, e.payload);
    return {};
  }
  std::string waiting;
  for (const auto& f : st_.frames) {
    if (f.wait == WaitKind::signal) waiting += (waiting.empty() ? "" : ", ") + f.wait_key;
  }
  return Error{ErrorCode::conflict,
               "instance " + rec_.id + " is not waiting for signal '" + e.name + "'" +
                   (e.correlation.is_null() ? "" : " with correlation " + e.correlation.dump()) +
                   (waiting.empty() ? "" : " (it waits for: " + waiting + ")")};
}

Result<void> Stepper::on_cancel(const Event& e) {
  finish_instance(InstanceStatus::cancelled,
                  {"cancelled", e.comment.empty() ? "cancelled by " + ctx_.actor.user : e.comment});
  return {};
}

}  // namespace ledgerflow::rt::detail

namespace ledgerflow::rt {

Result<Transition> step(const def::Definition& definition, const InstanceRecord* current,
                        const Event& event, const StepContext& context) {
  if (event.type == Event::Type::start && current)
    return Error::invalid("a start event cannot apply to an existing instance");
  if (event.type != Event::Type::start && !current)
    return Error::invalid("event '" + std::string(to_string(event.type)) + "' needs an instance");
  // The exception boundary: whatever throws inside a step (a JSON accessor on damaged
  // state, an allocation) fails this instance with the message recorded, instead of
  // unwinding into the executor's shard thread.
  std::string what;
  try {
    detail::Stepper stepper(definition, context);
    return event.type == Event::Type::start ? stepper.start(event) : stepper.apply(*current, event);
  } catch (const std::exception& ex) {
    what = ex.what();
  } catch (...) {
    what = "unknown exception";
  }
  try {
    detail::Stepper stepper(definition, context);
    return stepper.abort(current, event, what);
  } catch (const std::exception& ex) {
    return Error{ErrorCode::corruption,
                 "a step threw (" + what + ") and failing the instance threw too: " + ex.what()};
  }
}

WriteSet to_write_set(Transition t, std::uint64_t expected_row_version) {
  WriteSet ws;
  ws.instances.push_back(std::move(t.instance));
  ws.expected_row_versions.push_back(expected_row_version);
  ws.history = std::move(t.history);
  ws.outbox = std::move(t.effects);
  ws.outbox_done = std::move(t.effects_done);
  ws.tasks = std::move(t.tasks);
  ws.timers = std::move(t.timers);
  ws.timers_deleted = std::move(t.timers_deleted);
  ws.events = std::move(t.events);
  return ws;
}

Result<InstanceRecord> replay(const def::Definition& definition,
                              const std::vector<HistoryRecord>& history,
                              const nlohmann::json* env) {
  std::optional<InstanceRecord> rec;
  for (const auto& h : history) {
    if (h.type != "event") continue;
    Event e;
    try {
      e = event_from_json(h.data);
    } catch (const std::exception& ex) {
      return Error{ErrorCode::corruption,
                   "history event " + std::to_string(h.seq) + " is malformed: " + ex.what()};
    }
    StepContext ctx;
    ctx.now_us = h.at_us;
    ctx.env = env;
    ctx.replaying = true;
    if (h.data.contains("actor")) {
      ctx.actor.user = h.data["actor"].value("user", std::string("system"));
      ctx.actor.roles = h.data["actor"].value("roles", std::vector<std::string>());
    }
    if (e.type == Event::Type::start) {
      ctx.new_instance_id = h.instance_id;
      ctx.parent_effect_id = h.data.value("parent_effect_id", std::string());
      ctx.definition_version = h.data.value("version", 0);
      ctx.parent_id = h.data.value("parent_id", std::string());
      ctx.submitter = h.data.value("submitter", std::string());
      ctx.legacy_jitter = !h.data.contains("jitter");
    }
    if (rec) {
      ctx.definition_version = rec->version;
    }
    auto t = step(definition, rec ? &*rec : nullptr, e, ctx);
    if (!t) {
      return Error{t.error().code, "replay of history event " + std::to_string(h.seq) +
                                       " failed: " + t.error().message};
    }
    rec = std::move(t->instance);
  }
  if (!rec) return Error{ErrorCode::not_found, "the history has no events"};
  return std::move(*rec);
}

}  // namespace ledgerflow::rt
