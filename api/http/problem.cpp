#include "api/http/problem.h"

namespace ledgerflow::api::http {

Response problem(int status, std::string_view title, std::string_view detail,
                 const nlohmann::json& extra) {
  nlohmann::json body = nlohmann::json::object();
  body["type"] = "about:blank";
  body["title"] = title.empty() ? reason_phrase(status) : std::string(title);
  body["status"] = status;
  if (!detail.empty()) body["detail"] = std::string(detail);
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) body[key] = value;
  } else if (!extra.is_null()) {
    body["extra"] = extra;
  }
  Response r = Response::json(status, body);
  r.content_type = std::string(kProblemContentType);
  return r;
}

int status_for(ErrorCode code, int invalid_argument_status) {
  switch (code) {
    case ErrorCode::invalid_argument:
      return invalid_argument_status;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::conflict:
      return 409;
    case ErrorCode::unauthenticated:
      return 401;
    case ErrorCode::forbidden:
      return 403;
    case ErrorCode::unavailable:
      return 503;
    case ErrorCode::io_error:
    case ErrorCode::corruption:
      return 500;
  }
  return 500;
}

Response problem_from_error(const Error& error, int invalid_argument_status,
                            const nlohmann::json& extra) {
  int status = status_for(error.code, invalid_argument_status);
  nlohmann::json fields = nlohmann::json::object();
  fields["code"] = std::string(to_string(error.code));
  if (extra.is_object()) {
    for (const auto& [key, value] : extra.items()) fields[key] = value;
  }
  bool internal = error.code == ErrorCode::io_error || error.code == ErrorCode::corruption;
  std::string_view detail =
      internal ? std::string_view("internal error; see the server log") : error.message;
  return problem(status, {}, detail, fields);
}

}  // namespace ledgerflow::api::http
