#include "api/http/listener.h"

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "api/http/http_session.h"

namespace ledgerflow::api::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// Sessions that only answer 503 are cheap but not free; past this many, close at once.
constexpr std::size_t kMaxRejecting = 64;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);

}  // namespace

Listener::Listener(net::io_context& ioc, std::shared_ptr<SharedState> state)
    : ioc_(ioc),
      strand_(net::make_strand(ioc)),
      acceptor_(strand_),
      retry_timer_(strand_),
      state_(std::move(state)) {}

Result<void> Listener::open(const tcp::endpoint& endpoint) {
  boost::beast::error_code ec;
  auto fail = [&](const char* what) -> Result<void> {
    return Error{ErrorCode::unavailable,
                 std::string("cannot listen on ") + endpoint.address().to_string() + ":" +
                     std::to_string(endpoint.port()) + ": " + what + ": " + ec.message()};
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set_option");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");
  return {};
}

void Listener::run() {
  net::dispatch(strand_, [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
  net::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    boost::beast::error_code ignored;
    self->acceptor_.close(ignored);
    self->retry_timer_.cancel();
  });
}

void Listener::do_accept() {
  if (stopped_) return;
  // Each connection gets its own strand: its handlers never run concurrently.
  acceptor_.async_accept(net::make_strand(ioc_), boost::beast::bind_front_handler(
                                                     &Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::beast::error_code ec, tcp::socket socket) {
  if (stopped_ || ec == net::error::operation_aborted) return;
  if (ec) {
    spdlog::warn("http: accept failed: {}; retrying", ec.message());
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](boost::beast::error_code wait_ec) {
      if (!wait_ec) self->do_accept();
    });
    return;
  }
  bool reject = state_->connections() >= state_->options().max_connections;
  if (state_->draining() || (reject && state_->rejecting() >= kMaxRejecting)) {
    boost::beast::error_code ignored;
    socket.close(ignored);
  } else {
    auto session = std::make_shared<HttpSession>(std::move(socket), state_, reject);
    session->set_registry_id(state_->add(session, !reject));
    session->run();
  }
  do_accept();
}

}  // namespace ledgerflow::api::http
