// Server: the HTTP/1.1 server of ledgerflowd — a Boost.Beast listener on a small thread
// pool, a strand per connection, the Router's handlers, the limits and timeouts of
// ServerOptions, server-sent events, and a graceful drain for SIGTERM.
//
//   Router router;
//   router.add("GET", "/healthz", [](const Request&, Responder r) { r(Response::text(200, "ok"));
//   }); Server server(options, std::move(router), [](const AccessLogEntry& e) { ... }); if (auto
//   started = server.start(); !started) { ... }
//   ... on SIGTERM (from the main thread): server.drain(std::chrono::seconds(10));
//
// The server answers by itself: 404/405 (router), 400 malformed request or target, 408
// request not received within read_timeout_ms, 413 body over body_limit_bytes, 431 header
// over header_limit_bytes, 503 over max_connections, 500 when a handler drops its Responder.
// All as application/problem+json, with X-Request-Id on every response.
//
// Thread-safety: start/stop_accepting/drain/port/connection_count may be called from any
// thread but not from a network thread (drain blocks until connections finish), and start
// only once. A stopped server cannot be restarted; make a new one.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>

#include "api/http/access_log.h"
#include "api/http/router.h"
#include "api/http/server_options.h"
#include "engine/common/result.h"

namespace ledgerflow::api::http {

class Server {
 public:
  Server(ServerOptions options, Router router, AccessLogFn access_log = {});
  ~Server();  // drains with no grace period if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Validates the options, binds, listens and starts the network threads.
  // invalid_argument for bad options or an unresolvable host; unavailable when the address
  // cannot be bound (in use, not local); conflict when called twice.
  Result<void> start();

  // The bound port (the ephemeral one when options.port was 0); 0 before start().
  std::uint16_t port() const;

  // Closes the listening socket; connections already accepted carry on. Idempotent.
  void stop_accepting();

  // Stops accepting, closes idle keep-alive connections and SSE streams, lets requests in
  // flight finish (their Responders answer, with Connection: close), then stops and joins
  // the network threads. Whatever is still open at `timeout` is closed. Returns true when
  // every connection finished before the timeout. Blocks; idempotent.
  bool drain(std::chrono::milliseconds timeout);

  // Open connections counted against max_connections.
  std::size_t connection_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ledgerflow::api::http
