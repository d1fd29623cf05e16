// ApiService: the Ledgerflow REST API on top of the HTTP layer (api/http) and the engine
// (EngineHost). It registers every route on a Router; each handler authenticates the
// caller (Bearer API key), checks the route's role rule, applies the per-key rate limit,
// validates the request strictly (unknown JSON fields are refused) and then does the
// work off the network thread: reads on a small worker pool, engine commands through
// the executor's asynchronous API, answering when the write is durable.
//
// The operations are a table (ApiService::routes(): method, pattern, access rule, handler);
// route modules (RouteModule) add theirs (domain packages, composed by the daemon).
//
// Access rules: reading needs any authenticated user; changing anything is refused to
// read-only users (auditors); deploying needs a role of rule `author` (admin or
// workflow_author), alias changes rule `admin`, outcomes rule `outcomes` (admin,
// integration, and roles that modules or the configuration grant). Tasks are visible
// to and actionable by their candidates and assignee (admins and auditors see all);
// segregation of duties is the engine's (a 403 naming the rule).
// Sensitive fields (a workflow's `sensitive:` paths) are masked in every response.
// Thread-safety: handlers run concurrently on network threads; all shared state is
// synchronised.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "api/http/response.h"
#include "api/http/router.h"
#include "api/service/authenticator.h"
#include "api/service/engine_host.h"
#include "api/service/event_hub.h"
#include "api/service/handler_support.h"
#include "api/service/rate_limiter.h"
#include "api/service/route_module.h"

namespace ledgerflow::api {

struct ApiOptions {
  int worker_threads = 2;
  double rate_per_second = 500;
  double rate_burst = 1000;
  std::size_t max_sse_clients = 256;
  std::size_t max_sse_clients_per_user = 8;
  // Failed authentications per client address: `failed_auth_burst` at once, then this many
  // per second; beyond that the address gets 429 until its bucket refills.
  double failed_auth_per_second = 1;
  double failed_auth_burst = 20;
  std::string openapi_path;   // empty: the document compiled in (api/openapi.yaml of the build)
  std::string dashboard_dir;  // static files served at / (may be empty)
  std::string models_dir;     // the model registry (for /v1/models)
  // Role rule -> roles, replacing the defaults of the service and its modules (the
  // `access:` section of the daemon's config file).
  std::map<std::string, std::vector<std::string>> access;
};

class ApiService {
 public:
  ApiService(EngineHost& host, Authenticator auth, ApiOptions options);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  // Adds a module's routes and access rules (before register_routes). `module` must
  // outlive this service.
  Result<void> add_module(RouteModule& module);
  // Adds every route: the service's table and each module's. invalid_argument on a
  // programming error (a malformed pattern, an unknown access rule) or a configured access
  // rule that no route defines.
  Result<void> register_routes(http::Router& router);

  EventHub& events() { return *events_; }
  // Finishes the reads in flight on the worker pool (call after the server drained).
  void stop();

  // Counters for /metrics.
  void count_response(int status);

 private:
  using PoolMember = http::Response (ApiService::*)(const Principal&, const http::Request&);
  using AsyncMember = void (ApiService::*)(const Principal&, const http::Request&,
                                           std::shared_ptr<http::Responder>);
  using OpenMember = void (ApiService::*)(const http::Request&, http::Responder);

  // The service's own operations, one row each (api_service.cpp).
  std::vector<Route> routes();
  PoolHandler bind(PoolMember m);
  AsyncHandler bind(AsyncMember m);
  http::Handler bind(OpenMember m);
  Result<void> add_route(http::Router& router, Route route);

  // Authenticates, authorises and rate-limits; answers the failure itself (nullopt).
  // The principal of the request's API key, or the answer refusing it: 401 (with
  // WWW-Authenticate), or 429 once the client's address failed too often.
  std::variant<Principal, http::Response> identify(const http::Request& req);
  std::optional<Principal> admit(const http::Request& req, http::Responder& res,
                                 const std::string& access);
  // admit, then runs `work` on the worker pool and answers with its response.
  void on_pool(const http::Request& req, http::Responder res, const std::string& access,
               const PoolHandler& work);
  // admit, then calls `work` on the network thread (it must not block: it hands the
  // responder to an asynchronous engine call).
  void now(const http::Request& req, http::Responder res, const std::string& access,
           const AsyncHandler& work);

  // The sensitive keys of a workflow version / of an instance (cached).
  std::set<std::string> mask_for_definition(const std::string& workflow, int version);
  std::set<std::string> mask_for_instance(const std::string& instance_id);

  nlohmann::json instance_view(const rt::InstanceRecord& r);
  nlohmann::json task_view(const rt::TaskRecord& t);
  bool may_see_task(const Principal& p, const rt::TaskRecord& t) const;
  // Read scope of an instance: admins and auditors, its creator, the users its workflow's
  // permissions.read allows (everyone when absent) and, with `tasks`, the candidates of
  // its tasks (one more read; lists skip it).
  bool may_read(const Principal& p, const rt::InstanceRecord& r, bool tasks = true);
  // The answer for an instance outside the caller's read scope: the same 404 as for an
  // instance that does not exist, so ids cannot be probed.
  static http::Response not_found_instance(const std::string& id);

  // Handlers. System (routes_system.cpp): no authentication.
  void healthz(const http::Request& req, http::Responder res);
  void readyz(const Principal& p, const http::Request& req, std::shared_ptr<http::Responder> res);
  void metrics(const Principal& p, const http::Request& req, std::shared_ptr<http::Responder> res);
  void openapi_yaml(const http::Request& req, http::Responder res);
  void openapi_json(const http::Request& req, http::Responder res);
  void dashboard_index(const http::Request& req, http::Responder res);
  void dashboard_asset(const http::Request& req, http::Responder res);
  void serve_file(const std::string& name, http::Responder& res);
  void openapi(bool as_json, http::Responder& res);
  void events_stream(const Principal& p, const http::Request& req,
                     std::shared_ptr<http::Responder> out);
  // Workflows (routes_workflows.cpp).
  http::Response deploy_workflow(const Principal& p, const http::Request& req);
  http::Response list_workflows(const Principal& p, const http::Request& req);
  http::Response get_workflow(const Principal& p, const http::Request& req);
  http::Response get_workflow_version(const Principal& p, const http::Request& req);
  // Instances (routes_instances.cpp).
  void start_instance(const Principal& p, const http::Request& req,
                      std::shared_ptr<http::Responder> out);
  http::Response list_instances(const Principal& p, const http::Request& req);
  http::Response get_instance(const Principal& p, const http::Request& req);
  http::Response instance_history(const Principal& p, const http::Request& req);
  void signal_instance(const Principal& p, const http::Request& req,
                       std::shared_ptr<http::Responder> out);
  void cancel_instance(const Principal& p, const http::Request& req,
                       std::shared_ptr<http::Responder> out);
  void cancel_checked(const Principal& p, const std::string& id, const std::string& reason,
                      std::shared_ptr<http::Responder> out);
  // Tasks (routes_tasks.cpp).
  http::Response list_tasks(const Principal& p, const http::Request& req);
  http::Response get_task(const Principal& p, const http::Request& req);
  void claim_task(const Principal& p, const http::Request& req,
                  std::shared_ptr<http::Responder> out);
  void complete_task(const Principal& p, const http::Request& req,
                     std::shared_ptr<http::Responder> out);
  void delegate_task(const Principal& p, const http::Request& req,
                     std::shared_ptr<http::Responder> out);
  void task_command(const Principal& p, const http::Request& req,
                    std::shared_ptr<http::Responder> out, rt::Event::Type type);
  void send_task_event(const Principal& p, rt::Event e, std::shared_ptr<http::Responder> out);
  // Models and decisions (routes_models.cpp).
  http::Response list_models(const Principal& p, const http::Request& req);
  http::Response get_model(const Principal& p, const http::Request& req);
  void set_model_alias(const Principal& p, const http::Request& req,
                       std::shared_ptr<http::Responder> out);
  void write_model_alias(const Principal& p, const std::string& name, const std::string& alias,
                         int version, std::shared_ptr<http::Responder> out);
  http::Response instance_decisions(const Principal& p, const http::Request& req);
  // Outcomes (routes_outcomes.cpp).
  void record_outcomes(const Principal& p, const http::Request& req,
                       std::shared_ptr<http::Responder> out);
  http::Response model_performance(const Principal& p, const http::Request& req);
  // Stats (routes_stats.cpp).
  http::Response stats(const Principal& p, const http::Request& req);

  // Answers an engine command's result: the instance view, or the error as a problem.
  void answer_command(std::shared_ptr<http::Responder> res, Result<rt::InstanceRecord> r,
                      int success_status);

  EngineHost& host_;
  Authenticator auth_;
  ApiOptions options_;
  RateLimiter limiter_;
  RateLimiter failed_auth_;  // keyed by client address
  AccessPolicy access_;
  std::unique_ptr<EventHub> events_;
  boost::asio::thread_pool pool_;
  std::unique_ptr<RouteContext> context_;  // what modules see
  std::vector<RouteModule*> modules_;

  std::mutex mask_mu_;
  std::map<std::pair<std::string, int>, std::set<std::string>> masks_;    // bounded by versions
  std::map<std::string, std::pair<std::string, int>> instance_versions_;  // bounded, see .cpp

  std::atomic<std::uint64_t> responses_2xx_{0}, responses_4xx_{0}, responses_5xx_{0};
  std::atomic<std::uint64_t> started_{0};
  std::int64_t started_at_us_ = 0;
};

}  // namespace ledgerflow::api
