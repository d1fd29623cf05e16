#include "plugins/http/http_action_runner.h"

#include <chrono>
#include <future>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "plugins/http/http_exchange.h"

namespace ledgerflow::plugins {

namespace net = boost::asio;
using rt::ActionResult;

// A backstop only: the exchange enforces the deadline itself.
constexpr std::chrono::milliseconds kWaitMargin{5000};

struct HttpActionRunner::Io {
  net::io_context ioc{1};
  net::executor_work_guard<net::io_context::executor_type> work = net::make_work_guard(ioc);
  std::thread thread;

  Io() : thread([this] { run_loop(); }) {}
  ~Io() {
    work.reset();
    ioc.stop();
    thread.join();
  }

  void run_loop() {
    // A handler that throws loses only its own exchange (its caller sees a broken
    // promise); the loop keeps serving the others.
    for (;;) {
      try {
        ioc.run();
        return;
      } catch (...) {
      }
    }
  }
};

HttpActionRunner::HttpActionRunner(HttpLimits limits)
    : limits_(std::move(limits)), io_(std::make_unique<Io>()) {}

HttpActionRunner::~HttpActionRunner() = default;

ActionResult HttpActionRunner::run(const rt::ActionRequest& request) {
  try {
    if (request.action != kAction) {
      return ActionResult::failure("action_error",
                                   "the http runner cannot run action '" + request.action + "'");
    }
    auto call = parse_http_call(request, limits_);
    if (!call) return ActionResult::failure("action_error", call.error().message);
    struct Slot {
      std::atomic<std::size_t>& n;
      ~Slot() { --n; }
    };
    if (++in_flight_ > limits_.egress.max_in_flight) {
      --in_flight_;
      return ActionResult::failure(
          "http_error", call->describe() + ": more than " +
                            std::to_string(limits_.egress.max_in_flight) +
                            " outbound calls are in flight (egress.max_in_flight); retry later");
    }
    Slot slot{in_flight_};
    if (call->url.scheme == "https") {
      return ActionResult::failure(
          "http_error", call->describe() + ": https is not supported yet (no TLS); use http://");
    }
    std::chrono::milliseconds wait_limit{call->timeout_ms};
    std::string what = call->describe();
    auto promise = std::make_shared<std::promise<ActionResult>>();
    auto future = promise->get_future();
    start_http_exchange(io_->ioc, std::move(*call), limits_,
                        [promise](ActionResult result) { promise->set_value(std::move(result)); });
    if (future.wait_for(wait_limit + kWaitMargin) != std::future_status::ready) {
      return ActionResult::failure("timeout", what + ": no result within the deadline");
    }
    return future.get();
  } catch (const std::exception& e) {
    return ActionResult::failure("action_error", std::string("http: ") + e.what());
  } catch (...) {
    return ActionResult::failure("action_error", "http: unknown error");
  }
}

}  // namespace ledgerflow::plugins
