#include "api/http/request.h"

#include <cctype>
#include <random>

namespace ledgerflow::api::http {
namespace {

constexpr std::size_t kMaxRequestIdChars = 128;

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool is_sane_request_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdChars) return false;
  for (char c : id) {
    bool ok =
        std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string new_request_id() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = rng();
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i) {
    id[static_cast<std::size_t>(i)] = kHex[bits & 0xF];
    bits >>= 4;
  }
  return id;
}

Result<Request> Request::make(std::string method, std::string target, Headers headers,
                              std::string body, std::string remote) {
  if (target.empty() || target.front() != '/') {
    return Error::invalid("request target must be a path starting with '/'");
  }
  Request request;
  request.method_ = std::move(method);
  request.target_ = std::move(target);
  request.headers_ = std::move(headers);
  request.body_ = std::move(body);
  request.remote_ = std::move(remote);
  request.received_at_ = std::chrono::steady_clock::now();

  auto segments = split_path(request.path());
  if (!segments) return segments.error();
  request.segments_ = std::move(*segments);
  auto query = parse_query(request.query_string());
  if (!query) return query.error();
  request.query_ = std::move(*query);

  auto client_id = request.header("X-Request-Id");
  request.id_ =
      client_id && is_sane_request_id(*client_id) ? std::string(*client_id) : new_request_id();
  return request;
}

std::string_view Request::path() const {
  std::string_view t = target_;
  return t.substr(0, t.find('?'));
}

std::string_view Request::query_string() const {
  std::string_view t = target_;
  std::size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view{} : t.substr(q + 1);
}

std::optional<std::string_view> Request::query_param(std::string_view key) const {
  for (const auto& [k, v] : query_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers_) {
    if (iequals(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

std::optional<std::string_view> Request::param(std::string_view name) const {
  for (const auto& [k, v] : params_) {
    if (k == name) return std::string_view(v);
  }
  return std::nullopt;
}

}  // namespace ledgerflow::api::http
