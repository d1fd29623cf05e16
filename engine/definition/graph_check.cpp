// Graph checks of one flow: targets exist, every state is reachable from start, and
// from every reachable state some succeed/fail state can be reached.
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "engine/definition/builder.h"

namespace ledgerflow::def::detail {

void Builder::check_flow_graph(const Flow& flow, const FlowInfo& info) {
  const std::string owner = state_;
  std::set<std::string> names;
  std::vector<std::string_view> name_list;
  std::map<std::string, const State*> by_name;
  for (const auto& s : flow.states) {
    names.insert(s.name);
    by_name[s.name] = &s;
  }
  for (const auto& n : info.unknown_type_states) names.insert(n);
  for (const auto& n : names) name_list.push_back(n);

  auto explain_missing = [&](const std::string& target) {
    if (all_state_names_.count(target)) {
      return "'" + target +
             "' belongs to another flow; a flow (the top level, a parallel branch or a "
             "map iterator) can only move between its own states";
    }
    std::string msg = "'" + target + "' does not exist";
    std::string s = did_you_mean(target, name_list);
    if (!s.empty()) msg += " (did you mean '" + s + "'?)";
    return msg;
  };

  bool start_ok = !flow.start.empty() && names.count(flow.start);
  if (!flow.start.empty() && !start_ok) {
    state_.clear();
    report(info.start_loc, "start state " + explain_missing(flow.start));
  }
  std::map<std::string, std::vector<std::string>> edges, reverse;
  bool targets_ok = true;
  for (const auto& t : info.targets) {
    if (!names.count(t.target)) {
      state_ = t.from_state;
      report(t.loc, "'" + t.field + "' target " + explain_missing(t.target));
      targets_ok = false;
      continue;
    }
    edges[t.from_state].push_back(t.target);
    reverse[t.target].push_back(t.from_state);
  }
  state_ = owner;
  // Broken pieces make the graph incomplete; reporting reachability then would only
  // repeat the same mistake in other words.
  if (!start_ok || !targets_ok || !info.unknown_type_states.empty()) return;
  for (const auto& s : flow.states) {
    bool routes = s.type == StateType::choice || s.type == StateType::approval || !s.next.empty() ||
                  is_terminal(s.type);
    if (!routes) return;  // a missing 'next' was reported already
  }

  std::set<std::string> reached{flow.start};
  std::deque<std::string> queue{flow.start};
  while (!queue.empty()) {
    auto cur = queue.front();
    queue.pop_front();
    for (const auto& n : edges[cur]) {
      if (reached.insert(n).second) queue.push_back(n);
    }
  }
  std::set<std::string> ends;
  for (const auto& s : flow.states) {
    if (is_terminal(s.type)) {
      ends.insert(s.name);
      queue.push_back(s.name);
    }
  }
  while (!queue.empty()) {
    auto cur = queue.front();
    queue.pop_front();
    for (const auto& n : reverse[cur]) {
      if (ends.insert(n).second) queue.push_back(n);
    }
  }
  for (const auto& s : flow.states) {
    state_ = s.name;
    if (!reached.count(s.name)) {
      report(s.loc,
             "state is unreachable: no transition from start '" + flow.start + "' leads here");
    } else if (!ends.count(s.name)) {
      report(s.loc,
             "no succeed or fail state can be reached from this state (the flow can never end)");
    }
  }
  state_ = owner;
}

}  // namespace ledgerflow::def::detail
