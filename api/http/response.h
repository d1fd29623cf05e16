// Response: what a handler hands to its Responder — status, content type, body and any
// extra headers. The server adds Content-Length, Connection and X-Request-Id itself and
// ignores extra headers that would contradict them or that contain CR/LF (no header
// injection through values a handler copied from a request).
// Thread-safety: a plain value.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::api::http {

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  // `value` serialised as JSON (invalid UTF-8 is replaced, never thrown).
  static Response json(int status, const nlohmann::json& value);
  static Response text(int status, std::string body);  // text/plain; charset=utf-8
  static Response empty(int status = 204);             // no body, no content type
};

// "Not Found" for 404, "" for a status the library does not know.
std::string reason_phrase(int status);

}  // namespace ledgerflow::api::http
