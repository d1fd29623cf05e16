#include "api/http/router.h"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

#include "api/http/problem.h"

namespace ledgerflow::api::http {
namespace {

bool is_method_token(std::string_view method) {
  if (method.empty() || method.size() > 16) return false;
  return std::all_of(method.begin(), method.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool is_capture_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

Result<void> Router::add(std::string method, std::string_view pattern, Handler handler,
                         HeaderCheck header_check) {
  if (!is_method_token(method)) return Error::invalid("route method must be an upper-case token");
  if (!handler) return Error::invalid("route handler is empty");
  if (pattern.empty() || pattern.front() != '/') {
    return Error::invalid("route pattern must start with '/': " + std::string(pattern));
  }
  Route route{method, std::string(pattern), {}, std::move(handler), std::move(header_check)};
  if (pattern != "/") {
    std::size_t start = 1;
    while (start <= pattern.size()) {
      std::size_t end = std::min(pattern.find('/', start), pattern.size());
      std::string_view piece = pattern.substr(start, end - start);
      if (piece.empty()) return Error::invalid("empty segment in route " + route.pattern);
      if (piece.front() == '{') {
        std::string_view name = piece.substr(1, piece.size() - 1);
        if (name.empty() || name.back() != '}' ||
            !is_capture_name(name.substr(0, name.size() - 1))) {
          return Error::invalid("malformed capture in route " + route.pattern);
        }
        name.remove_suffix(1);
        for (const Segment& s : route.segments) {
          if (s.capture && s.text == name) {
            return Error::invalid("duplicate capture in route " + route.pattern);
          }
        }
        route.segments.push_back({std::string(name), true});
      } else {
        if (piece.find_first_of("{}") != std::string_view::npos) {
          return Error::invalid("braces inside a literal segment in route " + route.pattern);
        }
        route.segments.push_back({std::string(piece), false});
      }
      start = end + 1;
    }
  }
  for (const Route& existing : routes_) {
    if (existing.method != route.method || existing.segments.size() != route.segments.size()) {
      continue;
    }
    bool same = std::equal(existing.segments.begin(), existing.segments.end(),
                           route.segments.begin(), [](const Segment& a, const Segment& b) {
                             return a.capture == b.capture && (a.capture || a.text == b.text);
                           });
    if (same) {
      return Error{ErrorCode::conflict, "route " + route.method + " " + route.pattern +
                                            " clashes with " + existing.pattern};
    }
  }
  routes_.push_back(std::move(route));
  return {};
}

bool Router::matches(const Route& route, const std::vector<std::string>& segments) {
  if (route.segments.size() != segments.size()) return false;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = route.segments[i];
    if (s.capture ? segments[i].empty() : s.text != segments[i]) return false;
  }
  return true;
}

bool Router::more_specific(const Route& a, const Route& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    if (a.segments[i].capture != b.segments[i].capture) return !a.segments[i].capture;
  }
  return false;
}

const Router::Route* Router::best_match(const Request& request,
                                        std::vector<std::string>* allowed) const {
  const Route* best = nullptr;
  for (const Route& route : routes_) {
    if (!matches(route, request.segments())) continue;
    if (route.method == request.method()) {
      if (best == nullptr || more_specific(route, *best)) best = &route;
    } else if (allowed != nullptr &&
               std::find(allowed->begin(), allowed->end(), route.method) == allowed->end()) {
      allowed->push_back(route.method);
    }
  }
  return best;
}

std::optional<Response> Router::check_header(const Request& head) const {
  const Route* route = best_match(head, nullptr);
  if (route == nullptr || !route->header_check) return std::nullopt;
  try {
    return route->header_check(head);
  } catch (const std::exception& e) {
    spdlog::error("request {}: header check for {} {} threw: {}", head.id(), route->method,
                  route->pattern, e.what());
    return problem(500, {}, "the request failed");
  }
}

void Router::dispatch(Request& request, Responder responder) const {
  std::vector<std::string> allowed;
  const Route* best = best_match(request, &allowed);
  if (best == nullptr) {
    if (allowed.empty()) {
      responder(problem(404, {}, "no route for " + std::string(request.path())));
      return;
    }
    std::sort(allowed.begin(), allowed.end());
    std::string allow;
    for (const std::string& m : allowed) allow += (allow.empty() ? "" : ", ") + m;
    Response r = problem(405, {}, request.method() + " is not allowed here; allowed: " + allow);
    r.headers.emplace_back("Allow", allow);
    responder(std::move(r));
    return;
  }
  request.params_.clear();
  for (std::size_t i = 0; i < best->segments.size(); ++i) {
    if (best->segments[i].capture) {
      request.params_.emplace_back(best->segments[i].text, request.segments()[i]);
    }
  }
  try {
    best->handler(request, std::move(responder));
  } catch (const std::exception& e) {
    spdlog::error("request {}: handler for {} {} threw: {}", request.id(), best->method,
                  best->pattern, e.what());
  } catch (...) {
    spdlog::error("request {}: handler for {} {} threw a non-exception", request.id(), best->method,
                  best->pattern);
  }
}

std::vector<Router::RouteInfo> Router::routes() const {
  std::vector<RouteInfo> out;
  out.reserve(routes_.size());
  for (const Route& r : routes_) out.push_back({r.method, r.pattern});
  return out;
}

}  // namespace ledgerflow::api::http
