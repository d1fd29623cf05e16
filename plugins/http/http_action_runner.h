// HttpActionRunner: the `http` task action, an outbound HTTP/1.1 call with a deadline.
//
//   with: {method, url, headers?: {..}, body?: <any JSON>, timeout?: "PT5S" | <ms>}
//
// Sends Idempotency-Key (the request's key, stable across re-runs of the same attempt),
// User-Agent: ledgerflow/0.1 and, with a body, Content-Type: application/json; headers
// given in args override these. Output: {status, headers, body} (header names lower
// case; body parsed when the response is JSON, else text). Failures: "http_error" for a
// non-2xx status, refused connection, DNS failure, an over-limit response or https://
// (TLS is not supported yet); "timeout" when the deadline passes; "action_error" for
// malformed arguments. Redirects are not followed. run() never throws. Calls go only where
// the egress policy allows (plugins/http/egress_policy.h), at most max_in_flight at once.
//
// Owns one io_context on one thread: every call's resolve/connect/write/read is async on
// it, each on its own strand, so a hung DNS lookup cannot hold a worker past its deadline.
// run() blocks the calling (worker pool) thread until the call completes.
//
// Thread-safety: run() may be called from many threads at once. Do not destroy the
// runner while a run() is in progress.
#pragma once

#include <atomic>
#include <memory>
#include <string>

#include "engine/runtime/action_runner.h"
#include "plugins/http/http_call.h"

namespace ledgerflow::plugins {

class HttpActionRunner final : public rt::ActionRunner {
 public:
  explicit HttpActionRunner(HttpLimits limits = {});
  ~HttpActionRunner() override;
  HttpActionRunner(const HttpActionRunner&) = delete;
  HttpActionRunner& operator=(const HttpActionRunner&) = delete;

  // Registered in an rt::ActionTable under this name.
  static constexpr const char* kAction = "http";

  rt::ActionResult run(const rt::ActionRequest& request) override;

 private:
  struct Io;  // the io_context and its thread, kept out of this header

  HttpLimits limits_;
  std::unique_ptr<Io> io_;
  std::atomic<std::size_t> in_flight_{0};  // bounded by limits_.egress.max_in_flight
};

}  // namespace ledgerflow::plugins
