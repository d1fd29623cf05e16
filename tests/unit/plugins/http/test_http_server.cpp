#include "unit/plugins/http/test_http_server.h"

#include <chrono>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

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

Response reply(const Request& req, http::status status, const std::string& content_type,
               std::string body) {
  Response res{status, req.version()};
  if (!content_type.empty()) res.set(http::field::content_type, content_type);
  res.body() = std::move(body);
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

Response echo(const Request& req) {
  nlohmann::json headers = nlohmann::json::object();
  for (const auto& field : req) {
    std::string name = text(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    headers[name] = text(field.value());
  }
  nlohmann::json out = {{"method", text(req.method_string())},
                        {"target", text(req.target())},
                        {"headers", headers},
                        {"body", req.body()}};
  return reply(req, http::status::ok, "application/json", out.dump());
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  explicit Session(tcp::socket socket)
      : stream_(std::move(socket)), timer_(stream_.get_executor()) {}

  void start() {
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->route();
                     });
  }

 private:
  void route() {
    const std::string target = text(request_.target());
    if (target == "/slow") {
      timer_.expires_after(std::chrono::seconds(5));
      timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) self->send(reply(self->request_, http::status::ok, "text/plain", "late"));
      });
      return;
    }
    if (target.starts_with("/echo")) return send(echo(request_));
    if (target == "/status/503") {
      return send(reply(request_, http::status::service_unavailable, "text/plain", "down"));
    }
    if (target == "/big") {
      return send(reply(request_, http::status::ok, "text/plain", std::string(2u << 20, 'x')));
    }
    if (target == "/text") {
      return send(reply(request_, http::status::ok, "text/plain", "hello, ledgerflow"));
    }
    if (target == "/bad-json") {
      return send(reply(request_, http::status::ok, "application/json", "{not json"));
    }
    if (target == "/empty") return send(reply(request_, http::status::no_content, "", ""));
    send(reply(request_, http::status::not_found, "text/plain", "no route"));
  }

  void send(Response response) {
    response_ = std::move(response);
    http::async_write(stream_, response_,
                      [self = shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
                      });
  }

  beast::tcp_stream stream_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  Request request_;
  Response response_;
};

}  // namespace

struct TestHttpServer::Impl {
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      std::make_shared<Session>(std::move(socket))->start();
      accept();
    });
  }
};

TestHttpServer::TestHttpServer() : impl_(std::make_unique<Impl>()) {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

TestHttpServer::~TestHttpServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::uint16_t TestHttpServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

std::string TestHttpServer::url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port()) + path;
}

std::uint16_t unused_port() {
  net::io_context ioc;
  tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

}  // namespace ledgerflow::plugins::test
