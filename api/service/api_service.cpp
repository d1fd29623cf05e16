#include "api/service/api_service.h"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <charconv>

#include "api/http/problem.h"
#include "api/service/masking.h"
#include "engine/expr/json_input.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::api {
namespace {

constexpr std::size_t kMaxCachedInstanceVersions = 100'000;

}  // namespace

Result<std::size_t> parse_limit(const http::Request& req) {
  constexpr std::size_t kDefaultPage = 50;
  constexpr std::size_t kMaxPage = 1000;
  auto v = req.query_param("limit");
  if (!v) return kDefaultPage;
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || p != v->data() + v->size() || n == 0 || n > kMaxPage) {
    return Error::invalid("limit must be an integer from 1 to " + std::to_string(kMaxPage) +
                          ", got '" + std::string(*v) + "'");
  }
  return n;
}

Result<nlohmann::json> parse_object_body(const std::string& body,
                                         const std::set<std::string>& allowed, bool empty_ok) {
  if (body.empty()) {
    if (empty_ok) return nlohmann::json::object();
    return Error::invalid("the request body is empty; expected a JSON object");
  }
  auto parsed = expr::parse_json_input(body);
  if (!parsed) return Error::invalid("the request body: " + parsed.error().message);
  nlohmann::json j = std::move(*parsed);
  if (!j.is_object()) return Error::invalid("the request body must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!allowed.count(it.key())) {
      std::string known;
      for (const auto& a : allowed) known += (known.empty() ? "" : ", ") + a;
      return Error::invalid("unknown field '" + it.key() + "' in the request body (allowed: " +
                            (known.empty() ? "none" : known) + ")");
    }
  }
  return j;
}

ApiService::ApiService(EngineHost& host, Authenticator auth, ApiOptions options)
    : host_(host),
      auth_(std::move(auth)),
      options_(std::move(options)),
      limiter_(host.clock(), options_.rate_per_second, options_.rate_burst),
      failed_auth_(host.clock(), options_.failed_auth_per_second, options_.failed_auth_burst),
      pool_(static_cast<std::size_t>(std::max(1, options_.worker_threads))),
      started_at_us_(host.clock().now_us()) {
  // The service's role rules and their default roles; modules grant more and the
  // configuration (options.access) may replace them.
  access_.define(
      {"author", {"admin", "workflow_author"}, "may not deploy workflows (needs role {roles})"});
  access_.define({"admin", {"admin"}, "is not an admin"});
  // Readiness writes to the database and metrics describe the load: neither is public.
  access_.define({"monitor", {"admin", "auditor", "monitor"},
                  "may not read readiness or metrics (needs role {roles})"});
  access_.define(
      {"outcomes", {"admin", "integration"}, "may not record outcomes (needs role {roles})"});
  EventHubOptions eo;
  eo.max_subscribers = options_.max_sse_clients;
  eo.max_per_user = options_.max_sse_clients_per_user;
  events_ = std::make_unique<EventHub>(
      host_.store(), [this](const std::string& id) { return mask_for_instance(id); }, eo);
  context_ = std::make_unique<RouteContext>(RouteContext{
      host_.clock(), host_.executor(), host_.definitions(), auth_, access_,
      [this] { events_->nudge(); }});
}

ApiService::~ApiService() {
  stop();
}

void ApiService::stop() {
  pool_.join();
}

void ApiService::count_response(int status) {
  if (status < 400) {
    ++responses_2xx_;
  } else if (status < 500) {
    ++responses_4xx_;
  } else {
    ++responses_5xx_;
  }
}

std::variant<Principal, http::Response> ApiService::identify(const http::Request& req) {
  auto principal = auth_.authenticate(req.header("Authorization"));
  if (principal) return std::move(*principal);
  // The client's address without its port ("10.0.0.7:51234", "::1:51234").
  const std::string& remote = req.remote();
  const std::string address = remote.substr(0, remote.rfind(':'));
  if (const std::int64_t wait_s = failed_auth_.acquire(address); wait_s > 0) {
    auto r = http::problem(429, "Too Many Requests",
                           "too many failed authentications from this address; retry in " +
                               std::to_string(wait_s) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(wait_s));
    return r;
  }
  auto r = http::problem_from_error(principal.error());
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ledgerflow\"");
  return r;
}

std::optional<Principal> ApiService::admit(const http::Request& req, http::Responder& res,
                                           const std::string& access) {
  auto identified = identify(req);
  if (auto* refusal = std::get_if<http::Response>(&identified)) {
    res(std::move(*refusal));
    return std::nullopt;
  }
  auto principal = std::get<Principal>(std::move(identified));
  res.set_user(principal.user);
  if (const std::int64_t wait_s = limiter_.acquire(principal.user); wait_s > 0) {
    auto r = http::problem(429, "Too Many Requests",
                           "rate limit for user '" + principal.user + "' exceeded; retry in " +
                               std::to_string(wait_s) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(wait_s));
    res(std::move(r));
    return std::nullopt;
  }
  if (auto why = access_.refusal(principal, access)) {
    res(http::problem(403, "Forbidden", "user '" + principal.user + "' " + *why,
                      {{"code", "forbidden"}}));
    return std::nullopt;
  }
  return principal;
}

void ApiService::on_pool(const http::Request& req, http::Responder res, const std::string& access,
                         const PoolHandler& work) {
  auto principal = admit(req, res, access);
  if (!principal) return;
  auto request = std::make_shared<http::Request>(req);
  auto responder = std::make_shared<http::Responder>(std::move(res));
  boost::asio::post(pool_, [principal = std::move(*principal), request, responder, work] {
    try {
      (*responder)(work(principal, *request));
    } catch (const std::exception& e) {
      (*responder)(http::problem(500, "Internal Server Error", "the request failed"));
    }
  });
}

void ApiService::now(const http::Request& req, http::Responder res, const std::string& access,
                     const AsyncHandler& work) {
  auto principal = admit(req, res, access);
  if (!principal) return;
  work(*principal, req, std::make_shared<http::Responder>(std::move(res)));
}

std::set<std::string> ApiService::mask_for_definition(const std::string& workflow, int version) {
  {
    std::lock_guard lock(mask_mu_);
    if (auto it = masks_.find({workflow, version}); it != masks_.end()) return it->second;
  }
  auto d = host_.definitions().get(workflow, version);
  std::set<std::string> keys = d ? masked_keys((*d)->sensitive) : std::set<std::string>{};
  std::lock_guard lock(mask_mu_);
  masks_[{workflow, version}] = keys;
  return keys;
}

std::set<std::string> ApiService::mask_for_instance(const std::string& instance_id) {
  std::pair<std::string, int> wv;
  bool known = false;
  {
    std::lock_guard lock(mask_mu_);
    if (auto it = instance_versions_.find(instance_id); it != instance_versions_.end()) {
      wv = it->second;
      known = true;
    }
  }
  if (!known) {
    auto r = host_.store().instance(instance_id);
    if (!r) return {};
    wv = {r->workflow, r->version};
    std::lock_guard lock(mask_mu_);
    if (instance_versions_.size() >= kMaxCachedInstanceVersions) instance_versions_.clear();
    instance_versions_[instance_id] = wv;
  }
  return mask_for_definition(wv.first, wv.second);
}

nlohmann::json ApiService::instance_view(const rt::InstanceRecord& r) {
  // Instance data lives in the root frame while it runs, in the state once it finished.
  nlohmann::json data = r.state.value("data", nlohmann::json());
  if (data.is_null()) {
    for (const auto& f : r.state.value("frames", nlohmann::json::array())) {
      if (!f.contains("parent")) {
        data = f.value("data", nlohmann::json::object());
        break;
      }
    }
  }
  if (data.is_null()) data = nlohmann::json::object();
  nlohmann::json result = r.state.value("result", nlohmann::json());
  const auto keys = mask_for_definition(r.workflow, r.version);
  mask_json(data, keys);
  mask_json(result, keys);
  nlohmann::json states = nlohmann::json::array();
  for (const auto& f : r.state.value("frames", nlohmann::json::array())) {
    states.push_back(f.value("state", std::string()));
  }
  nlohmann::json j = {{"id", r.id},
                      {"workflow", r.workflow},
                      {"version", r.version},
                      {"status", rt::to_string(r.status)},
                      {"business_key", r.business_key},
                      {"created_by", r.created_by},
                      {"created_at", expr::format_timestamp(r.created_at_us)},
                      {"updated_at", expr::format_timestamp(r.updated_at_us)},
                      {"seq", r.seq},
                      {"states", std::move(states)},
                      {"data", std::move(data)}};
  if (!r.parent_id.empty()) j["parent_id"] = r.parent_id;
  if (!result.is_null()) j["result"] = std::move(result);
  if (r.state.contains("error")) {
    j["error"] = {{"name", r.state.value("error", std::string())},
                  {"message", r.state.value("error_message", std::string())}};
  }
  return j;
}

nlohmann::json ApiService::task_view(const rt::TaskRecord& t) {
  nlohmann::json detail = t.detail;
  mask_json(detail, mask_for_instance(t.instance_id));
  nlohmann::json j = {{"id", t.id},
                      {"instance_id", t.instance_id},
                      {"workflow", t.workflow},
                      {"state", t.state},
                      {"status", rt::to_string(t.status)},
                      {"title", t.title},
                      {"candidate_roles", t.candidate_roles},
                      {"candidate_users", t.candidate_users},
                      {"assignee", t.assignee},
                      {"created_at", expr::format_timestamp(t.created_at_us)},
                      {"outcome", t.outcome},
                      {"detail", std::move(detail)}};
  if (t.due_at_us) j["due_at"] = expr::format_timestamp(*t.due_at_us);
  if (t.completed_at_us) j["completed_at"] = expr::format_timestamp(*t.completed_at_us);
  return j;
}

bool ApiService::may_see_task(const Principal& p, const rt::TaskRecord& t) const {
  if (p.sees_everything() || t.assignee == p.user) return true;
  for (const auto& u : t.candidate_users) {
    if (u == p.user) return true;
  }
  for (const auto& r : t.candidate_roles) {
    if (p.has(r)) return true;
  }
  // The submitter (and anyone else excluded by segregation of duties) may follow the task
  // of their own item; acting on it is refused by the engine, naming the rule.
  for (const auto& u : t.detail.value("forbidden", nlohmann::json::array())) {
    if (u.is_string() && u.get_ref<const std::string&>() == p.user) return true;
  }
  return false;
}

http::Response ApiService::not_found_instance(const std::string& id) {
  return http::problem_from_error(Error{ErrorCode::not_found, "instance '" + id + "' not found"});
}

bool ApiService::may_read(const Principal& p, const rt::InstanceRecord& r, bool tasks) {
  if (p.sees_everything() || r.created_by == p.user) return true;
  auto d = host_.definitions().get(r.workflow, r.version);
  if (!d) return false;
  const auto& read = (*d)->permissions.read;
  if (!read || read->allows(p.user, p.roles, r.created_by)) return true;
  if (!tasks) return false;
  rt::TaskFilter tf;
  tf.instance_id = r.id;
  tf.limit = 100;
  auto ts = host_.store().tasks(tf);
  if (!ts) return false;
  return std::any_of(ts->begin(), ts->end(),
                     [&](const rt::TaskRecord& t) { return may_see_task(p, t); });
}

void ApiService::answer_command(std::shared_ptr<http::Responder> res, Result<rt::InstanceRecord> r,
                                int success_status) {
  if (!r) {
    (*res)(http::problem_from_error(r.error(), 422));
    return;
  }
  events_->nudge();
  http::Response out = http::Response::json(success_status, instance_view(*r));
  if (success_status == 201) out.headers.emplace_back("Location", "/v1/instances/" + r->id);
  (*res)(std::move(out));
}

Result<void> ApiService::add_module(RouteModule& module) {
  LF_TRY(module.define_access(access_));
  modules_.push_back(&module);
  return {};
}

PoolHandler ApiService::bind(PoolMember m) {
  return [this, m](const Principal& p, const http::Request& req) { return (this->*m)(p, req); };
}

AsyncHandler ApiService::bind(AsyncMember m) {
  return [this, m](const Principal& p, const http::Request& req,
                   std::shared_ptr<http::Responder> out) { (this->*m)(p, req, std::move(out)); };
}

http::Handler ApiService::bind(OpenMember m) {
  return
      [this, m](const http::Request& req, http::Responder res) { (this->*m)(req, std::move(res)); };
}

std::vector<Route> ApiService::routes() {
  return {
      {"GET", "/healthz", "public", bind(&ApiService::healthz)},
      {"GET", "/readyz", "monitor", bind(&ApiService::readyz)},
      {"GET", "/metrics", "monitor", bind(&ApiService::metrics)},
      {"GET", "/v1/openapi.yaml", "public", bind(&ApiService::openapi_yaml)},
      {"GET", "/v1/openapi.json", "public", bind(&ApiService::openapi_json)},
      {"GET", "/v1/events", "read", bind(&ApiService::events_stream)},
      {"GET", "/", "public", bind(&ApiService::dashboard_index)},
      {"GET", "/assets/{file}", "public", bind(&ApiService::dashboard_asset)},
      {"POST", "/v1/workflows", "author", bind(&ApiService::deploy_workflow)},
      {"GET", "/v1/workflows", "read", bind(&ApiService::list_workflows)},
      {"GET", "/v1/workflows/{name}", "read", bind(&ApiService::get_workflow)},
      {"GET", "/v1/workflows/{name}/versions/{version}", "read",
       bind(&ApiService::get_workflow_version)},
      {"POST", "/v1/workflows/{name}/instances", "write", bind(&ApiService::start_instance)},
      {"GET", "/v1/instances", "read", bind(&ApiService::list_instances)},
      {"GET", "/v1/instances/{id}", "read", bind(&ApiService::get_instance)},
      {"GET", "/v1/instances/{id}/history", "read", bind(&ApiService::instance_history)},
      {"POST", "/v1/instances/{id}/signals/{name}", "write", bind(&ApiService::signal_instance)},
      {"POST", "/v1/instances/{id}/cancel", "write", bind(&ApiService::cancel_instance)},
      {"GET", "/v1/models", "read", bind(&ApiService::list_models)},
      {"GET", "/v1/models/{name}", "read", bind(&ApiService::get_model)},
      {"PUT", "/v1/models/{name}/aliases/{alias}", "admin", bind(&ApiService::set_model_alias)},
      {"GET", "/v1/instances/{id}/decisions", "read", bind(&ApiService::instance_decisions)},
      {"POST", "/v1/outcomes", "outcomes", bind(&ApiService::record_outcomes)},
      {"GET", "/v1/models/{name}/performance", "read", bind(&ApiService::model_performance)},
      {"GET", "/v1/stats", "read", bind(&ApiService::stats)},
      {"GET", "/v1/tasks", "read", bind(&ApiService::list_tasks)},
      {"GET", "/v1/tasks/{id}", "read", bind(&ApiService::get_task)},
      {"POST", "/v1/tasks/{id}/claim", "write", bind(&ApiService::claim_task)},
      {"POST", "/v1/tasks/{id}/complete", "write", bind(&ApiService::complete_task)},
      {"POST", "/v1/tasks/{id}/delegate", "write", bind(&ApiService::delegate_task)},
  };
}

Result<void> ApiService::add_route(http::Router& router, Route route) {
  if (!access_.knows(route.access)) {
    return Error::invalid(route.method + " " + route.pattern + ": unknown access rule '" +
                          route.access + "'");
  }
  const bool open = std::holds_alternative<http::Handler>(route.handler);
  if (open != (route.access == "public")) {
    return Error::invalid(route.method + " " + route.pattern +
                          ": only public routes take a plain handler");
  }
  if (auto* h = std::get_if<http::Handler>(&route.handler)) {
    return router.add(route.method, route.pattern, std::move(*h));
  }
  // Keys are checked as soon as the header arrives: a request without a valid key never
  // gets its body buffered (imports may carry 64 MiB).
  http::HeaderCheck check_key = [this](const http::Request& head) -> std::optional<http::Response> {
    auto identified = identify(head);
    if (auto* refusal = std::get_if<http::Response>(&identified)) return std::move(*refusal);
    return std::nullopt;
  };
  if (auto* h = std::get_if<PoolHandler>(&route.handler)) {
    return router.add(
        route.method, route.pattern,
        [this, access = route.access, work = std::move(*h)](const http::Request& req,
                                                            http::Responder res) {
          on_pool(req, std::move(res), access, work);
        },
        std::move(check_key));
  }
  return router.add(
      route.method, route.pattern,
      [this, access = route.access, work = std::move(std::get<AsyncHandler>(route.handler))](
          const http::Request& req, http::Responder res) {
        now(req, std::move(res), access, work);
      },
      std::move(check_key));
}

Result<void> ApiService::register_routes(http::Router& router) {
  LF_TRY(access_.configure(options_.access));
  for (auto& route : routes()) LF_TRY(add_route(router, std::move(route)));
  for (RouteModule* module : modules_) {
    for (auto& route : module->routes(*context_)) LF_TRY(add_route(router, std::move(route)));
  }
  return {};
}

}  // namespace ledgerflow::api
