// Unauthenticated routes: /healthz, /readyz, /metrics, the OpenAPI document and the
// dashboard's static files; and the authenticated change feed /v1/events (SSE).
#include <boost/asio/post.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "api/http/problem.h"
#include "api/service/api_service.h"
#include "api/service/openapi_document.h"

namespace ledgerflow::api {
namespace {

using http::Request;
using http::Responder;
using http::Response;

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

void ApiService::healthz(const Request&, Responder res) {
  res(Response::json(200, {{"status", "ok"}}));
}

// Ready = the writer commits (an empty write set goes through the write queue and
// BEGIN IMMEDIATE/COMMIT) and the workflows are deployed (they are, before the server
// starts; the count is reported).
void ApiService::readyz(const Principal&, const Request&, std::shared_ptr<Responder> responder) {
  host_.store().submit(rt::WriteSet{}, [this, responder](Result<void> w) {
    if (!w) {
      (*responder)(http::problem(503, "Service Unavailable",
                                 "the database is not writable: " + w.error().message));
      return;
    }
    boost::asio::post(pool_, [this, responder] {
      auto defs = host_.store().definitions();
      if (!defs) {
        (*responder)(http::problem(503, "Service Unavailable", "the database is not readable"));
        return;
      }
      std::set<std::string> names;
      for (const auto& d : *defs) names.insert(d.name);
      (*responder)(Response::json(
          200, {{"status", "ready"}, {"database", "writable"}, {"workflows", names.size()}}));
    });
  });
}

void ApiService::metrics(const Principal&, const Request&, std::shared_ptr<Responder> res) {
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
  (*res)(std::move(out));
}

void ApiService::openapi(bool as_json, Responder& res) {
  const std::string text =
      options_.openapi_path.empty() ? std::string(kOpenApiYaml) : read_file(options_.openapi_path);
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
  // yaml-cpp throws on malformed input; caught here, at the call into it.
  try {
    res(Response::json(200, yaml_to_json(YAML::Load(text))));
  } catch (const YAML::Exception& e) {
    res(http::problem(500, "Internal Server Error", "the OpenAPI document is malformed"));
  }
}

void ApiService::openapi_yaml(const Request&, Responder res) {
  openapi(false, res);
}

void ApiService::openapi_json(const Request&, Responder res) {
  openapi(true, res);
}

// Live change feed (server-sent events). Last-Event-ID (or ?after=) resumes.
void ApiService::events_stream(const Principal& p, const Request& rq,
                               std::shared_ptr<Responder> responder) {
  std::optional<std::uint64_t> after;
  std::string_view from;
  if (auto h = rq.header("Last-Event-ID")) from = *h;
  if (auto q = rq.query_param("after")) from = *q;
  if (!from.empty()) {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(from.data(), from.data() + from.size(), v);
    if (ec != std::errc() || p != from.data() + from.size()) {
      (*responder)(http::problem(400, "Bad Request",
                                 "Last-Event-ID / after must be an event id (a number)"));
      return;
    }
    after = v;
  }
  if (events_->subscribers() >= options_.max_sse_clients) {
    (*responder)(http::problem(503, "Service Unavailable", "too many event streams are open"));
    return;
  }
  if (const std::size_t own = events_->subscribers_of(p.user);
      own >= options_.max_sse_clients_per_user) {
    auto r = http::problem(429, "Too Many Requests",
                           "user '" + p.user + "' already has " + std::to_string(own) +
                               " event streams open (limit " +
                               std::to_string(options_.max_sse_clients_per_user) + ")");
    r.headers.emplace_back("Retry-After", "5");
    (*responder)(std::move(r));
    return;
  }
  auto stream = responder->start_sse({{"Cache-Control", "no-store"}});
  if (!stream) return;
  stream->comment("ledgerflow events; head " + std::to_string(events_->head()));
  EventHub::VisibleFn visible;
  if (!p.sees_everything()) {
    visible = [this, p](const std::string& instance_id) {
      auto rec = host_.store().instance(instance_id);
      return rec && may_read(p, *rec);
    };
  }
  if (auto s = events_->subscribe(stream, after, p.user, std::move(visible)); !s) stream->close();
}

// The dashboard (static files), when built.
void ApiService::serve_file(const std::string& name, Responder& res) {
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
      res(Response::text(
          200,
          "ledgerflowd is running. The REST API is under /v1 (see /v1/openapi.yaml); the "
          "dashboard is not built (run scripts/build).\n"));
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
}

void ApiService::dashboard_index(const Request&, Responder res) {
  serve_file("index.html", res);
}

void ApiService::dashboard_asset(const Request& req, Responder res) {
  // The router has decoded the segment and refused "." and ".."; a file name with a
  // slash cannot arrive in one segment, so this stays inside the assets directory.
  const std::string file(req.param("file").value_or(""));
  if (file.find('/') != std::string::npos || file.find('\\') != std::string::npos || file.empty() ||
      file.front() == '.') {
    res(http::problem(404, "Not Found", "no such file"));
    return;
  }
  serve_file("assets/" + file, res);
}

}  // namespace ledgerflow::api
