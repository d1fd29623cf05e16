#include "api/service/api_service.h"

#include <boost/asio/post.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "api/http/problem.h"
#include "api/service/masking.h"
#include "api/service/openapi_document.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::api {
namespace {

constexpr std::size_t kMaxCachedInstanceVersions = 100'000;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// YAML (the OpenAPI source) to JSON, scalars typed the way YAML 1.2 core would.
nlohmann::json yaml_to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& kv : n) o[kv.first.as<std::string>()] = yaml_to_json(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& v : n) a.push_back(yaml_to_json(v));
      return a;
    }
    case YAML::NodeType::Scalar: {
      const std::string s = n.Scalar();
      if (n.Tag() == "!") return s;  // quoted
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      try {
        std::size_t used = 0;
        if (s.find_first_of(".eE") == std::string::npos) {
          long long v = std::stoll(s, &used);
          if (used == s.size()) return v;
        } else {
          double v = std::stod(s, &used);
          if (used == s.size()) return v;
        }
      } catch (const std::exception&) {
      }
      return s;
    }
    default:
      return nullptr;
  }
}

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
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::parse_error& e) {
    return Error::invalid(std::string("the request body is not valid JSON: ") + e.what());
  }
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
      pool_(static_cast<std::size_t>(std::max(1, options_.worker_threads))),
      started_at_us_(host.clock().now_us()) {
  EventHubOptions eo;
  eo.max_subscribers = options_.max_sse_clients;
  events_ = std::make_unique<EventHub>(
      host_.store(), [this](const std::string& id) { return mask_for_instance(id); }, eo);
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

std::optional<Principal> ApiService::admit(const http::Request& req, http::Responder& res,
                                           Access access) {
  auto principal = auth_.authenticate(req.header("Authorization"));
  if (!principal) {
    auto r = http::problem_from_error(principal.error());
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"ledgerflow\"");
    res(std::move(r));
    return std::nullopt;
  }
  res.set_user(principal->user);
  if (const std::int64_t wait_s = limiter_.acquire(principal->user); wait_s > 0) {
    auto r = http::problem(429, "Too Many Requests",
                           "rate limit for user '" + principal->user + "' exceeded; retry in " +
                               std::to_string(wait_s) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(wait_s));
    res(std::move(r));
    return std::nullopt;
  }
  auto refuse = [&](const std::string& why) {
    res(http::problem(403, "Forbidden", "user '" + principal->user + "' " + why,
                      {{"code", "forbidden"}}));
    return std::nullopt;
  };
  switch (access) {
    case Access::read:
      break;
    case Access::write:
      if (principal->read_only()) return refuse("has read-only access (auditor)");
      break;
    case Access::author:
      if (!principal->is_admin() && !principal->has("workflow_author")) {
        return refuse("may not deploy workflows (needs role admin or workflow_author)");
      }
      break;
    case Access::admin:
      if (!principal->is_admin()) return refuse("is not an admin");
      break;
    case Access::records:
      if (!principal->is_admin() && !principal->has("integration")) {
        return refuse("may not import records (needs role admin or integration)");
      }
      break;
    case Access::outcomes:
      if (!principal->is_admin() && !principal->has("integration") &&
          !principal->has("ap_manager") && !principal->has("finance_director") &&
          !principal->has("credit_controller")) {
        return refuse(
            "may not record outcomes (needs role admin, integration, ap_manager, "
            "finance_director or credit_controller)");
      }
      break;
  }
  return std::move(*principal);
}

void ApiService::on_pool(const http::Request& req, http::Responder res, Access access, Work work) {
  auto principal = admit(req, res, access);
  if (!principal) return;
  auto request = std::make_shared<http::Request>(req);
  auto responder = std::make_shared<http::Responder>(std::move(res));
  boost::asio::post(
      pool_, [principal = std::move(*principal), request, responder, work = std::move(work)] {
        try {
          (*responder)(work(principal, *request));
        } catch (const std::exception& e) {
          (*responder)(http::problem(500, "Internal Server Error", "the request failed"));
        }
      });
}

void ApiService::now(const http::Request& req, http::Responder res, Access access, AsyncWork work) {
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

Result<void> ApiService::register_routes(http::Router& router) {
  if (auto r = add_system_routes(router); !r) return r;
  if (auto r = add_workflow_routes(router); !r) return r;
  if (auto r = add_instance_routes(router); !r) return r;
  if (auto r = add_model_routes(router); !r) return r;
  if (auto r = add_outcome_routes(router); !r) return r;
  if (auto r = add_stats_routes(router); !r) return r;
  if (auto r = add_record_routes(router); !r) return r;
  if (auto r = add_collections_routes(router); !r) return r;
  return add_task_routes(router);
}

Result<void> ApiService::add_system_routes(http::Router& router) {
  using http::Request;
  using http::Responder;
  using http::Response;
  auto add = [&](const char* method, const char* pattern, http::Handler h) {
    return router.add(method, pattern, std::move(h));
  };
  if (auto r = add("GET", "/healthz",
                   [](const Request&, Responder res) {
                     res(Response::json(200, {{"status", "ok"}}));
                   });
      !r)
    return r;
  // Ready = the writer commits (an empty write set goes through the write queue and
  // BEGIN IMMEDIATE/COMMIT) and the workflows are deployed (they are, before the server
  // starts; the count is reported).
  if (auto r = add(
          "GET", "/readyz",
          [this](const Request&, Responder res) {
            auto responder = std::make_shared<Responder>(std::move(res));
            host_.store().submit(rt::WriteSet{}, [this, responder](Result<void> w) {
              if (!w) {
                (*responder)(http::problem(503, "Service Unavailable",
                                           "the database is not writable: " + w.error().message));
                return;
              }
              boost::asio::post(pool_, [this, responder] {
                auto defs = host_.store().definitions();
                if (!defs) {
                  (*responder)(
                      http::problem(503, "Service Unavailable", "the database is not readable"));
                  return;
                }
                std::set<std::string> names;
                for (const auto& d : *defs) names.insert(d.name);
                (*responder)(Response::json(
                    200,
                    {{"status", "ready"}, {"database", "writable"}, {"workflows", names.size()}}));
              });
            });
          });
      !r)
    return r;
  if (auto r = add("GET", "/metrics",
                   [this](const Request&, Responder res) {
                     const auto st = host_.store().stats();
                     const auto ex = host_.executor().stats();
                     std::ostringstream m;
                     m << "# TYPE ledgerflow_http_responses_total counter\n"
                       << "ledgerflow_http_responses_total{class=\"2xx\"} " << responses_2xx_
                       << "\nledgerflow_http_responses_total{class=\"4xx\"} " << responses_4xx_
                       << "\nledgerflow_http_responses_total{class=\"5xx\"} " << responses_5xx_
                       << "\n# TYPE ledgerflow_store_commits_total counter\n"
                       << "ledgerflow_store_commits_total " << st.commits
                       << "\n# TYPE ledgerflow_store_write_sets_total counter\n"
                       << "ledgerflow_store_write_sets_total " << st.write_sets
                       << "\n# TYPE ledgerflow_store_failed_write_sets_total counter\n"
                       << "ledgerflow_store_failed_write_sets_total " << st.failed_write_sets
                       << "\n# TYPE ledgerflow_engine_steps_total counter\n"
                       << "ledgerflow_engine_steps_total " << ex.transitions
                       << "\n# TYPE ledgerflow_sse_clients gauge\n"
                       << "ledgerflow_sse_clients " << events_->subscribers()
                       << "\n# TYPE ledgerflow_events_head gauge\n"
                       << "ledgerflow_events_head " << events_->head() << "\n";
                     Response out = Response::text(200, m.str());
                     out.content_type = "text/plain; version=0.0.4";
                     res(std::move(out));
                   });
      !r)
    return r;
  auto openapi = [this](bool as_json) {
    return [this, as_json](const Request&, Responder res) {
      const std::string text = options_.openapi_path.empty() ? std::string(kOpenApiYaml)
                                                             : read_file(options_.openapi_path);
      if (text.empty()) {
        res(http::problem(404, "Not Found", "the OpenAPI document is not installed"));
        return;
      }
      if (!as_json) {
        Response out = Response::text(200, text);
        out.content_type = "application/yaml";
        res(std::move(out));
        return;
      }
      try {
        res(Response::json(200, yaml_to_json(YAML::Load(text))));
      } catch (const YAML::Exception& e) {
        res(http::problem(500, "Internal Server Error", "the OpenAPI document is malformed"));
      }
    };
  };
  if (auto r = add("GET", "/v1/openapi.yaml", openapi(false)); !r) return r;
  if (auto r = add("GET", "/v1/openapi.json", openapi(true)); !r) return r;

  // Live change feed (server-sent events). Last-Event-ID (or ?after=) resumes.
  if (auto r = add(
          "GET", "/v1/events",
          [this](const Request& req, Responder res) {
            now(req, std::move(res), Access::read,
                [this](const Principal&, const Request& rq, std::shared_ptr<Responder> responder) {
                  std::optional<std::uint64_t> after;
                  std::string_view from;
                  if (auto h = rq.header("Last-Event-ID")) from = *h;
                  if (auto q = rq.query_param("after")) from = *q;
                  if (!from.empty()) {
                    std::uint64_t v = 0;
                    auto [p, ec] = std::from_chars(from.data(), from.data() + from.size(), v);
                    if (ec != std::errc() || p != from.data() + from.size()) {
                      (*responder)(
                          http::problem(400, "Bad Request",
                                        "Last-Event-ID / after must be an event id (a number)"));
                      return;
                    }
                    after = v;
                  }
                  if (events_->subscribers() >= options_.max_sse_clients) {
                    (*responder)(http::problem(503, "Service Unavailable",
                                               "too many event streams are open"));
                    return;
                  }
                  auto stream = responder->start_sse({{"Cache-Control", "no-store"}});
                  if (!stream) return;
                  stream->comment("ledgerflow events; head " + std::to_string(events_->head()));
                  if (auto s = events_->subscribe(stream, after); !s) stream->close();
                });
          });
      !r)
    return r;

  // The dashboard (static files), when built.
  auto serve = [this](const std::string& name, Responder& res) {
    static const std::map<std::string, std::string> kTypes = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},   {".svg", "image/svg+xml"},
        {".json", "application/json"},         {".png", "image/png"},
        {".map", "application/json"}};
    const std::string ext = std::filesystem::path(name).extension().string();
    auto type = kTypes.find(ext);
    const std::string body =
        options_.dashboard_dir.empty() || type == kTypes.end()
            ? std::string()
            : read_file((std::filesystem::path(options_.dashboard_dir) / name).string());
    if (body.empty()) {
      if (name == "index.html") {
        Response out = Response::text(
            200,
            "ledgerflowd is running. The REST API is under /v1 (see /v1/openapi.yaml); the "
            "dashboard is not built (run scripts/build).\n");
        res(std::move(out));
        return;
      }
      res(http::problem(404, "Not Found", "no such file: " + name));
      return;
    }
    Response out;
    out.status = 200;
    out.content_type = type->second;
    out.body = body;
    res(std::move(out));
  };
  if (auto r =
          add("GET", "/", [serve](const Request&, Responder res) { serve("index.html", res); });
      !r)
    return r;
  return add("GET", "/assets/{file}", [serve](const Request& req, Responder res) {
    // The router has decoded the segment and refused "." and ".."; a file name with a
    // slash cannot arrive in one segment, so this stays inside the assets directory.
    const std::string file(req.param("file").value_or(""));
    if (file.find('/') != std::string::npos || file.find('\\') != std::string::npos ||
        file.empty() || file.front() == '.') {
      res(http::problem(404, "Not Found", "no such file"));
      return;
    }
    serve("assets/" + file, res);
  });
}

}  // namespace ledgerflow::api
