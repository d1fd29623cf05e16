// RFC 7807 problem details: every error the API returns is `application/problem+json`
// with {type, title, status, detail, ...extra}. One helper builds them and one mapping
// turns a ledgerflow::Error (the engine's closed set of codes) into the matching status,
// so handlers never choose statuses for engine errors ad hoc.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "api/http/response.h"
#include "engine/common/result.h"

namespace ledgerflow::api::http {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// A problem response. An empty title becomes the status' reason phrase; an empty detail
// is omitted; `extra` (an object) is merged in and may override "type" (default
// "about:blank"). A non-object `extra` is stored under "extra".
Response problem(int status, std::string_view title, std::string_view detail = {},
                 const nlohmann::json& extra = nlohmann::json::object());

// invalid_argument -> invalid_argument_status (400, or 422 for a semantically invalid
// document), not_found -> 404, conflict -> 409, unauthenticated -> 401, forbidden -> 403,
// unavailable -> 503, io_error and corruption -> 500.
int status_for(ErrorCode code, int invalid_argument_status = 400);

// problem(status_for(code), reason phrase, error.message, {"code": "<code>"} + extra).
// For io_error and corruption the detail is generic: internal messages (file paths, SQL)
// are for the log, not for the client.
Response problem_from_error(const Error& error, int invalid_argument_status = 400,
                            const nlohmann::json& extra = nlohmann::json::object());

}  // namespace ledgerflow::api::http
