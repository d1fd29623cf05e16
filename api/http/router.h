// Router: maps method + path pattern to a handler. Patterns are literal segments and
// whole-segment captures: "/v1/instances/{id}/signals/{name}". A request whose path matches
// no pattern gets a 404 problem; one whose path matches but not for its method gets 405 with
// an Allow header. Captures are decoded and set on the Request (request.param("id")).
//
// Precedence: when several patterns match, the most specific wins — comparing segment by
// segment from the left, a literal beats a capture ("/v1/tasks/mine" before
// "/v1/tasks/{id}"). Captures never match an empty segment.
//
// Build the router completely before Server::start(); it is read-only afterwards.
// Thread-safety: dispatch() and routes() are const and safe to call concurrently; add() is not.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http/request.h"
#include "api/http/responder.h"
#include "engine/common/result.h"

namespace ledgerflow::api::http {

// Runs on a network thread: it must not block. Slow work goes to another thread, which
// answers through the Responder when done.
using Handler = std::function<void(const Request&, Responder)>;
// Runs on a network thread as soon as a request's header has arrived, before its body is
// read: `head` has the method, target and headers (no body). An answer refuses the request
// at once (e.g. 401 for a missing or wrong API key) and the body is never buffered.
using HeaderCheck = std::function<std::optional<Response>(const Request& head)>;

class Router {
 public:
  struct RouteInfo {
    std::string method;
    std::string pattern;
  };

  // `method` is an upper-case token ("GET"). invalid_argument for a malformed method or
  // pattern (must start with '/', no empty segments, capture names [A-Za-z0-9_]+ and unique);
  // conflict when the same method is already registered for an equivalent pattern.
  Result<void> add(std::string method, std::string_view pattern, Handler handler,
                   HeaderCheck header_check = {});

  // The header check of the route `head` would be dispatched to, if it has one and refuses.
  std::optional<Response> check_header(const Request& head) const;

  // Calls the matching handler with the captures set on `request`, or answers 404/405. If
  // the handler throws, the exception is logged and the Responder it held answers 500.
  void dispatch(Request& request, Responder responder) const;

  // Registered routes in registration order (e.g. to compare with the OpenAPI document).
  std::vector<RouteInfo> routes() const;

 private:
  struct Segment {
    std::string text;  // the literal, or the capture's name
    bool capture = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
    HeaderCheck header_check;
  };
  const Route* best_match(const Request& request, std::vector<std::string>* allowed) const;

  static bool matches(const Route& route, const std::vector<std::string>& segments);
  static bool more_specific(const Route& a, const Route& b);

  std::vector<Route> routes_;
};

}  // namespace ledgerflow::api::http
