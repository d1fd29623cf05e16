#include "unit/plugins/kserve/kserve_test_server.h"

#include <chrono>
#include <deque>
#include <functional>
#include <mutex>
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

}  // namespace

std::string infer_response(double score) {
  nlohmann::json out = {
      {"model_name", "risk"},
      {"outputs",
       nlohmann::json::array(
           {{{"name", "output-0"}, {"shape", {1, 1}}, {"datatype", "FP64"}, {"data", {score}}}})}};
  return out.dump();
}

struct KserveTestServer::Impl {
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc, {net::ip::make_address("127.0.0.1"), 0}};
  std::thread thread;
  mutable std::mutex mu;
  std::deque<KserveReply> queue;
  KserveReply fallback{200, "application/json", infer_response(0.25), 0};
  std::vector<RecordedRequest> recorded;

  KserveReply next(const Request& req) {
    std::lock_guard lock(mu);
    recorded.push_back({text(req.method_string()), text(req.target()),
                        text(req[http::field::content_type]), req.body()});
    if (queue.empty()) return fallback;
    KserveReply r = std::move(queue.front());
    queue.pop_front();
    return r;
  }

  void accept();
};

namespace {

using NextReply = std::function<KserveReply(const Request&)>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, NextReply next)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), next_(std::move(next)) {}

  void start() {
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->route();
                     });
  }

 private:
  void route() {
    KserveReply reply = next_(request_);
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
  NextReply next_;
  beast::flat_buffer buffer_;
  Request request_;
  Response response_;
};

}  // namespace

void KserveTestServer::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;
    std::make_shared<Session>(std::move(socket), [this](const Request& r) {
      return next(r);
    })->start();
    accept();
  });
}

KserveTestServer::KserveTestServer() : impl_(std::make_unique<Impl>()) {
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

KserveTestServer::~KserveTestServer() {
  impl_->ioc.stop();
  impl_->thread.join();
}

std::string KserveTestServer::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
}

void KserveTestServer::enqueue(KserveReply reply) {
  std::lock_guard lock(impl_->mu);
  impl_->queue.push_back(std::move(reply));
}

void KserveTestServer::set_default(KserveReply reply) {
  std::lock_guard lock(impl_->mu);
  impl_->fallback = std::move(reply);
}

std::vector<RecordedRequest> KserveTestServer::requests() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded;
}

std::size_t KserveTestServer::request_count() const {
  std::lock_guard lock(impl_->mu);
  return impl_->recorded.size();
}

}  // namespace ledgerflow::plugins::test
