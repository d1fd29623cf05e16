// Request: one decoded HTTP request as a handler sees it — method, raw target, decoded path
// segments, decoded query parameters, headers, body, the client's address, a request id and
// the parameters captured by the route pattern ({id} in /v1/instances/{id}).
//
// The server builds it once the whole request has been read (body limit and read timeout
// already enforced); handler tests build one with Request::make, no socket needed.
// Lifetime: a handler receives `const Request&` that is valid only during the handler call.
// A handler that answers later (through its Responder) copies what it needs first.
// Thread-safety: immutable once handed to the handler; safe to read from any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http/url_codec.h"
#include "engine/common/result.h"

namespace ledgerflow::api::http {

class Router;

class Request {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  using Params = std::vector<std::pair<std::string, std::string>>;

  // Decodes `target` (origin form: "/path?query"). invalid_argument for a target that is
  // not origin form, a malformed percent-escape, an encoded NUL, a "."/".." segment, or
  // more than kMaxPathSegments segments / kMaxQueryParams parameters. The request id is
  // the X-Request-Id header when it is sane (1-128 of [A-Za-z0-9._:-]), else a new one.
  static Result<Request> make(std::string method, std::string target, Headers headers = {},
                              std::string body = {}, std::string remote = {});

  const std::string& method() const { return method_; }  // as sent, e.g. "GET"
  const std::string& target() const { return target_; }  // raw, query string included
  std::string_view path() const;                         // raw, before '?'
  std::string_view query_string() const;                 // raw, after '?', may be empty
  const std::vector<std::string>& segments() const { return segments_; }  // decoded

  const QueryParams& query() const { return query_; }  // decoded, in order, repeats kept
  // First value of a query parameter, if present ("?a" gives "").
  std::optional<std::string_view> query_param(std::string_view key) const;

  const Headers& headers() const { return headers_; }
  // First value of a header; the name is matched case-insensitively.
  std::optional<std::string_view> header(std::string_view name) const;

  const std::string& body() const { return body_; }
  const std::string& remote() const { return remote_; }  // "address:port", or "" in tests
  const std::string& id() const { return id_; }

  // Route captures, decoded: for pattern /v1/instances/{id}, param("id").
  std::optional<std::string_view> param(std::string_view name) const;
  const Params& params() const { return params_; }

  std::chrono::steady_clock::time_point received_at() const { return received_at_; }

 private:
  friend class Router;       // fills params_ on a match
  friend class HttpSession;  // sets received_at_ to the first byte of the request

  Request() = default;

  std::string method_;
  std::string target_;
  std::vector<std::string> segments_;
  QueryParams query_;
  Headers headers_;
  std::string body_;
  std::string remote_;
  std::string id_;
  Params params_;
  std::chrono::steady_clock::time_point received_at_;
};

// True for a client-supplied request id we are willing to echo into logs and headers.
bool is_sane_request_id(std::string_view id);
// 16 lower-case hex digits from a per-thread random generator.
std::string new_request_id();

}  // namespace ledgerflow::api::http
