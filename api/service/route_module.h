// The API's operations as data. A Route is one operation: {method, path pattern, access
// rule, handler}; the handler's type says where it runs. ApiService registers its own
// table and the tables of the route modules the composition root gives it (domain
// packages), so the generic service knows no domain routes or roles.
//
// Access rules are named: "public" (no authentication), "read" (any authenticated user),
// "write" (any user who is not read-only, i.e. not only an auditor), and role rules — the
// user needs one of the rule's roles. Role rules are defined with default roles by the
// service and the modules, and their roles can be replaced by configuration
// (the `access:` section of the daemon's config file).
//
// Thread-safety: Route handlers are called concurrently; AccessPolicy is built before the
// server starts and only read afterwards (refusal() is const and safe concurrently).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "api/http/request.h"
#include "api/http/responder.h"
#include "api/http/response.h"
#include "api/http/router.h"
#include "api/service/principal.h"
#include "engine/common/result.h"

namespace ledgerflow::rt {
class Clock;
class Executor;
class DefinitionRegistry;
}  // namespace ledgerflow::rt

namespace ledgerflow::api {

class Authenticator;

// Runs on the worker pool (it may block on reads) and returns the response.
using PoolHandler = std::function<http::Response(const Principal&, const http::Request&)>;
// Runs on the network thread; must not block: answers through the responder, usually
// after handing it to an asynchronous engine call.
using AsyncHandler =
    std::function<void(const Principal&, const http::Request&, std::shared_ptr<http::Responder>)>;

struct Route {
  std::string method;
  std::string pattern;
  std::string access;  // an access rule name; "public" only with a plain http::Handler
  std::variant<PoolHandler, AsyncHandler, http::Handler> handler;
};

struct RoleRule {
  std::string name;
  std::vector<std::string> roles;
  // Said after "user 'NAME' " when refused; "{roles}" becomes "a, b or c".
  std::string refusal;
};

class AccessPolicy {
 public:
  // Adds a role rule, or replaces the one with the same name.
  void define(RoleRule rule);
  // Adds roles to a defined rule (those it does not list yet, in order).
  Result<void> grant(const std::string& rule, const std::vector<std::string>& roles);
  // Replaces the roles of defined rules (from configuration). invalid_argument naming an
  // unknown rule or an empty role list.
  Result<void> configure(const std::map<std::string, std::vector<std::string>>& roles);
  bool knows(const std::string& rule) const;
  // nullopt when `p` passes `rule`; otherwise why not, to follow "user 'NAME' ".
  std::optional<std::string> refusal(const Principal& p, const std::string& rule) const;
  // The roles of a role rule (empty for the built-in rules and unknown names).
  std::vector<std::string> roles_of(const std::string& rule) const;

 private:
  std::map<std::string, RoleRule> rules_;
};

// "a", "a or b", "a, b or c".
std::string join_roles(const std::vector<std::string>& roles);

// What a route module may use of the service: the engine's generic parts and the users.
struct RouteContext {
  const rt::Clock& clock;
  rt::Executor& executor;
  rt::DefinitionRegistry& definitions;
  const Authenticator& auth;
  // The role rules (a handler checks a second rule that depends on the request).
  const AccessPolicy& access;
  // Tells the change feed (/v1/events) that something was written.
  std::function<void()> nudge_events;
};

// A set of routes a package adds to the API. Owned by the composition root, it must outlive
// the ApiService it is added to.
class RouteModule {
 public:
  virtual ~RouteModule() = default;
  // Defines the role rules its routes use and grants its roles on the service's rules.
  virtual Result<void> define_access(AccessPolicy& policy) const = 0;
  // Its routes; `context` outlives them.
  virtual std::vector<Route> routes(const RouteContext& context) = 0;
};

}  // namespace ledgerflow::api
