// validate_input(): the start input against the definition's compiled input.schema.
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "engine/definition/definition.h"

namespace ledgerflow::def {
namespace {

// valijson's context reads like {"<root>", "[invoice]", "[amount]"}; make it a JSON pointer.
std::string pointer_of(const std::vector<std::string>& context) {
  std::string out;
  for (const auto& c : context) {
    if (c == "<root>") continue;
    std::string part = c;
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']')
      part = part.substr(1, part.size() - 2);
    if (part.size() >= 2 && part.front() == '"' && part.back() == '"')
      part = part.substr(1, part.size() - 2);
    out += "/" + part;
  }
  return out.empty() ? "/" : out;
}

// valijson runs `pattern`, `patternProperties` and `format` (date, time, date-time) through
// std::regex, which matches by recursive backtracking: a string of ~30,000 characters
// exhausts a thread's stack. Where the schema uses any of them, every string and key of the
// input is bounded first.
constexpr std::size_t kMaxRegexCheckedBytes = 4096;

bool uses_regex(const nlohmann::json& schema) {
  if (schema.is_array()) {
    for (const auto& item : schema) {
      if (uses_regex(item)) return true;
    }
    return false;
  }
  if (!schema.is_object()) return false;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    if (it.key() == "pattern" || it.key() == "patternProperties" || it.key() == "format") {
      return true;
    }
    if (uses_regex(it.value())) return true;
  }
  return false;
}

// The first string or key longer than the bound, as a JSON pointer; empty when none.
std::string too_long_for_regex(const nlohmann::json& v, const std::string& at) {
  if (v.is_string()) {
    return v.get_ref<const std::string&>().size() > kMaxRegexCheckedBytes ? (at.empty() ? "/" : at)
                                                                           : std::string();
  }
  if (v.is_array()) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (auto p = too_long_for_regex(v[i], at + "/" + std::to_string(i)); !p.empty()) return p;
    }
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string here = at + "/" + it.key().substr(0, 64);
      if (it.key().size() > kMaxRegexCheckedBytes) return here;
      if (auto p = too_long_for_regex(it.value(), here); !p.empty()) return p;
    }
  }
  return {};
}

}  // namespace

bool schema_uses_regex(const nlohmann::json& schema) {
  return uses_regex(schema);
}

Result<void> validate_input(const Definition& d, const nlohmann::json& input) {
  if (!input.is_object())
    return Error::invalid("the input must be a JSON object, got " + std::string(input.type_name()));
  if (!d.compiled_input_schema) return {};
  if (d.input_schema_uses_regex) {
    if (auto at = too_long_for_regex(input, ""); !at.empty()) {
      return Error::invalid("input does not match input.schema at " + at +
                            ": a string or key is longer than " +
                            std::to_string(kMaxRegexCheckedBytes) +
                            " bytes (the limit where the schema checks a pattern or format)");
    }
  }
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(input);
  if (validator.validate(*d.compiled_input_schema, adapter, &results)) return {};
  // valijson reports the enclosing failures (allOf, properties) after the leaf; the leaf
  // is the most useful, and the deepest path names it.
  valijson::ValidationResults::Error error;
  std::string best_path, best_message;
  std::size_t best_depth = 0;
  while (results.popError(error)) {
    if (best_message.empty() || error.context.size() > best_depth) {
      best_depth = error.context.size();
      best_path = pointer_of(error.context);
      best_message = error.description;
    }
  }
  return Error::invalid("input does not match input.schema at " + best_path + ": " + best_message);
}

}  // namespace ledgerflow::def
