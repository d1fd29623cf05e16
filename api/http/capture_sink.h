// CaptureSink: a ResponseSink that records the answer instead of writing it to a socket,
// so route handlers can be unit-tested without a server — including handlers that answer
// later from another thread (wait_for blocks the test thread until they do).
// Thread-safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>

#include "api/http/responder.h"

namespace ledgerflow::api::http {

class CaptureSink : public ResponseSink {
 public:
  // A Responder writing into a new sink, and the sink to inspect.
  static std::pair<Responder, std::shared_ptr<CaptureSink>> make() {
    auto sink = std::make_shared<CaptureSink>();
    return {Responder(sink), sink};
  }

  void deliver(Response response, std::string user) override {
    std::lock_guard lock(mu_);
    response_ = std::move(response);
    user_ = std::move(user);
    cv_.notify_all();
  }

  std::shared_ptr<SseStream> open_sse(HeaderList extra_headers, std::string user) override {
    std::lock_guard lock(mu_);
    sse_headers_ = std::move(extra_headers);
    user_ = std::move(user);
    stream_ = std::make_shared<SseStream>(SseStream::Limits{});
    cv_.notify_all();
    return stream_;
  }

  // The response, once delivered within `timeout`.
  std::optional<Response> wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return response_.has_value() || stream_ != nullptr; });
    return response_;
  }

  std::optional<Response> response() const {
    std::lock_guard lock(mu_);
    return response_;
  }
  std::string user() const {
    std::lock_guard lock(mu_);
    return user_;
  }
  // The SSE stream, if the handler started one; take() on it returns what was sent.
  std::shared_ptr<SseStream> stream() const {
    std::lock_guard lock(mu_);
    return stream_;
  }
  HeaderList sse_headers() const {
    std::lock_guard lock(mu_);
    return sse_headers_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::optional<Response> response_;
  std::string user_;
  std::shared_ptr<SseStream> stream_;
  HeaderList sse_headers_;
};

}  // namespace ledgerflow::api::http
