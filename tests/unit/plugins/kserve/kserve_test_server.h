// KserveTestServer: a scripted LoopbackServer (loopback_server.h), for testing KserveScorer
// against real sockets. Each request gets the next queued reply, or the default reply when
// the queue is empty (initially a valid Open Inference Protocol response with the score
// 0.25). It records every request. Thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "unit/plugins/http/loopback_server.h"

namespace ledgerflow::plugins::test {

using KserveReply = LoopbackReply;

// A valid v2 inference response whose only output holds `score`.
std::string infer_response(double score);

using RecordedRequest = LoopbackRequest;

class KserveTestServer {
 public:
  KserveTestServer();

  std::string base_url() const { return server_.base_url(); }  // "http://127.0.0.1:<port>"
  void enqueue(KserveReply reply);
  void set_default(KserveReply reply);
  std::vector<RecordedRequest> requests() const;
  std::size_t request_count() const;

 private:
  LoopbackReply next(const LoopbackRequest& request);

  mutable std::mutex mu_;
  std::deque<KserveReply> queue_;
  KserveReply fallback_;
  std::vector<RecordedRequest> recorded_;
  LoopbackServer server_;  // last: stopped before the state its handler uses goes
};

}  // namespace ledgerflow::plugins::test
