#include "api/http/server.h"

#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "api/http/http_session.h"
#include "api/http/listener.h"
#include "api/http/shared_state.h"

namespace ledgerflow::api::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr int kMaxThreads = 64;
// After the drain deadline, force-closed connections get this long to unwind.
constexpr auto kForceCloseGrace = std::chrono::seconds(1);

// The server whose io_context this thread runs, if any (to refuse drain() from inside).
thread_local const void* tls_running_server = nullptr;

Result<void> validate(const ServerOptions& o) {
  if (o.threads < 1 || o.threads > kMaxThreads) {
    return Error::invalid("threads must be between 1 and " + std::to_string(kMaxThreads));
  }
  if (o.body_limit_bytes == 0) return Error::invalid("body_limit_bytes must be positive");
  if (o.header_limit_bytes < 1024 || o.header_limit_bytes > 1024 * 1024) {
    return Error::invalid("header_limit_bytes must be between 1 KiB and 1 MiB");
  }
  if (o.read_timeout_ms == 0 || o.idle_timeout_ms == 0 || o.write_timeout_ms == 0 ||
      o.sse_heartbeat_ms == 0) {
    return Error::invalid("timeouts and the heartbeat interval must be positive");
  }
  if (o.max_connections == 0) return Error::invalid("max_connections must be positive");
  if (o.write_queue_limit == 0 || o.write_queue_limit_bytes == 0) {
    return Error::invalid("write queue limits must be positive");
  }
  return {};
}

}  // namespace

struct Server::Impl {
  enum class Status { created, running, stopped };

  Impl(ServerOptions options, Router router, AccessLogFn access_log)
      : state(std::make_shared<SharedState>(std::move(options), std::move(router),
                                            std::move(access_log))) {}

  void run_thread() {
    tls_running_server = this;
    // A handler that throws past its own try/catch must not take the process down with an
    // uncaught exception on a network thread; log it and keep serving.
    while (true) {
      try {
        ioc->run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("http: exception escaped a network handler: {}", e.what());
      } catch (...) {
        spdlog::error("http: non-exception escaped a network handler");
      }
    }
  }

  void post_to_all(void (HttpSession::*member)()) {
    for (auto& session : state->sessions()) {
      auto executor = session->get_executor();
      net::post(executor, [session = std::move(session), member] { ((*session).*member)(); });
    }
  }

  void stop_threads() {
    {
      std::lock_guard lock(state->gate()->mu);
      state->gate()->open = false;  // late Responders and SSE sends are dropped from here on
    }
    work.reset();
    ioc->stop();
    for (auto& t : threads) t.join();
    threads.clear();
    // No network thread runs now: break what keeps sessions alive; io_context's destructor
    // then destroys the handlers still queued, and with them the sessions.
    for (auto& session : state->sessions()) session->abandon();
  }

  bool on_network_thread() const { return tls_running_server == this; }

  std::shared_ptr<SharedState> state;
  std::unique_ptr<net::io_context> ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::shared_ptr<Listener> listener;
  std::vector<std::thread> threads;
  std::mutex mu;  // start/drain
  Status status = Status::created;
  bool clean = true;
};

Server::Server(ServerOptions options, Router router, AccessLogFn access_log)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router), std::move(access_log))) {}

Server::~Server() {
  drain(std::chrono::milliseconds(0));
  // Members: the listener and io_context go before the shared state the sessions point to.
  impl_->listener.reset();
  impl_->ioc.reset();
}

Result<void> Server::start() {
  std::lock_guard lock(impl_->mu);
  if (impl_->status != Impl::Status::created) {
    return Error{ErrorCode::conflict, "the server was already started"};
  }
  const ServerOptions& options = impl_->state->options();
  if (auto valid = validate(options); !valid) return valid;

  impl_->ioc = std::make_unique<net::io_context>(options.threads);
  tcp::resolver resolver(*impl_->ioc);
  boost::beast::error_code ec;
  auto results = resolver.resolve(options.host, std::to_string(options.port),
                                  tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return Error::invalid("cannot resolve listen host '" + options.host + "': " + ec.message());
  }
  impl_->listener = std::make_shared<Listener>(*impl_->ioc, impl_->state);
  if (auto opened = impl_->listener->open(results.begin()->endpoint()); !opened) return opened;

  impl_->work.emplace(net::make_work_guard(*impl_->ioc));
  impl_->listener->run();
  impl_->threads.reserve(static_cast<std::size_t>(options.threads));
  for (int i = 0; i < options.threads; ++i) {
    impl_->threads.emplace_back([impl = impl_.get()] { impl->run_thread(); });
  }
  impl_->status = Impl::Status::running;
  return {};
}

std::uint16_t Server::port() const {
  return impl_->listener ? impl_->listener->port() : 0;
}

void Server::stop_accepting() {
  std::lock_guard lock(impl_->mu);
  if (impl_->status == Impl::Status::running) impl_->listener->stop();
}

bool Server::drain(std::chrono::milliseconds timeout) {
  if (impl_->on_network_thread()) {
    // Joining the pool from inside it would deadlock; the caller must drain from outside.
    spdlog::error("http: Server::drain called from a network thread; ignored");
    return false;
  }
  std::lock_guard lock(impl_->mu);
  if (impl_->status != Impl::Status::running) return impl_->clean;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  impl_->listener->stop();
  impl_->state->set_draining();
  impl_->post_to_all(&HttpSession::drain);
  bool clean = impl_->state->wait_until_empty(deadline);
  if (!clean) {
    impl_->post_to_all(&HttpSession::force_close);
    impl_->state->wait_until_empty(std::chrono::steady_clock::now() + kForceCloseGrace);
  }
  impl_->stop_threads();
  impl_->status = Impl::Status::stopped;
  impl_->clean = clean;
  return clean;
}

std::size_t Server::connection_count() const {
  return impl_->state->connections();
}

}  // namespace ledgerflow::api::http
