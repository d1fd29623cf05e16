// The built-in function and macro table: names, arities and static signatures.
// The parser resolves names against it (unknown names and wrong arities are compile
// errors), the checker applies the signatures, builtins.cpp implements them.
// Thread-safety: immutable tables.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ledgerflow::expr {

enum class Fn : std::uint8_t {
  size,
  has,
  matches,
  lower,
  upper,
  contains,
  starts_with,
  ends_with,
  min,
  max,
  abs,
  round,
  sum,
  days_between,
  now,
  date,
  number,
  string,
};

enum class MacroKind : std::uint8_t { map, filter, all, exists };

inline constexpr std::uint16_t kVariadic = 0xFFFF;

struct FunctionInfo {
  std::string_view name;
  Fn id;
  std::uint16_t min_args;
  std::uint16_t max_args;  // kVariadic: no upper bound
  std::string_view usage;  // for arity messages, e.g. "round(number, digits)"
};

const FunctionInfo* find_function(std::string_view name);
const FunctionInfo& function_info(Fn id);
std::span<const FunctionInfo> all_functions();

std::optional<MacroKind> find_macro(std::string_view name);
std::string_view macro_name(MacroKind kind);

// The closest function or macro name within edit distance 2, for "did you mean".
std::optional<std::string_view> suggest_name(std::string_view unknown);

// Maximum nesting of macros (each bound variable takes a slot).
inline constexpr std::size_t kMaxVariables = 16;

}  // namespace ledgerflow::expr
