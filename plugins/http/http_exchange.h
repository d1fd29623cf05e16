// One outbound HTTP/1.1 exchange (resolve, connect, write, read) run asynchronously with
// Boost.Beast on a shared io_context, under one hard deadline covering every phase:
// a timer cancels a slow resolve, and beast::tcp_stream::expires_at bounds connect,
// write and read. The response is limited in header and body size.
//
// The result is the `http` action's: success {status, headers, body} for a 2xx, else
// failure "http_error" (non-2xx, refused, DNS, limits, protocol) or "timeout".
// Thread-safety: start_http_exchange may be called from any thread; each exchange runs
// on its own strand and calls `done` exactly once, on that strand.
#pragma once

#include <functional>

#include <boost/asio/io_context.hpp>

#include "engine/runtime/action_runner.h"
#include "plugins/http/http_call.h"

namespace ledgerflow::plugins {

using HttpDone = std::function<void(rt::ActionResult)>;

void start_http_exchange(boost::asio::io_context& ioc, HttpCall call, const HttpLimits& limits,
                         HttpDone done);

// The response body as the action's output: parsed JSON when the media type is JSON
// (application/json or */*+json) and it parses within a nesting depth of 64; otherwise
// the text (invalid UTF-8 replaced by U+FFFD); null when empty.
nlohmann::json response_body_value(std::string_view content_type, const std::string& body);

}  // namespace ledgerflow::plugins
