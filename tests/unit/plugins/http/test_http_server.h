// TestHttpServer: a LoopbackServer (loopback_server.h) with fixed routes, for testing the
// http action against real sockets. Routes:
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
#include <string>

#include "unit/plugins/http/loopback_server.h"

namespace ledgerflow::plugins::test {

class TestHttpServer {
 public:
  TestHttpServer();

  std::uint16_t port() const { return server_.port(); }
  std::string url(const std::string& path) const { return server_.base_url() + path; }

 private:
  LoopbackServer server_;
};

}  // namespace ledgerflow::plugins::test
