// What entering each state type does inside step().
#include <cmath>
#include <limits>

#include "engine/expr/timestamp.h"
#include "engine/runtime/stepper.h"
#include "engine/scoring/pseudonym.h"

namespace ledgerflow::rt::detail {
namespace {

constexpr std::size_t kMaxMapItems = 10000;

Failure expression_failure(const Error& e) {
  return {"expression_error", e.message};
}

}  // namespace

void Stepper::wait_effect(std::uint32_t id, const def::State& s, const char* kind,
                          nlohmann::json payload) {
  Frame& f = frame(id);
  std::string effect_id = next_id("e");
  payload["state"] = s.name;
  payload["attempt"] = f.attempt;
  f.wait = WaitKind::effect;
  f.wait_key = effect_id;
  tr_.effects.push_back(OutboxRecord{effect_id, rec_.id, kind, ctx_.now_us, std::move(payload)});
}

void Stepper::enter_task(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::TaskSpec>(s.spec);
  auto args = spec.with.render(frame(id).data, eval_context());
  if (!args) return fail_state(id, expression_failure(args.error()));
  if (spec.action == "set") {
    for (auto& [key, value] : args->items()) set_path(frame(id).data, key, value);
    return complete_state(id, nullptr);
  }
  if (spec.action == "emit") {
    std::string event = args->value("event", std::string());
    nlohmann::json data = args->value("data", nlohmann::json());
    tr_.events.push_back(EventRecord{0,
                                     ctx_.now_us,
                                     "emit",
                                     rec_.id,
                                     "",
                                     {{"event", event}, {"data", data}, {"state", s.name}}});
    history("emitted", s.name, {{"event", event}, {"data", std::move(data)}});
    return complete_state(id, nullptr);
  }
  std::int64_t timeout_ms = s.timeout ? s.timeout->ms : 30000;
  Frame& f = frame(id);
  std::string key = rec_.id + ":" + s.name + ":" + std::to_string(f.attempt);
  wait_effect(id, s, kEffectAction,
              {{"action", spec.action},
               {"args", std::move(*args)},
               {"idempotency_key", key},
               {"timeout_ms", timeout_ms}});
}

void Stepper::enter_score(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::ScoreSpec>(s.spec);
  nlohmann::json features = nlohmann::json::object();
  for (const auto& [name, e] : spec.features) {
    auto v = e.evaluate(frame(id).data, eval_context());
    if (!v) return fail_state(id, expression_failure(v.error()));
    switch (v->kind()) {
      case expr::Kind::null:
        features[name] = nullptr;  // missing
        break;
      case expr::Kind::boolean:
        features[name] = v->as_bool() ? 1.0 : 0.0;
        break;
      case expr::Kind::number:
        features[name] = v->as_number().to_double();
        break;
      default:
        return fail_state(id,
                          {"expression_error", "feature '" + name + "' (" + e.source + ") is a " +
                                                   std::string(expr::to_string(v->kind())) +
                                                   "; features must be numbers, booleans or null"});
    }
  }
  // The scorer needs the values; what is recorded (decision, effect result, output)
  // carries sensitive ones only as pseudonyms (engine/scoring/pseudonym.h).
  nlohmann::json recorded = features;
  bool pseudonymised = false;
  for (const auto& [name, e] : spec.features) {
    if (!scoring::is_sensitive_feature(def_, name, e)) continue;
    recorded[name] = scoring::pseudonymise(recorded[name], ctx_.pseudonym_key);
    pseudonymised = true;
  }
  nlohmann::json payload = {{"model", spec.model},
                            {"features", std::move(features)},
                            {"shadow", spec.shadow},
                            {"explain", spec.explain}};
  if (pseudonymised) payload["recorded_features"] = std::move(recorded);
  wait_effect(id, s, kEffectScore, std::move(payload));
}

void Stepper::enter_decide(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::DecideSpec>(s.spec);
  nlohmann::json collected = nlohmann::json::array();
  std::vector<std::size_t> matched;
  for (std::size_t i = 0; i < spec.rules.size(); ++i) {
    auto v = spec.rules[i].when.evaluate(frame(id).data, eval_context());
    if (!v) return fail_state(id, expression_failure(v.error()));
    if (v->kind() != expr::Kind::boolean) {
      return fail_state(
          id, {"expression_error", "rule " + std::to_string(i + 1) + " ('" +
                                       spec.rules[i].when.source + "') is not a boolean"});
    }
    if (!v->as_bool()) continue;
    matched.push_back(i);
    if (spec.hit == def::HitPolicy::first) break;
  }
  if (matched.empty()) {
    if (!spec.default_result) {
      return fail_state(id, {"no_rule_matched", "no rule of decision '" + s.name + "' matched"});
    }
    auto r = spec.default_result->render(frame(id).data, eval_context());
    if (!r) return fail_state(id, expression_failure(r.error()));
    history("decided", s.name, {{"rules", nlohmann::json::array()}, {"default", true}});
    return complete_state(id,
                          spec.hit == def::HitPolicy::collect ? nlohmann::json::array({*r}) : *r);
  }
  if (spec.hit == def::HitPolicy::unique && matched.size() > 1) {
    return fail_state(
        id, {"rule_conflict", "decision '" + s.name + "' uses hit policy unique but rules " +
                                  std::to_string(matched[0] + 1) + " and " +
                                  std::to_string(matched[1] + 1) + " both matched"});
  }
  nlohmann::json rules = nlohmann::json::array();
  for (auto i : matched) {
    auto r = spec.rules[i].result.render(frame(id).data, eval_context());
    if (!r) return fail_state(id, expression_failure(r.error()));
    collected.push_back(std::move(*r));
    rules.push_back(i + 1);
  }
  history("decided", s.name, {{"rules", rules}});
  complete_state(id, spec.hit == def::HitPolicy::collect ? collected : collected[0]);
}

void Stepper::enter_choice(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::ChoiceSpec>(s.spec);
  for (std::size_t i = 0; i < spec.choices.size(); ++i) {
    auto v = spec.choices[i].when.evaluate(frame(id).data, eval_context());
    if (!v) return fail_state(id, expression_failure(v.error()));
    if (v->kind() != expr::Kind::boolean) {
      return fail_state(
          id, {"expression_error",
               "choice " + std::to_string(i + 1) + " ('" + spec.choices[i].when.source + "') is " +
                   std::string(expr::to_string(v->kind())) + ", not a boolean"});
    }
    if (v->as_bool()) {
      history("state_completed", s.name, {{"choice", i + 1}, {"next", spec.choices[i].next}});
      return go_to(id, spec.choices[i].next);
    }
  }
  history("state_completed", s.name, {{"choice", "default"}, {"next", spec.default_next}});
  go_to(id, spec.default_next);
}

void Stepper::enter_wait(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::WaitSpec>(s.spec);
  Frame& f = frame(id);
  if (spec.duration) {
    f.wait = WaitKind::timer;
    f.wait_key = arm_timer(f, ctx_.now_us + spec.duration->ms * 1000, "wait");
    return;
  }
  if (spec.until) {
    auto v = spec.until->evaluate(f.data, eval_context());
    if (!v) return fail_state(id, expression_failure(v.error()));
    std::optional<std::int64_t> due;
    if (v->kind() == expr::Kind::timestamp) due = v->as_timestamp_micros();
    if (v->kind() == expr::Kind::string) due = expr::parse_timestamp(v->as_string());
    if (!due) {
      return fail_state(
          id, {"expression_error",
               "'until' (" + spec.until->source + ") must give a timestamp or an ISO 8601 string"});
    }
    if (*due <= ctx_.now_us) return complete_state(id, nullptr);
    Frame& again = frame(id);
    again.wait = WaitKind::timer;
    again.wait_key = arm_timer(again, *due, "wait");
    return;
  }
  nlohmann::json correlation;
  if (spec.correlation) {
    auto v = spec.correlation->evaluate(f.data, eval_context());
    if (!v) return fail_state(id, expression_failure(v.error()));
    correlation = expr::to_json(*v);
  }
  Frame& again = frame(id);
  again.wait = WaitKind::signal;
  again.wait_key = spec.signal;
  again.correlation = std::move(correlation);
}

void Stepper::enter_parallel(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::ParallelSpec>(s.spec);
  Frame& f = frame(id);
  f.wait = WaitKind::children;
  f.results.assign(spec.branches.size(), nullptr);
  f.finished.assign(spec.branches.size(), false);
  f.running_children = static_cast<std::uint32_t>(spec.branches.size());
  nlohmann::json data = f.data;
  for (std::size_t i = 0; i < spec.branches.size(); ++i) {
    spawn(id, static_cast<std::uint32_t>(i), spec.branches[i].start, data);
  }
}

void Stepper::enter_map(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::MapSpec>(s.spec);
  auto v = spec.items.evaluate(frame(id).data, eval_context());
  if (!v) return fail_state(id, expression_failure(v.error()));
  if (v->kind() != expr::Kind::list) {
    return fail_state(
        id, {"expression_error", "'items' (" + spec.items.source + ") is " +
                                     std::string(expr::to_string(v->kind())) + ", not a list"});
  }
  nlohmann::json items = expr::to_json(*v);
  if (items.size() > kMaxMapItems) {
    return fail_state(id, {"expression_error", "'items' has " + std::to_string(items.size()) +
                                                   " items; a map state takes at most " +
                                                   std::to_string(kMaxMapItems)});
  }
  Frame& f = frame(id);
  f.wait = WaitKind::children;
  f.results.assign(items.size(), nullptr);
  f.finished.assign(items.size(), false);
  f.running_children = 0;
  f.next_item = 0;
  f.items = std::move(items);
  start_map_items(id);
}

void Stepper::enter_subflow(std::uint32_t id, const def::State& s) {
  const auto& spec = std::get<def::SubflowSpec>(s.spec);
  nlohmann::json input = frame(id).data;
  if (spec.input) {
    auto r = spec.input->render(frame(id).data, eval_context());
    if (!r) return fail_state(id, expression_failure(r.error()));
    input = std::move(*r);
  }
  std::string child_id = next_id("c");
  wait_effect(id, s, kEffectStartChild,
              {{"workflow", spec.workflow},
               {"version", spec.version ? *spec.version : 0},
               {"input", std::move(input)},
               {"child_id", child_id},
               {"submitter", rec_.created_by}});
  frame(id).correlation = child_id;  // so cancelling the frame cancels the child
}

}  // namespace ledgerflow::rt::detail
