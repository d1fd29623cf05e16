// json_text: the conversions between nlohmann::json and the TEXT of JSON columns, with
// nlohmann's exceptions turned into errors at this boundary (docs/style.md, Errors).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::storage {

// Compact JSON text; invalid UTF-8 in a string is an invalid_argument naming `what`.
Result<std::string> json_text(const nlohmann::json& value, std::string_view what);

// Parses a stored column; text that is not JSON is corruption naming `what`.
Result<nlohmann::json> json_value(const std::string& text, std::string_view what);

}  // namespace ledgerflow::storage
