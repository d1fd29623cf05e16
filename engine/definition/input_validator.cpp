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

}  // namespace

Result<void> validate_input(const Definition& d, const nlohmann::json& input) {
  if (!input.is_object())
    return Error::invalid("the input must be a JSON object, got " + std::string(input.type_name()));
  if (!d.compiled_input_schema) return {};
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
