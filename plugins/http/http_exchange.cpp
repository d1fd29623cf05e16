#include "plugins/http/http_exchange.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <memory>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/common/json_nesting.h"

namespace ledgerflow::plugins {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using nlohmann::json;
using rt::ActionResult;

constexpr std::size_t kMaxJsonDepth = 64;

std::string_view std_view(beast::string_view s) {
  return {s.data(), s.size()};
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_json_media_type(std::string_view content_type) {
  std::string media = lower(content_type.substr(0, content_type.find(';')));
  media.erase(media.find_last_not_of(" \t") + 1);
  media.erase(0, media.find_first_not_of(" \t"));
  return media == "application/json" || media.ends_with("+json");
}

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(net::io_context& ioc, HttpCall call, const HttpLimits& limits, HttpDone done)
      : strand_(net::make_strand(ioc)),
        resolver_(strand_),
        stream_(strand_),
        resolve_timer_(strand_),
        call_(std::move(call)),
        egress_(limits.egress),
        done_(std::move(done)),
        deadline_(std::chrono::steady_clock::now() + std::chrono::milliseconds(call_.timeout_ms)),
        max_body_bytes_(limits.max_response_body_bytes),
        max_header_bytes_(limits.max_response_header_bytes) {
    parser_.body_limit(max_body_bytes_);
    parser_.header_limit(max_header_bytes_);
    if (call_.method == "HEAD") parser_.skip(true);  // a HEAD response has no body
    build_request(limits.user_agent);
  }

  void start() {
    net::dispatch(strand_, [self = shared_from_this()] { self->resolve(); });
  }

 private:
  void build_request(const std::string& user_agent) {
    request_.method_string(call_.method);
    request_.target(call_.url.target);
    request_.version(11);
    request_.set(http::field::host, call_.url.host_header());
    request_.set(http::field::user_agent, user_agent);
    if (!call_.idempotency_key.empty()) request_.set("Idempotency-Key", call_.idempotency_key);
    if (call_.body) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = *call_.body;
    }
    for (const auto& [name, value] : call_.headers) request_.set(name, value);  // user wins
    request_.keep_alive(false);
    request_.prepare_payload();
  }

  void resolve() {
    if (!egress_host_allowed(egress_, call_.url.host, call_.url.port)) {
      return fail("http_error", "host '" + call_.url.host_header() +
                                    "' is not allowed by the egress policy (egress.allow_hosts)");
    }
    // The resolver has no deadline of its own; this timer cancels it.
    resolve_timer_.expires_at(deadline_);
    resolve_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec) return;  // cancelled: the resolve finished first
      self->resolve_timed_out_ = true;
      self->resolver_.cancel();
    });
    resolver_.async_resolve(call_.url.host, std::to_string(call_.url.port),
                            beast::bind_front_handler(&Exchange::on_resolve, shared_from_this()));
  }

  void on_resolve(beast::error_code ec, tcp::resolver::results_type results) {
    resolve_timer_.cancel();
    if (resolve_timed_out_) return fail_timeout("resolving " + call_.url.host);
    if (ec) return fail("http_error", "cannot resolve '" + call_.url.host + "'");
    // Connect only to the addresses checked here: no second lookup that a rebinding DNS
    // server could answer with an internal address.
    endpoints_.clear();
    for (const auto& entry : results) {
      if (egress_.allow_private_networks || !is_non_public_address(entry.endpoint().address())) {
        endpoints_.push_back(entry.endpoint());
      }
    }
    if (endpoints_.empty()) {
      return fail("http_error", "host '" + call_.url.host_header() +
                                    "' is not allowed: it is not a public address "
                                    "(egress.allow_private_networks)");
    }
    stream_.expires_at(deadline_);
    stream_.async_connect(endpoints_,
                          beast::bind_front_handler(&Exchange::on_connect, shared_from_this()));
  }

  void on_connect(beast::error_code ec, const tcp::endpoint&) {
    // One text for refused, unreachable and reset: error texts must not map ports.
    if (ec == beast::error::timeout) return fail_timeout("connecting");
    if (ec) return fail("http_error", "could not connect to " + call_.url.host_header());
    stream_.expires_at(deadline_);
    http::async_write(stream_, request_,
                      beast::bind_front_handler(&Exchange::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    if (ec) return fail_io(ec, "sending the request");
    stream_.expires_at(deadline_);
    // Header first: Beast 1.74's eager read loses the body_limit error for a
    // Content-Length response whose body arrives with the header (boostorg/beast#2183).
    http::async_read_header(
        stream_, buffer_, parser_,
        beast::bind_front_handler(&Exchange::on_read_header, shared_from_this()));
  }

  void on_read_header(beast::error_code ec, std::size_t) {
    if (ec) return fail_io(ec, "reading the response");
    auto length = parser_.content_length();
    if (length && *length > max_body_bytes_) return fail_io(http::error::body_limit, "");
    stream_.expires_at(deadline_);
    http::async_read(stream_, buffer_, parser_,
                     beast::bind_front_handler(&Exchange::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    if (ec) return fail_io(ec, "reading the response");
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    finish(to_result(parser_.release()));
  }

  ActionResult to_result(http::response<http::string_body> response) const {
    unsigned status = response.result_int();
    if (status < 200 || status > 299) {
      std::string reason(response.reason());
      if (reason.empty()) reason = std::string(http::obsolete_reason(response.result()));
      return ActionResult::failure("http_error",
                                   call_.describe() + ": " + std::to_string(status) + " " + reason);
    }
    json headers = json::object();
    for (const auto& field : response) {
      std::string name = lower(std_view(field.name_string()));
      std::string value(field.value());
      auto it = headers.find(name);
      if (it == headers.end()) {
        headers[name] = value;
      } else {
        *it = it->get<std::string>() + ", " + value;  // repeated header: one comma list
      }
    }
    std::string_view content_type = std_view(response[http::field::content_type]);
    return ActionResult::success({{"status", status},
                                  {"headers", std::move(headers)},
                                  {"body", response_body_value(content_type, response.body())}});
  }

  void fail_io(beast::error_code ec, const std::string& phase) {
    if (ec == beast::error::timeout) return fail_timeout(phase);
    if (ec == http::error::body_limit) {
      return fail("http_error", "the response body is larger than the limit of " +
                                    std::to_string(max_body_bytes_) + " bytes");
    }
    if (ec == http::error::header_limit) {
      return fail("http_error", "the response headers are larger than the limit of " +
                                    std::to_string(max_header_bytes_) + " bytes");
    }
    fail("http_error", phase + " failed: " + ec.message());
  }

  void fail_timeout(const std::string& phase) {
    fail("timeout",
         "no response within " + std::to_string(call_.timeout_ms) + " ms (while " + phase + ")");
  }

  void fail(const std::string& name, const std::string& why) {
    finish(ActionResult::failure(name, call_.describe() + ": " + why));
  }

  void finish(ActionResult result) {
    if (!done_) return;
    auto done = std::move(done_);
    done_ = nullptr;
    done(std::move(result));
  }

  net::strand<net::io_context::executor_type> strand_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  net::steady_timer resolve_timer_;
  HttpCall call_;
  EgressPolicy egress_;
  std::vector<tcp::endpoint> endpoints_;
  HttpDone done_;
  std::chrono::steady_clock::time_point deadline_;
  std::size_t max_body_bytes_;
  std::uint32_t max_header_bytes_;
  bool resolve_timed_out_ = false;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
};

}  // namespace

void start_http_exchange(boost::asio::io_context& ioc, HttpCall call, const HttpLimits& limits,
                         HttpDone done) {
  std::make_shared<Exchange>(ioc, std::move(call), limits, std::move(done))->start();
}

nlohmann::json response_body_value(std::string_view content_type, const std::string& body) {
  if (body.empty()) return nullptr;
  if (is_json_media_type(content_type) &&
      find_too_deep_json(body, kMaxJsonDepth) == std::string_view::npos) {
    try {
      return json::parse(body);
    } catch (const json::exception&) {  // includes number overflow ("1e999")
    }
  }
  // Round-trip through dump() with `replace` so the text is valid UTF-8 for later dumps.
  return json::parse(json(body).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace ledgerflow::plugins
