#include "engine/definition/names.h"

namespace ledgerflow::def {
namespace {

bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool letter(char c) { return lower(c) || (c >= 'A' && c <= 'Z'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

// One leading character passing `first`, then any number passing `rest`.
template <typename First, typename Rest>
bool word(std::string_view s, First first, Rest rest) {
  if (s.empty() || !first(s[0])) return false;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (!rest(s[i])) return false;
  }
  return true;
}

// Length of the identifier [A-Za-z_][A-Za-z0-9_]* at the start of s (0 when none).
std::size_t identifier_at(std::string_view s) {
  if (s.empty() || !(letter(s[0]) || s[0] == '_')) return 0;
  std::size_t i = 1;
  while (i < s.size() && (letter(s[i]) || digit(s[i]) || s[i] == '_')) ++i;
  return i;
}

}  // namespace

bool is_workflow_name(std::string_view s) {
  return word(s, lower, [](char c) { return lower(c) || digit(c) || c == '_'; });
}

bool is_state_name(std::string_view s) {
  return word(
      s, [](char c) { return letter(c) || c == '_'; },
      [](char c) { return letter(c) || digit(c) || c == '_' || c == '-'; });
}

bool is_error_name(std::string_view s) {
  return word(s, lower, [](char c) { return lower(c) || digit(c) || c == '_' || c == '.'; });
}

bool is_signal_name(std::string_view s) {
  return word(
      s, [](char c) { return letter(c) || c == '_'; },
      [](char c) { return letter(c) || digit(c) || c == '_' || c == '.' || c == '-'; });
}

bool is_plugin_action(std::string_view s) {
  std::size_t parts = 0;
  while (true) {
    const std::size_t dot = s.find('.');
    if (!is_workflow_name(s.substr(0, dot))) return false;
    ++parts;
    if (dot == std::string_view::npos) return parts >= 2;
    s.remove_prefix(dot + 1);
  }
}

bool is_model_ref(std::string_view s) {
  const std::size_t at = s.find('@');
  if (at == std::string_view::npos) return is_workflow_name(s);
  const std::string_view ref = s.substr(at + 1);
  return is_workflow_name(s.substr(0, at)) &&
         (is_workflow_name(ref) || word(ref, digit, digit));
}

bool is_integer_text(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return word(s, digit, digit);
}

bool is_data_path(std::string_view s) {
  std::size_t n = identifier_at(s);
  if (n == 0) return false;
  s.remove_prefix(n);
  while (!s.empty()) {
    if (s[0] == '.') {
      n = identifier_at(s.substr(1));
      if (n == 0) return false;
      s.remove_prefix(n + 1);
    } else if (s[0] == '[') {
      std::size_t i = 1;
      while (i < s.size() && digit(s[i])) ++i;
      if (i == 1 || i == s.size() || s[i] != ']') return false;
      s.remove_prefix(i + 1);
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace ledgerflow::def
