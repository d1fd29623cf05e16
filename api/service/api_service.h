// ApiService: the Ledgerflow REST API on top of the HTTP layer (api/http) and the engine
// (EngineHost). It registers every route on a Router; each handler authenticates the
// caller (Bearer API key), checks the route's role rule, applies the per-key rate limit,
// validates the request strictly (unknown JSON fields are refused) and then does the
// work off the network thread: reads on a small worker pool, engine commands through
// the executor's asynchronous API, answering when the write is durable.
//
// Role rules: reading needs any authenticated user; changing anything is refused to
// read-only users (auditors); deploying needs admin or workflow_author. Tasks are visible
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
#include <vector>

#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>

#include "api/http/response.h"
#include "api/http/router.h"
#include "api/service/authenticator.h"
#include "api/service/engine_host.h"
#include "api/service/event_hub.h"
#include "api/service/rate_limiter.h"

namespace ledgerflow::api {

struct ApiOptions {
  int worker_threads = 2;
  double rate_per_second = 500;
  double rate_burst = 1000;
  std::size_t max_sse_clients = 256;
  std::string openapi_path;   // empty: the document compiled in (api/openapi.yaml of the build)
  std::string dashboard_dir;  // static files served at / (may be empty)
  std::string models_dir;     // the model registry (for /v1/models)
};

class ApiService {
 public:
  ApiService(EngineHost& host, Authenticator auth, ApiOptions options);
  ~ApiService();
  ApiService(const ApiService&) = delete;
  ApiService& operator=(const ApiService&) = delete;

  // Adds every route. Fails only on a programming error (a malformed pattern).
  Result<void> register_routes(http::Router& router);

  EventHub& events() { return *events_; }
  // Finishes the reads in flight on the worker pool (call after the server drained).
  void stop();

  // Counters for /metrics.
  void count_response(int status);

 private:
  // outcomes: admin, integration, or a finance role that confirms outcomes (ap_manager,
  // finance_director, credit_controller).
  // records: admin or integration (imports).
  enum class Access { read, write, author, admin, outcomes, records };
  using Work = std::function<http::Response(const Principal&, const http::Request&)>;
  using AsyncWork =
      std::function<void(const Principal&, const http::Request&, std::shared_ptr<http::Responder>)>;

  // Authenticates, authorises and rate-limits; answers the failure itself (nullopt).
  std::optional<Principal> admit(const http::Request& req, http::Responder& res, Access access);
  // admit, then runs `work` on the worker pool and answers with its response.
  void on_pool(const http::Request& req, http::Responder res, Access access, Work work);
  // admit, then calls `work` on the network thread (it must not block: it hands the
  // responder to an asynchronous engine call).
  void now(const http::Request& req, http::Responder res, Access access, AsyncWork work);

  // The sensitive keys of a workflow version / of an instance (cached).
  std::set<std::string> mask_for_definition(const std::string& workflow, int version);
  std::set<std::string> mask_for_instance(const std::string& instance_id);

  nlohmann::json instance_view(const rt::InstanceRecord& r);
  nlohmann::json task_view(const rt::TaskRecord& t);
  bool may_see_task(const Principal& p, const rt::TaskRecord& t) const;

  // Route groups (routes_*.cpp).
  Result<void> add_system_routes(http::Router& router);
  Result<void> add_workflow_routes(http::Router& router);
  Result<void> add_instance_routes(http::Router& router);
  Result<void> add_task_routes(http::Router& router);
  Result<void> add_model_routes(http::Router& router);
  Result<void> add_outcome_routes(http::Router& router);
  Result<void> add_stats_routes(http::Router& router);
  Result<void> add_record_routes(http::Router& router);       // routes_records.cpp
  Result<void> add_collections_routes(http::Router& router);  // routes_collections.cpp

  // Answers an engine command's result: the instance view, or the error as a problem.
  void answer_command(std::shared_ptr<http::Responder> res, Result<rt::InstanceRecord> r,
                      int success_status);
  void task_command(const http::Request& req, http::Responder res, rt::Event::Type type);

  EngineHost& host_;
  Authenticator auth_;
  ApiOptions options_;
  RateLimiter limiter_;
  std::unique_ptr<EventHub> events_;
  boost::asio::thread_pool pool_;

  std::mutex mask_mu_;
  std::map<std::pair<std::string, int>, std::set<std::string>> masks_;    // bounded by versions
  std::map<std::string, std::pair<std::string, int>> instance_versions_;  // bounded, see .cpp

  std::atomic<std::uint64_t> responses_2xx_{0}, responses_4xx_{0}, responses_5xx_{0};
  std::atomic<std::uint64_t> started_{0};
  std::int64_t started_at_us_ = 0;
};

// The `limit` query parameter of list routes: 1..1000, default 50.
Result<std::size_t> parse_limit(const http::Request& req);

// One page of a list route: {items: [view(row)...], next_cursor}. `rows` holds up to
// limit + 1 rows (the extra one only says that a next page exists); the cursor is the
// id of the last row returned.
template <typename Row, typename View>
http::Response page_response(std::vector<Row>& rows, std::size_t limit, View view) {
  const bool more = rows.size() > limit;
  if (more) rows.resize(limit);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& row : rows) items.push_back(view(row));
  nlohmann::json body = {{"items", std::move(items)}, {"next_cursor", nullptr}};
  if (more) body["next_cursor"] = rows.back().id;
  return http::Response::json(200, body);
}

// Parses a JSON request body that must be an object with only `allowed` members.
// invalid_argument naming the problem (not JSON, not an object, an unknown field).
Result<nlohmann::json> parse_object_body(const std::string& body,
                                         const std::set<std::string>& allowed,
                                         bool empty_ok = true);

}  // namespace ledgerflow::api
