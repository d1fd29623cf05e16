// Definition: a validated, compiled, immutable workflow definition (docs/dsl.md).
// Produced only by the loader (loader.h), so every Definition in the process is valid:
// targets exist, expressions compiled and type-checked, durations parsed.
// Thread-safety: immutable after load; share it as shared_ptr<const Definition>.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/definition/duration.h"
#include "engine/definition/node.h"
#include "engine/definition/template.h"
#include "engine/expr/program.h"

namespace valijson {
class Schema;
}

namespace ledgerflow::def {

enum class StateType : std::uint8_t {
  task,
  score,
  decide,
  choice,
  approval,
  wait,
  parallel,
  map,
  subflow,
  succeed,
  fail
};
std::string_view to_string(StateType type);
bool is_terminal(StateType type);

struct RetryPolicy {
  std::vector<std::string> errors{"any"};
  int max_attempts = 3;
  bool exponential = true;
  Duration initial{1000};
  Duration max{300000};
  bool jitter = true;
};

struct Catcher {
  std::vector<std::string> errors;
  std::string next;
  std::string output;  // data path for {error, message}; empty = not stored
};

struct Candidates {
  std::vector<std::string> roles;
  std::vector<std::string> users;
};

struct State;

// A flow: a start state and its states, in document order. The top level of a
// definition, each parallel branch and each map iterator are flows.
struct Flow {
  std::string start;
  std::vector<State> states;
};

struct TaskSpec {
  std::string action;
  Template with;  // a mapping template, or empty mapping
};

struct ScoreSpec {
  std::string model;  // "name", "name@alias" or "name@version"
  std::vector<std::pair<std::string, Expr>> features;
  std::vector<std::string> shadow;
  int explain = 0;
  // Where `model`, the `features` key and each shadow reference are written, for the
  // deploy-time check against the model registry (engine/scoring/feature_check.h).
  Location model_loc;
  Location features_loc;
  std::vector<Location> shadow_locs;
};

enum class HitPolicy : std::uint8_t { first, unique, collect };

struct DecisionRule {
  Expr when;
  Template result;
};

struct DecideSpec {
  HitPolicy hit = HitPolicy::first;
  std::vector<DecisionRule> rules;
  std::optional<Template> default_result;
};

struct ChoiceBranch {
  Expr when;
  std::string next;
};

struct ChoiceSpec {
  std::vector<ChoiceBranch> choices;
  std::string default_next;
};

struct Escalation {
  Duration after;
  Candidates to;
};

struct ApprovalSpec {
  Candidates candidates;
  int min_approvals = 1;
  std::vector<Expr> forbid;
  std::optional<Duration> due;
  std::optional<Escalation> escalate;
  std::optional<Template> title;
  std::vector<std::pair<std::string, std::string>> on;  // outcome -> state, in order
};

struct WaitSpec {
  std::optional<Duration> duration;
  std::optional<Expr> until;
  std::string signal;
  std::optional<Expr> correlation;
};

enum class Join : std::uint8_t { all, any };

struct ParallelSpec {
  std::vector<Flow> branches;
  Join join = Join::all;
};

struct MapSpec {
  Expr items;
  Flow iterator;
  int max_concurrency = 10;
};

struct SubflowSpec {
  std::string workflow;
  std::optional<int> version;
  std::optional<Template> input;
};

struct SucceedSpec {
  std::optional<Template> result;
};

struct FailSpec {
  std::string error;
  std::optional<Template> cause;
};

using StateSpec = std::variant<TaskSpec, ScoreSpec, DecideSpec, ChoiceSpec, ApprovalSpec, WaitSpec,
                               ParallelSpec, MapSpec, SubflowSpec, SucceedSpec, FailSpec>;

struct State {
  std::string name;
  StateType type = StateType::succeed;
  Location loc;  // where the state's name is written
  std::string comment;
  std::string next;
  std::string output;  // data path; empty = result not stored
  std::optional<Duration> timeout;
  std::vector<RetryPolicy> retry;
  std::vector<Catcher> catchers;
  StateSpec spec;

  // Every state this one can move to: next, choices, default, on, catch targets.
  std::vector<std::string> targets() const;
};

// Who may do something to an instance from outside (over the API or the CLI). The engine
// itself (timers, actions' signals, child results: the actor "system") is never limited.
struct Permission {
  std::vector<std::string> roles;  // any one of them suffices
  std::vector<std::string> users;
  bool creator = false;  // the user who started the instance

  // True when `user` (holding `roles`) passes; `created_by` is the instance's starter.
  bool allows(const std::string& user, const std::vector<std::string>& user_roles,
              const std::string& created_by = {}) const;
};

// permissions: {start: Permission, signals: {name: Permission}}
struct Permissions {
  // Who may start an instance (and so claim its business key); absent: any user who may
  // write.
  std::optional<Permission> start;
  // Who may send each signal; a signal not listed is refused to every user (default deny).
  std::map<std::string, Permission> signals;
  // Who may read instances (get, list, history, decisions, events) besides their creator,
  // the candidates of their tasks, admins and auditors; absent: every user.
  std::optional<Permission> read;
};

struct Definition {
  std::string name;
  std::optional<int> version;
  std::string title;
  std::string description;
  nlohmann::json input_schema;                                    // null when absent
  std::shared_ptr<const valijson::Schema> compiled_input_schema;  // parsed once at load
  bool input_schema_uses_regex = false;  // pattern/patternProperties/format: inputs bounded
  std::vector<std::string> sensitive;
  std::optional<Duration> timeout;
  Permissions permissions;
  Flow flow;

  // The document as JSON, the same for the YAML and JSON spelling of a definition.
  nlohmann::json canonical;

  // Looks up a state by name anywhere in the definition (names are unique).
  const State* find_state(std::string_view name) const;
  std::size_t state_count() const;

  friend bool operator==(const Definition& a, const Definition& b) {
    return a.canonical == b.canonical;
  }
};

// Checks a start input against `input.schema`; the error names the JSON path that
// fails, e.g. "input does not match input.schema at /invoice/amount: ...".
// Strings and keys of the input are bounded first where the schema uses regular
// expressions (pattern, patternProperties, format), which valijson runs recursively.
Result<void> validate_input(const Definition& d, const nlohmann::json& input);
// True when the schema uses pattern, patternProperties or format anywhere.
bool schema_uses_regex(const nlohmann::json& schema);

}  // namespace ledgerflow::def
