// ServerOptions: every knob and limit of the HTTP server in one plain struct. Defaults suit
// the daemon on a 2-core machine; tests shrink the timeouts and limits to exercise them.
// Every limit exists so that one client (slow, hostile or buggy) cannot hold a thread,
// unbounded memory or the whole connection table (docs/style.md: a limit on everything).
// Thread-safety: a plain value; the server copies it at construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace ledgerflow::api::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;  // 0 = ephemeral; Server::port() reports the bound port
  int threads = 2;         // network threads running the io_context

  std::size_t body_limit_bytes = 1024 * 1024;  // larger bodies get 413
  std::size_t header_limit_bytes = 16 * 1024;  // request line + headers; larger get 431
  // Requests whose target starts with this prefix (bulk record imports) may carry bodies
  // up to bulk_body_limit_bytes instead; empty = no such path.
  std::string bulk_path_prefix;
  std::size_t bulk_body_limit_bytes = 64 * 1024 * 1024;

  // From the first byte of a request (or from accept, for the first request) until its
  // body is complete; a client slower than this gets 408 and the connection is closed.
  std::uint32_t read_timeout_ms = 15'000;
  // How long a keep-alive connection may sit between requests before it is closed.
  std::uint32_t idle_timeout_ms = 60'000;
  // Any single write (a response, an SSE batch) that takes longer closes the connection.
  std::uint32_t write_timeout_ms = 15'000;

  // Connections beyond this many get one 503 answer and are closed.
  std::size_t max_connections = 1024;

  // Server-sent events: events queued per stream and not yet handed to the socket. A
  // client that falls further behind than either bound is dropped (send() returns false);
  // the sender is never blocked.
  std::size_t write_queue_limit = 256;
  std::size_t write_queue_limit_bytes = 4 * 1024 * 1024;
  // A comment line (": ping") is sent this often on every SSE stream so that proxies keep
  // the connection open and dead clients are noticed.
  std::uint32_t sse_heartbeat_ms = 15'000;
};

}  // namespace ledgerflow::api::http
