// LoopbackServer: a tiny Beast HTTP server on 127.0.0.1:<port 0> running in its own thread,
// for testing HTTP clients (the http action, the KServe scorer) against real sockets. One
// request per connection; a handler decides each reply, which may be delayed (the delay is
// cancelled when the server stops). The handler runs on the server's thread, one request at
// a time; the rest of the class is safe to call from the test's thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ledgerflow::plugins::test {

struct LoopbackRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names as sent
};

struct LoopbackReply {
  int status = 200;
  std::string content_type = "application/json";  // none when empty
  std::string body;
  int delay_ms = 0;  // wait before replying (cancelled when the server stops)
};

class LoopbackServer {
 public:
  using Handler = std::function<LoopbackReply(const LoopbackRequest&)>;

  explicit LoopbackServer(Handler handler);
  ~LoopbackServer();
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  std::uint16_t port() const;
  std::string base_url() const;  // "http://127.0.0.1:<port>"

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A loopback port with nothing listening on it (bound, then released).
std::uint16_t unused_port();

}  // namespace ledgerflow::plugins::test
