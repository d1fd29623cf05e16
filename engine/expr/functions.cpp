#include "engine/expr/functions.h"

#include <algorithm>
#include <array>
#include <vector>

namespace ledgerflow::expr {
namespace {

constexpr std::array kFunctions = {
    FunctionInfo{"size", Fn::size, 1, 1, "size(string|list|map)"},
    FunctionInfo{"has", Fn::has, 1, 1, "has(path)"},
    FunctionInfo{"matches", Fn::matches, 2, 2, "matches(string, pattern)"},
    FunctionInfo{"lower", Fn::lower, 1, 1, "lower(string)"},
    FunctionInfo{"upper", Fn::upper, 1, 1, "upper(string)"},
    FunctionInfo{"contains", Fn::contains, 2, 2, "contains(string, substring)"},
    FunctionInfo{"starts_with", Fn::starts_with, 2, 2, "starts_with(string, prefix)"},
    FunctionInfo{"ends_with", Fn::ends_with, 2, 2, "ends_with(string, suffix)"},
    FunctionInfo{"min", Fn::min, 1, kVariadic, "min(number, ...) or min(list)"},
    FunctionInfo{"max", Fn::max, 1, kVariadic, "max(number, ...) or max(list)"},
    FunctionInfo{"abs", Fn::abs, 1, 1, "abs(number)"},
    FunctionInfo{"round", Fn::round, 1, 2, "round(number[, digits])"},
    FunctionInfo{"sum", Fn::sum, 1, 1, "sum(list)"},
    FunctionInfo{"days_between", Fn::days_between, 2, 2, "days_between(from, to)"},
    FunctionInfo{"now", Fn::now, 0, 0, "now()"},
    FunctionInfo{"date", Fn::date, 1, 1, "date(string)"},
    FunctionInfo{"number", Fn::number, 1, 1, "number(string)"},
    FunctionInfo{"string", Fn::string, 1, 1, "string(value)"},
};

static_assert(
    [] {
      for (std::size_t i = 0; i < kFunctions.size(); ++i) {
        if (static_cast<std::size_t>(kFunctions[i].id) != i) return false;
      }
      return true;
    }(),
    "kFunctions must be in Fn order");

constexpr std::array<std::string_view, 4> kMacros = {"map", "filter", "all", "exists"};

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

const FunctionInfo* find_function(std::string_view name) {
  for (const auto& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FunctionInfo& function_info(Fn id) {
  return kFunctions[static_cast<std::size_t>(id)];
}

std::span<const FunctionInfo> all_functions() {
  return kFunctions;
}

std::optional<MacroKind> find_macro(std::string_view name) {
  for (std::size_t i = 0; i < kMacros.size(); ++i) {
    if (kMacros[i] == name) return static_cast<MacroKind>(i);
  }
  return std::nullopt;
}

std::string_view macro_name(MacroKind kind) {
  return kMacros[static_cast<std::size_t>(kind)];
}

std::optional<std::string_view> suggest_name(std::string_view unknown) {
  if (unknown.size() > 64) return std::nullopt;
  std::optional<std::string_view> best;
  std::size_t best_distance = 3;  // suggest only within distance 2
  auto consider = [&](std::string_view name) {
    const std::size_t d = edit_distance(unknown, name);
    if (d < best_distance && d < name.size()) {
      best_distance = d;
      best = name;
    }
  };
  for (const auto& f : kFunctions) consider(f.name);
  for (const auto name : kMacros) consider(name);
  return best;
}

}  // namespace ledgerflow::expr
