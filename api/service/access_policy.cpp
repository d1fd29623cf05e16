#include "api/service/route_module.h"

#include <algorithm>

namespace ledgerflow::api {
namespace {

bool builtin(const std::string& rule) {
  return rule == "public" || rule == "read" || rule == "write";
}

}  // namespace

std::string join_roles(const std::vector<std::string>& roles) {
  std::string out;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out += i + 1 == roles.size() ? " or " : ", ";
    out += roles[i];
  }
  return out;
}

void AccessPolicy::define(RoleRule rule) {
  std::string name = rule.name;
  rules_[name] = std::move(rule);
}

Result<void> AccessPolicy::grant(const std::string& rule, const std::vector<std::string>& roles) {
  auto it = rules_.find(rule);
  if (it == rules_.end()) return Error::invalid("no access rule '" + rule + "' to grant roles on");
  for (const auto& r : roles) {
    auto& have = it->second.roles;
    if (std::find(have.begin(), have.end(), r) == have.end()) have.push_back(r);
  }
  return {};
}

Result<void> AccessPolicy::configure(const std::map<std::string, std::vector<std::string>>& roles) {
  for (const auto& [name, list] : roles) {
    auto it = rules_.find(name);
    if (it == rules_.end()) {
      std::string known;
      for (const auto& [n, _] : rules_) known += (known.empty() ? "" : ", ") + n;
      return Error::invalid("access: unknown rule '" + name + "' (rules: " + known + ")");
    }
    if (list.empty()) return Error::invalid("access: rule '" + name + "' lists no roles");
    it->second.roles = list;
  }
  return {};
}

bool AccessPolicy::knows(const std::string& rule) const {
  return builtin(rule) || rules_.count(rule) > 0;
}

std::vector<std::string> AccessPolicy::roles_of(const std::string& rule) const {
  auto it = rules_.find(rule);
  return it == rules_.end() ? std::vector<std::string>{} : it->second.roles;
}

std::optional<std::string> AccessPolicy::refusal(const Principal& p,
                                                 const std::string& rule) const {
  if (rule == "public" || rule == "read") return std::nullopt;
  if (rule == "write") {
    if (p.read_only()) return std::string("has read-only access (auditor)");
    return std::nullopt;
  }
  auto it = rules_.find(rule);
  if (it == rules_.end()) return std::string("may not do this (no access rule '" + rule + "')");
  for (const auto& r : it->second.roles) {
    if (p.has(r)) return std::nullopt;
  }
  std::string text = it->second.refusal;
  if (auto at = text.find("{roles}"); at != std::string::npos) {
    text.replace(at, 7, join_roles(it->second.roles));
  }
  return text;
}

}  // namespace ledgerflow::api
