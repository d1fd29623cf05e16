#include "plugins/finance/action_args.h"


#include "engine/expr/timestamp.h"
#include "plugins/finance/records/decimal.h"

namespace ledgerflow::finance {

const nlohmann::json& object_arg(const nlohmann::json& args, const char* name) {
  auto it = args.find(name);
  if (it == args.end() || !it->is_object())
    throw BadArgument{std::string("argument '") + name + "' must be an object"};
  return *it;
}

std::string text_field(const nlohmann::json& obj, const char* name, const char* where) {
  auto it = obj.find(name);
  if (it == obj.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
    throw BadArgument{std::string(where) + "." + name + " must be a non-empty string"};
  }
  return it->get<std::string>();
}

std::string optional_text(const nlohmann::json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A money field as e4: decimal strings (records) or numbers (workflow data).
std::int64_t e4_field(const nlohmann::json& obj, const char* name, const char* where) {
  auto it = obj.find(name);
  if (it != obj.end()) {
    if (it->is_string()) {
      if (auto v = records::parse_decimal_e4(it->get<std::string>())) return *v;
    } else if (it->is_number()) {
      if (auto v = records::double_to_e4(it->get<double>())) return *v;
    }
  }
  throw BadArgument{std::string(where) + "." + name + " must be an amount with at most 4 decimals"};
}

int day_of(const std::string& date, const char* what) {
  auto us = expr::parse_timestamp(date);
  if (!us) throw BadArgument{std::string(what) + " must be a date (YYYY-MM-DD)"};
  return expr::day_of(*us);
}

double number_arg(const nlohmann::json& args, const char* name, double fallback, double lo,
                  double hi) {
  auto it = args.find(name);
  if (it == args.end() || it->is_null()) return fallback;
  if (!it->is_number() || it->get<double>() < lo || it->get<double>() > hi) {
    throw BadArgument{std::string("argument '") + name + "' must be a number in [" +
                      std::to_string(lo) + ", " + std::to_string(hi) + "]"};
  }
  return it->get<double>();
}

}  // namespace ledgerflow::finance
