// Argument helpers shared by the finance action runners (finance_actions.h,
// ar_actions.h): typed reads of a task's rendered `with:` arguments that throw BadArgument
// naming the argument, and the date/money conversions the actions agree on.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::finance {

struct BadArgument {
  std::string message;
};

const nlohmann::json& object_arg(const nlohmann::json& args, const char* name);
std::string text_field(const nlohmann::json& obj, const char* name, const char* where);
std::string optional_text(const nlohmann::json& obj, const char* name);
// A money field as e4: decimal strings (records) or numbers (workflow data).
std::int64_t e4_field(const nlohmann::json& obj, const char* name, const char* where);
// A date (YYYY-MM-DD, or a timestamp: its UTC day) as days since 1970-01-01.
int day_of(const std::string& date, const char* what);
double number_arg(const nlohmann::json& args, const char* name, double fallback, double lo,
                  double hi);

template <typename T>
T must(Result<T> r) {
  if (!r) throw r.error();
  return std::move(*r);
}
inline void must(Result<void> r) {
  if (!r) throw r.error();
}

}  // namespace ledgerflow::finance
