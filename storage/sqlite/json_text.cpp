#include "storage/sqlite/json_text.h"

namespace ledgerflow::storage {

Result<std::string> json_text(const nlohmann::json& value, std::string_view what) {
  try {
    return value.dump();
  } catch (const nlohmann::json::exception& e) {
    return Error::invalid(std::string(what) + " cannot be stored as JSON: " + e.what());
  }
}

Result<nlohmann::json> json_value(const std::string& text, std::string_view what) {
  auto value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Error{ErrorCode::corruption, std::string(what) + " is not valid JSON in the database"};
  }
  return value;
}

}  // namespace ledgerflow::storage
