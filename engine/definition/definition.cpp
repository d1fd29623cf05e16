#include "engine/definition/definition.h"

#include <algorithm>

#include <array>

namespace ledgerflow::def {

std::string_view to_string(StateType type) {
  static constexpr std::array<std::string_view, 11> names = {
      "task",     "score", "decide",  "choice",  "approval", "wait",
      "parallel", "map",   "subflow", "succeed", "fail"};
  return names[static_cast<std::size_t>(type)];
}

bool is_terminal(StateType type) {
  return type == StateType::succeed || type == StateType::fail;
}

std::vector<std::string> State::targets() const {
  std::vector<std::string> out;
  if (!next.empty()) out.push_back(next);
  if (const auto* c = std::get_if<ChoiceSpec>(&spec)) {
    for (const auto& b : c->choices) out.push_back(b.next);
    if (!c->default_next.empty()) out.push_back(c->default_next);
  }
  if (const auto* a = std::get_if<ApprovalSpec>(&spec)) {
    for (const auto& [outcome, target] : a->on) out.push_back(target);
  }
  for (const auto& k : catchers) out.push_back(k.next);
  return out;
}

namespace {

const State* find_in(const Flow& flow, std::string_view name) {
  for (const auto& s : flow.states) {
    if (s.name == name) return &s;
    if (const auto* p = std::get_if<ParallelSpec>(&s.spec)) {
      for (const auto& b : p->branches) {
        if (const State* found = find_in(b, name)) return found;
      }
    }
    if (const auto* m = std::get_if<MapSpec>(&s.spec)) {
      if (const State* found = find_in(m->iterator, name)) return found;
    }
  }
  return nullptr;
}

std::size_t count_in(const Flow& flow) {
  std::size_t n = flow.states.size();
  for (const auto& s : flow.states) {
    if (const auto* p = std::get_if<ParallelSpec>(&s.spec)) {
      for (const auto& b : p->branches) n += count_in(b);
    }
    if (const auto* m = std::get_if<MapSpec>(&s.spec)) n += count_in(m->iterator);
  }
  return n;
}

}  // namespace

bool Permission::allows(const std::string& user, const std::vector<std::string>& user_roles,
                        const std::string& created_by) const {
  if (creator && !created_by.empty() && user == created_by) return true;
  if (std::find(users.begin(), users.end(), user) != users.end()) return true;
  return std::any_of(user_roles.begin(), user_roles.end(), [&](const std::string& r) {
    return std::find(roles.begin(), roles.end(), r) != roles.end();
  });
}

const State* Definition::find_state(std::string_view name) const {
  return find_in(flow, name);
}
std::size_t Definition::state_count() const {
  return count_in(flow);
}

}  // namespace ledgerflow::def
