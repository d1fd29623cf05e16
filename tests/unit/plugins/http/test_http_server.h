// TestHttpServer: a tiny Beast HTTP server on 127.0.0.1:<port 0> running in its own
// thread, for testing the http action against real sockets. Routes:
//   /echo          200 JSON {method, target, headers (lower-case names), body (text)}
//   /status/503    503 Service Unavailable
//   /slow          200 after 5 s (cancelled when the server stops)
//   /big           200 with a 2 MiB text body
//   /text          200 text/plain "hello, ledgerflow"
//   /bad-json      200 application/json that does not parse
//   /empty         204 No Content
//   anything else  404
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace ledgerflow::plugins::test {

class TestHttpServer {
 public:
  TestHttpServer();
  ~TestHttpServer();
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  std::uint16_t port() const;
  std::string url(const std::string& path) const;  // "http://127.0.0.1:<port><path>"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A loopback port with nothing listening on it (bound, then released).
std::uint16_t unused_port();

}  // namespace ledgerflow::plugins::test
