// Internal to the loader: turns a located Node tree into a Definition, checking each
// field as it goes and collecting problems instead of stopping at the first.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/definition/definition.h"
#include "engine/definition/loader.h"
#include "engine/definition/node.h"
#include "engine/definition/problem.h"

namespace ledgerflow::def::detail {

// A transition written in the document, with where it is written.
struct TargetRef {
  std::string target;
  Location loc;
  std::string from_state;
  std::string field;  // "next", "default", "on.approved", "catch", "choices"
};

// Per flow: targets to check once every state is known.
struct FlowInfo {
  const Node* node = nullptr;  // the flow's mapping (top level, branch or iterator)
  Location start_loc;
  std::vector<TargetRef> targets;
  std::vector<std::string> unknown_type_states;  // treated as terminal to avoid cascades
};

class Builder {
 public:
  Builder(const LoadOptions& options, std::vector<Problem>& problems)
      : options_(options), problems_(problems) {}

  // Builds the whole definition from the root mapping.
  Definition build(const Node& root);

 private:
  // --- problems
  void report(Location loc, std::string message);

  // --- generic field readers (each reports what is wrong and returns nothing then)
  struct Field {
    std::string_view key;
    bool required = false;
  };
  void check_keys(const Node& obj, std::span<const Field> fields, std::string_view what,
                  std::string_view kind_hint = {});
  bool expect(const Node& n, Node::Kind kind, std::string_view what);
  std::optional<std::string> read_string(const Node& obj, std::string_view key);
  std::optional<int> read_int(const Node& obj, std::string_view key, int min, int max);
  std::optional<bool> read_bool(const Node& obj, std::string_view key);
  std::optional<Duration> read_duration(const Node& obj, std::string_view key);
  std::vector<std::string> read_string_list(const Node& obj, std::string_view key);
  std::optional<Expr> read_expr(const Node& n, std::string_view what);
  std::optional<Expr> read_expr_field(const Node& obj, std::string_view key);
  std::optional<Template> read_template(const Node& n);
  std::optional<std::string> read_path(const Node& obj, std::string_view key);
  std::string read_target(const Node& obj, std::string_view key, std::string_view field);
  void add_target(const Node& n, std::string_view field);
  void compile_template_string(const Node& n, Template& t);
  std::optional<Candidates> read_candidates(const Node& n);

  // --- structure
  Flow read_flow(const Node& flow_node, std::string_view what);
  void read_flow_states(const Node& flow_node, Flow& flow);
  std::optional<State> read_state(const std::string& name, Location name_loc, const Node& n);
  void read_common(const Node& n, State& s);
  StateSpec read_task(const Node& n);
  StateSpec read_score(const Node& n);
  StateSpec read_decide(const Node& n);
  StateSpec read_choice(const Node& n);
  StateSpec read_approval(const Node& n);
  StateSpec read_wait(const Node& n);
  StateSpec read_parallel(const Node& n);
  StateSpec read_map(const Node& n);
  StateSpec read_subflow(const Node& n);
  StateSpec read_succeed(const Node& n);
  StateSpec read_fail(const Node& n);
  void read_input(const Node& n, Definition& d);
  void read_permissions(const Node& n, Definition& d);
  Permission read_permission(const Node& n, std::string_view what);

  // --- graph checks (graph_check.cpp)
  void check_flow_graph(const Flow& flow, const FlowInfo& info);

  expr::Type type_of_path(std::span<const std::string> path) const;

  const LoadOptions& options_;
  std::vector<Problem>& problems_;
  const Node* root_ = nullptr;  // the document; its x- keys are extensions
  std::string state_;           // the state being read, for problem attribution
  std::vector<FlowInfo*> flow_stack_;
  std::map<std::string, Location, std::less<>> state_names_;  // names read so far
  std::set<std::string, std::less<>> all_state_names_;        // every name in the document
  std::vector<std::string> output_roots_;  // first segments of every state's output
  nlohmann::json input_schema_;
  std::size_t state_count_ = 0;
  bool too_many_states_reported_ = false;
};

}  // namespace ledgerflow::def::detail
