// KserveTestServer: a scripted HTTP server on 127.0.0.1:<port 0> in its own thread, for
// testing KserveScorer against real sockets. Each request gets the next queued reply, or
// the default reply when the queue is empty (initially a valid Open Inference Protocol
// response with the score 0.25). It records every request's target and body.
// Same pattern as test_http_server.h, with replies a test can program.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ledgerflow::plugins::test {

struct KserveReply {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  int delay_ms = 0;  // wait before replying (cancelled when the server stops)
};

// A valid v2 inference response whose only output holds `score`.
std::string infer_response(double score);

struct RecordedRequest {
  std::string method;
  std::string target;
  std::string content_type;
  std::string body;
};

class KserveTestServer {
 public:
  KserveTestServer();
  ~KserveTestServer();
  KserveTestServer(const KserveTestServer&) = delete;
  KserveTestServer& operator=(const KserveTestServer&) = delete;

  std::string base_url() const;  // "http://127.0.0.1:<port>"
  void enqueue(KserveReply reply);
  void set_default(KserveReply reply);
  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ledgerflow::plugins::test
