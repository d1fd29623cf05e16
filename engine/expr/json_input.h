// Reading JSON that comes from outside (request bodies, imported files, remote replies):
// the one parser every untrusted JSON document goes through.
//
//  * Nesting is bounded before anything is parsed (find_too_deep_json), so a deeply nested
//    body cannot exhaust the stack of any later recursive walk (dump, masking, conversion).
//  * Every number problem is an invalid_argument, never an exception escaping to a 500:
//    1e400 (beyond a double), a number with more significant digits than a double carries
//    exactly (1000000000000000.01 would silently become 1000000000000000), malformed text.
//    Money is decimal: an amount that a JSON number cannot carry exactly must be sent as a
//    decimal string ("1000000000000000.01"), and the error says so.
//  * keep_decimal_text: plain decimals (no exponent) are kept as their text, a string, for
//    callers that read amounts themselves (record imports); such numbers are never rounded.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::expr {

struct JsonInputOptions {
  std::size_t max_depth = 64;      // objects/arrays inside each other
  bool keep_decimal_text = false;  // plain decimals become strings holding their text
};

// The document, or invalid_argument naming what is wrong and where (byte offset or the
// offending number's text). The message does not name the document; callers prefix it
// ("the request body: ...").
Result<nlohmann::json> parse_json_input(std::string_view text, const JsonInputOptions& options = {});

// True when `text` (a JSON number's text) and the double it parsed to are the same number,
// i.e. nothing was rounded on the way in.
bool json_number_is_exact(std::string_view text, double value);

}  // namespace ledgerflow::expr
