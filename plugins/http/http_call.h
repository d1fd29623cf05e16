// HttpCall: the validated arguments of an `http` task action, built from the rendered
// `with:` mapping {method, url, headers?, body?, timeout?} and the action request.
// Validation happens before any socket is opened, so a malformed call fails fast with a
// message naming the argument ("http: args.url: ...").
// Thread-safety: plain value types; stateless functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/result.h"
#include "engine/runtime/action_runner.h"
#include "plugins/http/egress_policy.h"

namespace ledgerflow::plugins {

// Limits of the http action (TigerBeetle style: a limit on everything).
struct HttpLimits {
  std::size_t max_request_body_bytes = 1u << 20;        // 1 MiB
  std::size_t max_response_body_bytes = 1u << 20;       // 1 MiB
  std::uint32_t max_response_header_bytes = 16u << 10;  // 16 KiB
  std::size_t max_headers = 64;                         // request headers given in args
  std::int64_t max_timeout_ms = 10 * 60 * 1000;         // 10 minutes
  std::string user_agent = "ledgerflow/0.1";
  // Where calls may go (plugins/http/egress_policy.h); the process default unless set.
  EgressPolicy egress = default_egress_policy();
};

struct Url {
  std::string scheme;  // "http" or "https", lower case
  std::string host;    // name or address, without IPv6 brackets
  std::uint16_t port = 80;
  std::string target;               // path and query, at least "/"; the fragment is dropped
  std::string text;                 // as written, for messages
  std::string host_header() const;  // "host" or "host:port" (brackets kept for IPv6)
};

// Parses an absolute http:// or https:// URL; refuses credentials (user:pass@) and
// spaces or control characters anywhere.
Result<Url> parse_url(std::string_view text);

struct HttpCall {
  std::string method;  // upper case: GET, POST, ...
  Url url;
  std::vector<std::pair<std::string, std::string>> headers;  // from args, in order
  std::optional<std::string> body;                           // JSON text when a body is given
  std::int64_t timeout_ms = 30000;
  std::string idempotency_key;

  std::string describe() const { return method + " " + url.text; }  // "POST http://..."
};

// The effective timeout is the smaller of args.timeout ("PT5S" or milliseconds) and the
// request's own timeout_ms (the state's budget), capped by limits.max_timeout_ms.
// Errors are invalid_argument and start with "http: ".
Result<HttpCall> parse_http_call(const rt::ActionRequest& request, const HttpLimits& limits);

}  // namespace ledgerflow::plugins
