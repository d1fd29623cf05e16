#include "unit/api/http/http_test_support.h"

#include "support/wait_until.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <thread>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

namespace ledgerflow::api::http::test {
namespace {

namespace bhttp = boost::beast::http;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

RawClient::RawClient(std::uint16_t port, int receive_buffer_bytes) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) return;
  if (receive_buffer_bytes > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

RawClient::~RawClient() {
  close();
}

void RawClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawClient::write(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool RawClient::send_request(const std::string& method, const std::string& target,
                             const std::string& body, const std::string& extra_headers) {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!body.empty()) text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += extra_headers;
  text += "\r\n";
  text += body;
  return write(text);
}

bool RawClient::receive(std::chrono::steady_clock::time_point deadline) {
  if (fd_ < 0 || eof_) return false;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[16384];
  ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) {
    eof_ = true;
    return false;
  }
  inbox_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<Reply> RawClient::read_reply(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.body_limit(64 * 1024 * 1024);
  while (true) {
    boost::beast::error_code ec;
    if (!inbox_.empty()) {
      std::size_t used = parser.put(boost::asio::buffer(inbox_), ec);
      inbox_.erase(0, used);
      if (ec && ec != bhttp::error::need_more) return std::nullopt;
      if (parser.is_done()) break;
    }
    if (!receive(deadline)) {
      if (eof_ && parser.is_header_done()) {
        parser.put_eof(ec);  // a close-delimited body
        if (!ec && parser.is_done()) break;
      }
      return std::nullopt;
    }
  }
  auto& message = parser.get();
  Reply reply;
  reply.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    reply.headers[lower(std::string(field.name_string()))] = std::string(field.value());
  }
  reply.body = message.body();
  reply.keep_alive = message.keep_alive();
  return reply;
}

std::optional<Reply> RawClient::request(const std::string& method, const std::string& target,
                                        const std::string& body, const std::string& extra_headers) {
  if (!send_request(method, target, body, extra_headers)) return std::nullopt;
  return read_reply();
}

std::string RawClient::read_until(const std::function<bool(const std::string&)>& done,
                                  std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done(inbox_)) {
    if (!receive(deadline)) break;
  }
  return inbox_;
}

bool RawClient::wait_closed(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!eof_) {
    if (!receive(deadline) && !eof_) return false;
    inbox_.clear();
  }
  return true;
}

ServerOptions test_options() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.read_timeout_ms = 2000;
  options.idle_timeout_ms = 2000;
  options.write_timeout_ms = 2000;
  return options;
}

std::unique_ptr<Server> start_server(Router router, ServerOptions options, AccessLogFn log) {
  auto server = std::make_unique<Server>(std::move(options), std::move(router), std::move(log));
  auto started = server->start();
  INFO((started ? std::string() : started.error().message));
  REQUIRE(started.ok());
  REQUIRE(server->port() != 0);
  return server;
}

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  return ledgerflow::test::wait_until(condition, timeout);
}

}  // namespace ledgerflow::api::http::test
