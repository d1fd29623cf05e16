// AccessLogEntry: what the server reports once per finished exchange, so the daemon can
// write one JSON line per request (spdlog) without the HTTP layer choosing a log format.
// Thread-safety: the callback is invoked on network threads, possibly concurrently; it must
// be thread-safe and must not block (spdlog's loggers are both).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ledgerflow::api::http {

struct AccessLogEntry {
  std::string request_id;
  std::string method;       // empty when the request line could not be parsed
  std::string target;       // raw request target, query string included
  int status = 0;           // 0 when no response could be written (client gone)
  double duration_ms = 0;   // first byte of the request until the response was written
  std::uint64_t bytes = 0;  // body bytes written (for SSE: every event byte)
  std::string user;         // as set by the handler through Responder::set_user
  std::string remote;       // "address:port" of the client
};

// Called after each response has been written (or failed to be). For an SSE stream it is
// called once, when the stream ends.
using AccessLogFn = std::function<void(const AccessLogEntry&)>;

}  // namespace ledgerflow::api::http
