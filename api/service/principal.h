// Principal: the authenticated caller of an API request — a user name and its roles.
// Thread-safety: a plain value.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

namespace ledgerflow::api {

struct Principal {
  std::string user;
  std::vector<std::string> roles;

  bool has(std::string_view role) const {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
  }
  bool is_admin() const { return has("admin"); }
  // Auditors read everything and change nothing; a user with only that role is read-only.
  bool read_only() const {
    return std::all_of(roles.begin(), roles.end(),
                       [](const std::string& r) { return r == "auditor"; });
  }
  bool sees_everything() const { return is_admin() || has("auditor"); }
};

}  // namespace ledgerflow::api
