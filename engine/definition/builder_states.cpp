// Per-state-type readers of the loader: the fields of each state type (docs/dsl.md).
#include <algorithm>
#include <array>

#include "engine/definition/builder.h"
#include "engine/definition/names.h"

namespace ledgerflow::def::detail {
namespace {

using F = std::initializer_list<std::string_view>;

constexpr std::array<std::string_view, 11> kTypeNames = {
    "task",     "score", "decide",  "choice",  "approval", "wait",
    "parallel", "map",   "subflow", "succeed", "fail"};

// Keys each state type accepts besides `type` and `comment`; required ones marked.
struct TypeFields {
  std::vector<std::string_view> keys;
  std::vector<std::string_view> required;
};

const TypeFields& fields_of(StateType t) {
  static const std::array<TypeFields, 11> table = {{
      {{"action", "with", "next", "output", "timeout", "retry", "catch"}, {"action", "next"}},
      {{"model", "features", "shadow", "explain", "next", "output", "timeout", "retry", "catch"},
       {"model", "features", "next"}},
      {{"hit", "rules", "default", "next", "output", "timeout", "retry", "catch"},
       {"rules", "next"}},
      {{"choices", "default"}, {"choices", "default"}},
      {{"candidates", "min_approvals", "forbid", "due", "escalate", "title", "on", "output",
        "timeout", "catch"},
       {"candidates", "on"}},
      {{"duration", "until", "signal", "correlation", "next", "output", "timeout", "catch"},
       {"next"}},
      {{"branches", "join", "next", "output", "timeout", "retry", "catch"}, {"branches", "next"}},
      {{"items", "iterator", "max_concurrency", "next", "output", "timeout", "retry", "catch"},
       {"items", "iterator", "next"}},
      {{"workflow", "version", "input", "next", "output", "timeout", "retry", "catch"},
       {"workflow", "next"}},
      {{"result"}, {}},
      {{"error", "cause"}, {"error"}},
  }};
  return table[static_cast<std::size_t>(t)];
}


}  // namespace

std::optional<State> Builder::read_state(const std::string& name, Location name_loc,
                                         const Node& n) {
  state_ = name;
  if (!expect(n, Node::Kind::mapping, "a state")) return std::nullopt;
  const Node* type_node = n.find("type");
  if (!type_node) {
    report(n.loc,
           "missing required field 'type' (one of task, score, decide, choice, approval, wait, "
           "parallel, map, subflow, succeed, fail)");
    return std::nullopt;
  }
  if (!expect(*type_node, Node::Kind::string, "'type'")) return std::nullopt;
  auto it = std::find(kTypeNames.begin(), kTypeNames.end(), type_node->text);
  if (it == kTypeNames.end()) {
    std::string msg = "unknown state type '" + type_node->text + "'";
    std::string s = did_you_mean(type_node->text, {kTypeNames.begin(), kTypeNames.end()});
    msg += s.empty()
               ? " (expected one of task, score, decide, choice, approval, wait, parallel, map, "
                 "subflow, succeed, fail)"
               : " (did you mean '" + s + "'?)";
    report(type_node->loc, msg);
    return std::nullopt;
  }
  State s;
  s.name = name;
  s.loc = name_loc;
  s.type = static_cast<StateType>(it - kTypeNames.begin());

  // Keys: unknown ones with a suggestion; keys of other state types get a pointed hint.
  const TypeFields& tf = fields_of(s.type);
  std::vector<Field> fields{{"type", true}, {"comment", false}};
  for (auto k : tf.keys) {
    bool req = std::find(tf.required.begin(), tf.required.end(), k) != tf.required.end();
    fields.push_back({k, req});
  }
  std::vector<const Node::Entry*> foreign;
  Node own = n;  // checked copy without keys that belong to other state types
  own.entries.clear();
  for (const auto& e : n.entries) {
    bool mine =
        std::any_of(fields.begin(), fields.end(), [&](const Field& f) { return f.key == e.key; });
    bool elsewhere = false;
    for (std::size_t t = 0; t < kTypeNames.size() && !mine; ++t) {
      const auto& keys = fields_of(static_cast<StateType>(t)).keys;
      elsewhere = elsewhere || std::find(keys.begin(), keys.end(), e.key) != keys.end();
    }
    if (!mine && elsewhere) {
      report(e.key_loc, "'" + e.key + "' does not apply to a " + type_node->text + " state");
    } else {
      own.entries.push_back(e);
    }
  }
  check_keys(own, fields, "a " + type_node->text + " state");

  if (auto c = n.find("comment")) {
    if (expect(*c, Node::Kind::string, "'comment'")) s.comment = c->text;
  }
  read_common(n, s);
  switch (s.type) {
    case StateType::task:
      s.spec = read_task(n);
      break;
    case StateType::score:
      s.spec = read_score(n);
      break;
    case StateType::decide:
      s.spec = read_decide(n);
      break;
    case StateType::choice:
      s.spec = read_choice(n);
      break;
    case StateType::approval:
      s.spec = read_approval(n);
      break;
    case StateType::wait:
      s.spec = read_wait(n);
      break;
    case StateType::parallel:
      s.spec = read_parallel(n);
      break;
    case StateType::map:
      s.spec = read_map(n);
      break;
    case StateType::subflow:
      s.spec = read_subflow(n);
      break;
    case StateType::succeed:
      s.spec = read_succeed(n);
      break;
    case StateType::fail:
      s.spec = read_fail(n);
      break;
  }
  state_ = name;
  return s;
}

void Builder::read_common(const Node& n, State& s) {
  const auto& keys = fields_of(s.type).keys;
  auto allowed = [&](std::string_view k) {
    return std::find(keys.begin(), keys.end(), k) != keys.end();
  };
  if (allowed("next") && n.find("next")) s.next = read_target(n, "next", "next");
  if (allowed("output") && n.find("output")) s.output = read_path(n, "output").value_or("");
  if (allowed("timeout") && n.find("timeout")) s.timeout = read_duration(n, "timeout");
  if (allowed("retry")) {
    if (const Node* r = n.find("retry"); r && expect(*r, Node::Kind::sequence, "'retry'")) {
      for (const auto& item : r->items) {
        if (!expect(item, Node::Kind::mapping, "a retry policy")) continue;
        static constexpr Field kFields[] = {{"errors"},  {"max_attempts"}, {"backoff"},
                                            {"initial"}, {"max"},          {"jitter"}};
        check_keys(item, kFields, "a retry policy");
        RetryPolicy p;
        if (item.find("errors")) p.errors = read_string_list(item, "errors");
        if (auto v = read_int(item, "max_attempts", 1, 100)) p.max_attempts = *v;
        if (auto b = read_string(item, "backoff")) {
          if (*b == "fixed")
            p.exponential = false;
          else if (*b != "exponential")
            report(item.find("backoff")->loc,
                   "'backoff' must be 'exponential' or 'fixed', got '" + *b + "'");
        }
        if (auto d = read_duration(item, "initial")) p.initial = *d;
        if (auto d = read_duration(item, "max")) p.max = *d;
        if (auto j = read_bool(item, "jitter")) p.jitter = *j;
        if (p.max < p.initial) report(item.loc, "retry 'max' is shorter than 'initial'");
        s.retry.push_back(std::move(p));
      }
    }
  }
  if (allowed("catch")) {
    if (const Node* c = n.find("catch"); c && expect(*c, Node::Kind::sequence, "'catch'")) {
      for (const auto& item : c->items) {
        if (!expect(item, Node::Kind::mapping, "a catcher")) continue;
        static constexpr Field kFields[] = {{"errors", true}, {"next", true}, {"output"}};
        check_keys(item, kFields, "a catcher");
        Catcher k;
        k.errors = read_string_list(item, "errors");
        if (const Node* errs = item.find("errors");
            errs && errs->is_sequence() && errs->items.empty())
          report(errs->loc, "'errors' must name at least one error (or 'any')");
        if (item.find("next")) k.next = read_target(item, "next", "catch");
        if (item.find("output")) k.output = read_path(item, "output").value_or("");
        s.catchers.push_back(std::move(k));
      }
    }
  }
  for (const auto* list : {n.find("retry"), n.find("catch")}) {
    if (!list || !list->is_sequence()) continue;
    for (const auto& item : list->items) {
      const Node* errs = item.find("errors");
      if (!errs || !errs->is_sequence()) continue;
      for (const auto& e : errs->items) {
        if (e.is_string() && !is_error_name(e.text))
          report(e.loc,
                 "'" + e.text + "' is not an error name (lower-case letters, digits, '_' and '.')");
      }
    }
  }
}

StateSpec Builder::read_task(const Node& n) {
  TaskSpec t;
  t.action = read_string(n, "action").value_or("");
  const Node* with = n.find("with");
  if (with && expect(*with, Node::Kind::mapping, "'with'")) {
    if (auto tpl = read_template(*with)) t.with = std::move(*tpl);
  } else {
    t.with.kind = Template::Kind::map;
  }
  if (t.action.empty()) return t;
  const Node* action = n.find("action");
  auto need = [&](std::string_view key) {
    if (!with || !with->find(key))
      report(with ? with->loc : n.loc,
             "action '" + t.action + "' needs 'with." + std::string(key) + "'");
  };
  if (t.action == "set") {
    if (!with || with->entries.empty())
      report(n.loc, "action 'set' needs 'with' with at least one data path");
  } else if (t.action == "emit") {
    need("event");
  } else if (t.action == "http") {
    need("url");
    need("method");
    // The host is part of the reviewed definition, never of instance data: a URL whose
    // scheme or host comes from a template would let an input send the daemon anywhere.
    if (const Node* url = with ? with->find("url") : nullptr) {
      const std::string& u = url->text;
      const auto scheme_end = u.find("://");
      const auto authority_end =
          scheme_end == std::string::npos ? u.size() : u.find_first_of("/?#", scheme_end + 3);
      if (!url->is_string() || scheme_end == std::string::npos ||
          u.substr(0, authority_end).find("${") != std::string::npos) {
        report(url->loc,
               "an http action's 'url' must write its scheme and host literally (e.g. "
               "\"http://erp.example.com/api/${invoice.id}\"): a host taken from instance data "
               "would let an input send the daemon anywhere");
      }
    }
  } else if (!is_plugin_action(t.action)) {
    std::string s = did_you_mean(t.action, {"set", "emit", "http"});
    report(action->loc, "unknown action '" + t.action + "'" +
                            (s.empty() ? "" : " (did you mean '" + s + "'?)") +
                            ": built-in actions are set, emit and http; plugin actions are named "
                            "namespace.name (e.g. ap.duplicate_candidates)");
  }
  return t;
}

StateSpec Builder::read_score(const Node& n) {
  ScoreSpec s;
  auto check_ref = [&](const Node& node) {
    if (!is_model_ref(node.text)) {
      report(node.loc,
             "'" + node.text + "' is not a model reference (name, name@alias or name@version)");
      return false;
    }
    return true;
  };
  if (auto m = read_string(n, "model"); m && check_ref(*n.find("model"))) {
    s.model = *m;
    s.model_loc = n.find("model")->loc;
  }
  if (const auto* fe = n.find_entry("features")) s.features_loc = fe->key_loc;
  if (const Node* f = n.find("features"); f && expect(*f, Node::Kind::mapping, "'features'")) {
    if (f->entries.empty()) report(f->loc, "'features' needs at least one feature");
    for (const auto& e : f->entries) {
      if (auto ex = read_expr(e.value, "feature '" + e.key + "'"))
        s.features.emplace_back(e.key, std::move(*ex));
    }
  }
  if (const Node* sh = n.find("shadow"); sh && expect(*sh, Node::Kind::sequence, "'shadow'")) {
    for (const auto& item : sh->items) {
      if (expect(item, Node::Kind::string, "each item of 'shadow'") && check_ref(item)) {
        s.shadow.push_back(item.text);
        s.shadow_locs.push_back(item.loc);
      }
    }
  }
  if (auto k = read_int(n, "explain", 0, 50)) s.explain = *k;
  return s;
}

StateSpec Builder::read_decide(const Node& n) {
  DecideSpec d;
  if (auto h = read_string(n, "hit")) {
    if (*h == "first")
      d.hit = HitPolicy::first;
    else if (*h == "unique")
      d.hit = HitPolicy::unique;
    else if (*h == "collect")
      d.hit = HitPolicy::collect;
    else
      report(n.find("hit")->loc, "'hit' must be first, unique or collect, got '" + *h + "'");
  }
  if (const Node* rules = n.find("rules");
      rules && expect(*rules, Node::Kind::sequence, "'rules'")) {
    if (rules->items.empty()) report(rules->loc, "'rules' needs at least one rule");
    for (const auto& r : rules->items) {
      if (!expect(r, Node::Kind::mapping, "a rule")) continue;
      static constexpr Field kFields[] = {{"when", true}, {"result", true}};
      check_keys(r, kFields, "a rule");
      auto when = read_expr_field(r, "when");
      const Node* result = r.find("result");
      auto tpl = result ? read_template(*result) : std::nullopt;
      if (when && tpl) d.rules.push_back(DecisionRule{std::move(*when), std::move(*tpl)});
    }
  }
  if (const Node* def = n.find("default")) d.default_result = read_template(*def);
  return d;
}

StateSpec Builder::read_choice(const Node& n) {
  ChoiceSpec c;
  if (const Node* choices = n.find("choices");
      choices && expect(*choices, Node::Kind::sequence, "'choices'")) {
    if (choices->items.empty()) report(choices->loc, "'choices' needs at least one choice");
    for (const auto& item : choices->items) {
      if (!expect(item, Node::Kind::mapping, "a choice")) continue;
      static constexpr Field kFields[] = {{"when", true}, {"next", true}};
      check_keys(item, kFields, "a choice");
      auto when = read_expr_field(item, "when");
      std::string next = item.find("next") ? read_target(item, "next", "choices") : "";
      if (when && !next.empty()) c.choices.push_back(ChoiceBranch{std::move(*when), next});
    }
  }
  if (n.find("default")) c.default_next = read_target(n, "default", "default");
  return c;
}

StateSpec Builder::read_approval(const Node& n) {
  ApprovalSpec a;
  if (const Node* c = n.find("candidates")) {
    if (auto cand = read_candidates(*c)) a.candidates = std::move(*cand);
  }
  if (auto m = read_int(n, "min_approvals", 1, 10)) a.min_approvals = *m;
  if (const Node* f = n.find("forbid"); f && expect(*f, Node::Kind::sequence, "'forbid'")) {
    for (const auto& item : f->items) {
      if (auto e = read_expr(item, "each item of 'forbid'")) a.forbid.push_back(std::move(*e));
    }
  }
  if (n.find("due")) a.due = read_duration(n, "due");
  if (const Node* esc = n.find("escalate");
      esc && expect(*esc, Node::Kind::mapping, "'escalate'")) {
    static constexpr Field kFields[] = {{"after", true}, {"to", true}};
    check_keys(*esc, kFields, "'escalate'");
    auto after = read_duration(*esc, "after");
    const Node* to = esc->find("to");
    auto cand = to ? read_candidates(*to) : std::nullopt;
    if (after && cand) a.escalate = Escalation{*after, std::move(*cand)};
  }
  if (const Node* t = n.find("title"); t && expect(*t, Node::Kind::string, "'title'"))
    a.title = read_template(*t);
  if (const Node* on = n.find("on"); on && expect(*on, Node::Kind::mapping, "'on'")) {
    for (const auto& e : on->entries) {
      if (!is_workflow_name(e.key)) {
        report(e.key_loc, "outcome '" + e.key + "' must be lower-case letters, digits and '_'");
        continue;
      }
      if (!expect(e.value, Node::Kind::string, "'on." + e.key + "' (a state name)")) continue;
      add_target(e.value, "on." + e.key);
      a.on.emplace_back(e.key, e.value.text);
    }
    if (!on->find("approved")) report(on->loc, "'on' must route the outcome 'approved'");
  }
  return a;
}

StateSpec Builder::read_wait(const Node& n) {
  WaitSpec w;
  int kinds = (n.find("duration") ? 1 : 0) + (n.find("until") ? 1 : 0) + (n.find("signal") ? 1 : 0);
  if (kinds != 1) {
    report(n.loc, kinds == 0 ? "a wait state needs one of 'duration', 'until' or 'signal'"
                             : "a wait state takes only one of 'duration', 'until' or 'signal'");
  }
  if (n.find("duration")) w.duration = read_duration(n, "duration");
  w.until = read_expr_field(n, "until");
  if (n.find("signal")) {
    w.signal = read_string(n, "signal").value_or("");
    if (!w.signal.empty() && !is_signal_name(w.signal))
      report(n.find("signal")->loc,
             "'" + w.signal + "' is not a signal name (letters, digits, '_', '.', '-')");
  }
  if (n.find("correlation")) {
    if (!n.find("signal"))
      report(n.find("correlation")->loc, "'correlation' applies only to a wait on a 'signal'");
    w.correlation = read_expr_field(n, "correlation");
  }
  return w;
}

StateSpec Builder::read_parallel(const Node& n) {
  ParallelSpec p;
  if (auto j = read_string(n, "join")) {
    if (*j == "all")
      p.join = Join::all;
    else if (*j == "any")
      p.join = Join::any;
    else
      report(n.find("join")->loc, "'join' must be 'all' or 'any', got '" + *j + "'");
  }
  if (const Node* b = n.find("branches"); b && expect(*b, Node::Kind::sequence, "'branches'")) {
    if (b->items.empty()) report(b->loc, "'branches' needs at least one branch");
    std::string owner = state_;
    for (std::size_t i = 0; i < b->items.size(); ++i) {
      p.branches.push_back(read_flow(b->items[i], "branch " + std::to_string(i + 1)));
      state_ = owner;
    }
  }
  return p;
}

StateSpec Builder::read_map(const Node& n) {
  MapSpec m;
  if (auto items = read_expr_field(n, "items")) m.items = std::move(*items);
  if (auto c = read_int(n, "max_concurrency", 1, 1000)) m.max_concurrency = *c;
  if (const Node* it = n.find("iterator")) {
    std::string owner = state_;
    m.iterator = read_flow(*it, "the iterator");
    state_ = owner;
  }
  return m;
}

StateSpec Builder::read_subflow(const Node& n) {
  SubflowSpec s;
  if (auto w = read_string(n, "workflow")) {
    if (!is_workflow_name(*w))
      report(n.find("workflow")->loc, "'" + *w + "' is not a workflow name");
    s.workflow = *w;
  }
  if (n.find("version")) s.version = read_int(n, "version", 1, 1000000);
  if (const Node* in = n.find("input")) s.input = read_template(*in);
  return s;
}

StateSpec Builder::read_succeed(const Node& n) {
  SucceedSpec s;
  if (const Node* r = n.find("result")) s.result = read_template(*r);
  return s;
}

StateSpec Builder::read_fail(const Node& n) {
  FailSpec f;
  if (auto e = read_string(n, "error")) {
    if (!is_error_name(*e))
      report(n.find("error")->loc,
             "'" + *e + "' is not an error name (lower-case letters, digits, '_' and '.')");
    f.error = *e;
  }
  if (const Node* c = n.find("cause")) f.cause = read_template(*c);
  return f;
}

}  // namespace ledgerflow::def::detail
