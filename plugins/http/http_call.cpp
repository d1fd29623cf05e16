#include "plugins/http/http_call.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <initializer_list>

#include "engine/definition/duration.h"
#include "engine/definition/problem.h"

namespace ledgerflow::plugins {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 7> kMethods = {"GET",   "HEAD",   "POST",   "PUT",
                                                      "PATCH", "DELETE", "OPTIONS"};
// Framing headers belong to the client: a user value would corrupt the message.
constexpr std::array<std::string_view, 5> kReservedHeaders = {
    "host", "content-length", "transfer-encoding", "connection", "upgrade"};
constexpr std::size_t kMaxHeaderValueBytes = 8u << 10;

Error bad(const std::string& field, const std::string& message) {
  return Error::invalid("http: args." + field + ": " + message);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool has_control_or_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

// RFC 9110 token characters, the grammar of a header name.
bool is_token(std::string_view s) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

Result<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5)
    return Error::invalid("bad port '" + std::string(text) + "'");
  unsigned v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return Error::invalid("bad port '" + std::string(text) + "'");
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  if (v == 0 || v > 65535) return Error::invalid("port " + std::string(text) + " is out of range");
  return static_cast<std::uint16_t>(v);
}

Result<Url> split_authority(Url url, std::string_view authority) {
  std::string_view host = authority;
  std::optional<std::string_view> port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return Error::invalid("unclosed '[' in the host");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && !rest.starts_with(':')) return Error::invalid("junk after ']'");
    if (!rest.empty()) port = rest.substr(1);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return Error::invalid("no host");
  url.host = std::string(host);
  url.port = url.scheme == "https" ? 443 : 80;
  if (port) {
    auto p = parse_port(*port);
    if (!p) return p.error();
    url.port = *p;
  }
  return url;
}

Result<std::int64_t> parse_timeout(const json& value) {
  if (value.is_string()) {
    auto d = def::parse_duration(value.get<std::string>());
    if (!d) return bad("timeout", d.error().message);
    return d->ms;
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return bad("timeout",
             "expected an ISO 8601 duration (\"PT5S\") or milliseconds, got " + value.dump());
}

Result<std::vector<std::pair<std::string, std::string>>> parse_headers(const json& value,
                                                                       std::size_t max_headers) {
  if (!value.is_object()) return bad("headers", "expected a mapping of name -> value");
  if (value.size() > max_headers) {
    return bad("headers", "more than " + std::to_string(max_headers) + " headers");
  }
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, v] : value.items()) {
    std::string field = "headers." + name;
    if (!is_token(name)) return bad(field, "not a valid header name");
    auto lname = lower(name);
    if (std::find(kReservedHeaders.begin(), kReservedHeaders.end(), lname) !=
        kReservedHeaders.end()) {
      return bad(field, "is set by the client and cannot be given");
    }
    if (!v.is_string() && !v.is_number() && !v.is_boolean()) {
      return bad(field, "expected a string, got " + std::string(v.type_name()));
    }
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    bool unsafe = std::any_of(text.begin(), text.end(),
                              [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
    if (unsafe) return bad(field, "contains a line break or NUL");
    if (text.size() > kMaxHeaderValueBytes) return bad(field, "longer than 8 KiB");
    out.emplace_back(name, std::move(text));
  }
  return out;
}

Result<void> only_known_args(const json& args) {
  static const std::vector<std::string_view> known = {"method", "url", "headers", "body",
                                                      "timeout"};
  for (const auto& [key, v] : args.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string hint = def::did_you_mean(key, known);
    return Error::invalid("http: unknown argument '" + key + "'" +
                          (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
  }
  return {};
}

}  // namespace

std::string Url::host_header() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return default_port ? h : h + ":" + std::to_string(port);
}

Result<Url> parse_url(std::string_view text) {
  auto fail = [&](const std::string& why) {
    return Error::invalid("'" + std::string(text) + "' is not a usable URL: " + why);
  };
  if (has_control_or_space(text)) return fail("spaces or control characters (percent-encode them)");
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail("expected http://host[:port]/path");
  Url url;
  url.text = std::string(text);
  url.scheme = lower(text.substr(0, sep));
  if (url.scheme != "http" && url.scheme != "https") {
    return fail("scheme '" + url.scheme + "' is not supported; use http://");
  }
  std::string_view rest = text.substr(sep + 3);
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) {
    return fail("credentials in the URL are not allowed; send an Authorization header");
  }
  auto split = split_authority(std::move(url), authority);
  if (!split) return fail(split.error().message);
  url = std::move(*split);
  std::string_view target = end == std::string_view::npos ? "" : rest.substr(end);
  target = target.substr(0, target.find('#'));
  url.target = target.starts_with('/') ? std::string(target) : "/" + std::string(target);
  return url;
}

Result<HttpCall> parse_http_call(const rt::ActionRequest& request, const HttpLimits& limits) {
  const json& args = request.args;
  if (!args.is_object()) return Error::invalid("http: `with` must be a mapping {method, url, ...}");
  if (auto r = only_known_args(args); !r) return r.error();
  HttpCall call;
  auto method = args.find("method");
  if (method == args.end() || !method->is_string()) return bad("method", "missing; e.g. POST");
  call.method = method->get<std::string>();
  if (std::find(kMethods.begin(), kMethods.end(), call.method) == kMethods.end()) {
    return bad("method", "'" + call.method + "' is not one of GET, HEAD, POST, PUT, PATCH, " +
                             "DELETE, OPTIONS");
  }
  auto url_arg = args.find("url");
  if (url_arg == args.end() || !url_arg->is_string()) return bad("url", "missing; a string");
  auto url = parse_url(url_arg->get<std::string>());
  if (!url) return bad("url", url.error().message);
  call.url = std::move(*url);
  if (auto h = args.find("headers"); h != args.end() && !h->is_null()) {
    auto headers = parse_headers(*h, limits.max_headers);
    if (!headers) return headers.error();
    call.headers = std::move(*headers);
  }
  if (auto b = args.find("body"); b != args.end() && !b->is_null()) {
    try {
      call.body = b->dump();
    } catch (const json::exception& e) {  // a string that is not valid UTF-8
      return bad("body", std::string("cannot be sent as JSON: ") + e.what());
    }
    if (call.body->size() > limits.max_request_body_bytes) {
      return bad("body", std::to_string(call.body->size()) + " bytes; the limit is " +
                             std::to_string(limits.max_request_body_bytes));
    }
  }
  std::int64_t timeout_ms = request.timeout_ms > 0 ? request.timeout_ms : limits.max_timeout_ms;
  if (auto t = args.find("timeout"); t != args.end() && !t->is_null()) {
    auto given = parse_timeout(*t);
    if (!given) return given.error();
    if (*given <= 0) return bad("timeout", "must be positive");
    timeout_ms = std::min(timeout_ms, *given);
  }
  call.timeout_ms = std::min(timeout_ms, limits.max_timeout_ms);
  call.idempotency_key = request.idempotency_key;
  return call;
}

}  // namespace ledgerflow::plugins
