#include "unit/plugins/http/loopback_server.h"

#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ledgerflow::plugins::test {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

std::string text(beast::string_view s) {
  return std::string(s.data(), s.size());
}

LoopbackRequest view_of(const Request& req) {
  LoopbackRequest out{text(req.method_string()),
                      text(req.target()),
                      text(req[http::field::content_type]),
                      req.body(),
                      {}};
  for (const auto& field : req)
    out.headers.emplace_back(text(field.name_string()), text(field.value()));
  return out;
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const LoopbackServer::Handler& handler)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), handler_(handler) {}

  void start() {
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->answer();
                     });
  }

 private:
  void answer() {
    const LoopbackReply reply = handler_(view_of(request_));
    response_ = Response{static_cast<http::status>(reply.status), request_.version()};
    if (!reply.content_type.empty()) response_.set(http::field::content_type, reply.content_type);
    response_.body() = reply.body;
    response_.keep_alive(false);
    response_.prepare_payload();
    if (reply.delay_ms <= 0) return send();
    timer_.expires_after(std::chrono::milliseconds(reply.delay_ms));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->send();
    });
  }

  void send() {
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  const LoopbackServer::Handler& handler_;  // owned by the server, which outlives its sessions
  beast::flat_buffer buffer_;
  Request request_;
  Response response_;
};

}  // namespace

struct LoopbackServer::Impl {
  explicit Impl(Handler h) : handler(std::move(h)) {}

  Handler handler;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket), handler)->start();
      accept();
    });
  }
};

LoopbackServer::LoopbackServer(Handler handler)
    : impl_(std::make_unique<Impl>(std::move(handler))) {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

LoopbackServer::~LoopbackServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::uint16_t LoopbackServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string LoopbackServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(port());
}

std::uint16_t unused_port() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

}  // namespace ledgerflow::plugins::test
