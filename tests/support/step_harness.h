// A test driver around the pure step(): keeps one instance with its history, pending
// effects, timers and tasks in memory, and a fake clock that tests advance by hand.
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/definition/loader.h"
#include "engine/runtime/step.h"

namespace ledgerflow::testing {

inline std::shared_ptr<const def::Definition> load_or_die(const std::string& yaml) {
  auto r = def::load_definition(yaml);
  if (!r.ok()) {
    std::string all;
    for (const auto& p : r.problems) all += def::format_problem("test", p) + "\n";
    throw std::runtime_error("definition does not load:\n" + all);
  }
  return r.definition;
}

class StepHarness {
 public:
  explicit StepHarness(const std::string& yaml,
                       std::int64_t now_us = 1'767'225'600'000'000)  // 2026-01-01
      : def(load_or_die(yaml)), now(now_us) {}

  std::shared_ptr<const def::Definition> def;
  std::int64_t now;
  rt::InstanceRecord rec;
  bool started = false;
  std::vector<rt::HistoryRecord> history;
  std::vector<rt::OutboxRecord> outbox;
  std::map<std::string, rt::TimerRecord> timers;
  std::map<std::string, rt::TaskRecord> tasks;
  std::vector<rt::EventRecord> events;

  Result<void> start(nlohmann::json input, rt::Actor actor = {"alice", {"ap_clerk"}}) {
    rt::Event e;
    e.type = rt::Event::Type::start;
    e.input = std::move(input);
    rt::StepContext ctx;
    ctx.now_us = now;
    ctx.actor = std::move(actor);
    ctx.definition_version = 1;
    ctx.new_instance_id = "inst1";
    auto t = rt::step(*def, nullptr, e, ctx);
    if (!t) return t.error();
    started = true;
    apply(std::move(*t));
    return {};
  }

  Result<void> send(const rt::Event& e, rt::Actor actor = {"system", {}}) {
    rt::StepContext ctx;
    ctx.now_us = now;
    ctx.actor = std::move(actor);
    auto t = rt::step(*def, &rec, e, ctx);
    if (!t) return t.error();
    apply(std::move(*t));
    return {};
  }

  void apply(rt::Transition t) {
    rec = std::move(t.instance);
    for (auto& h : t.history) history.push_back(std::move(h));
    for (const auto& d : t.effects_done) {
      outbox.erase(
          std::remove_if(outbox.begin(), outbox.end(), [&](const auto& o) { return o.id == d; }),
          outbox.end());
    }
    for (auto& o : t.effects) outbox.push_back(std::move(o));
    for (const auto& d : t.timers_deleted) timers.erase(d);
    for (auto& tm : t.timers) timers[tm.id] = std::move(tm);
    for (auto& k : t.tasks) tasks[k.id] = std::move(k);
    for (auto& ev : t.events) events.push_back(std::move(ev));
  }

  // The oldest pending effect of a kind ("action", "score", ...), or nullptr.
  const rt::OutboxRecord* effect(const std::string& kind) const {
    for (const auto& o : outbox) {
      if (o.kind == kind) return &o;
    }
    return nullptr;
  }

  Result<void> complete_effect(const std::string& kind, nlohmann::json output) {
    const auto* o = effect(kind);
    if (!o) return Error::invalid("no pending effect of kind " + kind);
    rt::Event e;
    e.type = rt::Event::Type::effect_result;
    e.effect_id = o->id;
    e.output = std::move(output);
    return send(e);
  }

  Result<void> fail_effect(const std::string& kind, const std::string& error,
                           const std::string& message) {
    const auto* o = effect(kind);
    if (!o) return Error::invalid("no pending effect of kind " + kind);
    rt::Event e;
    e.type = rt::Event::Type::effect_result;
    e.effect_id = o->id;
    e.ok = false;
    e.error = error;
    e.message = message;
    return send(e);
  }

  // Moves the clock and fires every timer that is due, earliest first.
  void advance_ms(std::int64_t ms) {
    now += ms * 1000;
    for (;;) {
      const rt::TimerRecord* next = nullptr;
      for (const auto& [id, t] : timers) {
        if (t.due_at_us <= now && (!next || t.due_at_us < next->due_at_us)) next = &t;
      }
      if (!next) return;
      rt::Event e;
      e.type = rt::Event::Type::timer_fired;
      e.timer_id = next->id;
      e.payload = next->payload;
      timers.erase(next->id);
      auto r = send(e);
      if (!r) throw std::runtime_error("timer failed: " + r.error().message);
    }
  }

  const rt::TaskRecord* open_task() const {
    for (const auto& [id, t] : tasks) {
      if (t.status == rt::TaskStatus::open) return &t;
    }
    return nullptr;
  }

  Result<void> act(const std::string& task_id, const std::string& outcome, rt::Actor actor,
                   rt::Event::Type type = rt::Event::Type::task_complete,
                   const std::string& to = "", std::vector<std::string> to_roles = {}) {
    rt::Event e;
    e.type = type;
    e.task_id = task_id;
    e.outcome = outcome;
    e.to = to;
    e.to_roles = std::move(to_roles);
    return send(e, std::move(actor));
  }

  nlohmann::json data() const {
    auto st = rec.state;
    if (st.contains("data")) return st["data"];
    return st["frames"][0]["data"];
  }

  std::vector<std::string> history_types() const {
    std::vector<std::string> out;
    for (const auto& h : history) out.push_back(h.type + (h.state.empty() ? "" : ":" + h.state));
    return out;
  }
};

}  // namespace ledgerflow::testing
