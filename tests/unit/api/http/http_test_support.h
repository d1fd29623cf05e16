// Test support for the api/http tests: a raw-socket HTTP client with timeouts on every read
// (so a server bug fails a test instead of hanging it), and a fixture that runs a real
// Server on 127.0.0.1:<port 0>.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/http/server.h"

namespace ledgerflow::api::http::test {

using namespace std::chrono_literals;

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  bool keep_alive = false;

  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RawClient {
 public:
  // Connects to 127.0.0.1:port. `receive_buffer_bytes` > 0 shrinks SO_RCVBUF (a slow reader).
  explicit RawClient(std::uint16_t port, int receive_buffer_bytes = 0);
  ~RawClient();
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  // Writes everything; false if the peer closed or reset.
  bool write(const std::string& bytes);
  // "METHOD target HTTP/1.1" with Host, Content-Length (when body non-empty) and `extra`.
  bool send_request(const std::string& method, const std::string& target,
                    const std::string& body = {}, const std::string& extra_headers = {});
  // Reads one complete response; nullopt on timeout, close or unparsable bytes.
  std::optional<Reply> read_reply(std::chrono::milliseconds timeout = 2000ms);
  // send_request + read_reply.
  std::optional<Reply> request(const std::string& method, const std::string& target,
                               const std::string& body = {}, const std::string& extra_headers = {});
  // Reads raw bytes until `done(all bytes so far)` or timeout / close; returns them all.
  std::string read_until(const std::function<bool(const std::string&)>& done,
                         std::chrono::milliseconds timeout);
  // True if the peer closes (EOF or reset) within `timeout`; discards what it reads.
  bool wait_closed(std::chrono::milliseconds timeout);
  void close();

 private:
  // Appends what arrives before `deadline` to inbox_; false on timeout or close.
  bool receive(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool eof_ = false;
  std::string inbox_;
};

// Collects access-log entries (thread-safe).
class AccessLogSink {
 public:
  AccessLogFn fn() {
    return [this](const AccessLogEntry& e) {
      std::lock_guard lock(mu_);
      entries_.push_back(e);
    };
  }
  std::vector<AccessLogEntry> entries() const {
    std::lock_guard lock(mu_);
    return entries_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<AccessLogEntry> entries_;
};

// Options for tests: port 0, 2 threads, short timeouts.
ServerOptions test_options();

// Starts a server (REQUIREs success).
std::unique_ptr<Server> start_server(Router router, ServerOptions options = test_options(),
                                     AccessLogFn log = {});

// Polls `condition` every 5 ms until true or `timeout`.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 2000ms);

}  // namespace ledgerflow::api::http::test
