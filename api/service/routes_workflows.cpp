// /v1/workflows: deploy (POST, YAML or JSON), list, one workflow with its versions, and
// one version with its source and graph.
#include <charconv>
#include <map>

#include "api/http/problem.h"
#include "api/service/api_service.h"
#include "engine/definition/describe.h"
#include "engine/definition/loader.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::api {
namespace {

using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t kMaxListedDefinitions = 10'000;

def::Format format_of(const Request& req) {
  const std::string type(req.header("Content-Type").value_or(""));
  if (type.rfind("application/json", 0) == 0) return def::Format::json;
  if (type.find("yaml") != std::string::npos) return def::Format::yaml;
  return def::Format::detect;
}

nlohmann::json graph_of(const def::Definition& d) {
  nlohmann::json states = nlohmann::json::array();
  for (const auto& s : d.flow.states) {
    nlohmann::json st = {{"name", s.name}, {"type", def::to_string(s.type)}};
    if (!s.comment.empty()) st["comment"] = s.comment;
    states.push_back(std::move(st));
  }
  nlohmann::json edges = nlohmann::json::array();
  for (const auto& e : def::edges_of(d.flow)) {
    edges.push_back({{"from", e.from}, {"to", e.to}, {"label", e.label}});
  }
  return {{"start", d.flow.start}, {"states", std::move(states)}, {"edges", std::move(edges)}};
}

}  // namespace

http::Response ApiService::deploy_workflow(const Principal& p, const http::Request& rq) {
  def::Format format = format_of(rq);
  auto d = host_.definitions().deploy(rq.body(), format, p.user, host_.clock().now_us());
  if (!d) return http::problem_from_error(d.error(), 422);
  if (!d->problems.empty()) {
    nlohmann::json problems = nlohmann::json::array();
    std::string detail;
    for (const auto& pr : d->problems) {
      problems.push_back({{"line", pr.loc.line},
                          {"column", pr.loc.column},
                          {"state", pr.state},
                          {"message", pr.message}});
      if (detail.size() < 4000) {
        detail += (detail.empty() ? "" : "\n") + def::format_problem("workflow", pr);
      }
    }
    return http::problem(422, "Invalid workflow definition", detail,
                         {{"code", "invalid_definition"}, {"problems", std::move(problems)}});
  }
  Response out =
      Response::json(d->created ? 201 : 200,
                     {{"name", d->name}, {"version", d->version}, {"created", d->created}});
  out.headers.emplace_back("Location",
                           "/v1/workflows/" + d->name + "/versions/" + std::to_string(d->version));
  return out;
}

http::Response ApiService::list_workflows(const Principal&, const http::Request&) {
  auto all = host_.store().definitions();
  if (!all) return http::problem_from_error(all.error());
  std::map<std::string, const rt::DefinitionRecord*> latest;
  std::map<std::string, int> counts;
  std::size_t n = 0;
  for (const auto& d : *all) {
    if (++n > kMaxListedDefinitions) break;
    auto& slot = latest[d.name];
    if (!slot || slot->version < d.version) slot = &d;
    ++counts[d.name];
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [name, rec] : latest) {
    nlohmann::json item = {{"name", name},
                           {"latest_version", rec->version},
                           {"versions", counts[name]},
                           {"deployed_at", expr::format_timestamp(rec->created_at_us)},
                           {"deployed_by", rec->created_by}};
    if (auto d = host_.definitions().get(name, rec->version)) {
      item["title"] = (*d)->title;
    }
    items.push_back(std::move(item));
  }
  return Response::json(200, {{"items", std::move(items)}});
}

http::Response ApiService::get_workflow(const Principal&, const http::Request& rq) {
  const std::string name(rq.param("name").value_or(""));
  auto all = host_.store().definitions();
  if (!all) return http::problem_from_error(all.error());
  nlohmann::json versions = nlohmann::json::array();
  int latest = 0;
  for (const auto& d : *all) {
    if (d.name != name) continue;
    versions.push_back({{"version", d.version},
                        {"hash", d.hash},
                        {"deployed_at", expr::format_timestamp(d.created_at_us)},
                        {"deployed_by", d.created_by}});
    latest = std::max(latest, d.version);
  }
  if (latest == 0) {
    return http::problem(404, "Not Found", "no workflow named '" + name + "'",
                         {{"code", "not_found"}});
  }
  auto d = host_.definitions().get(name, latest);
  if (!d) return http::problem_from_error(d.error());
  return Response::json(200, {{"name", name},
                              {"title", (*d)->title},
                              {"description", (*d)->description},
                              {"latest_version", latest},
                              {"versions", std::move(versions)},
                              {"graph", graph_of(**d)}});
}

http::Response ApiService::get_workflow_version(const Principal&, const http::Request& rq) {
  const std::string name(rq.param("name").value_or(""));
  const std::string v(rq.param("version").value_or(""));
  int version = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), version);
  if (ec != std::errc() || p != v.data() + v.size() || version <= 0) {
    return http::problem(400, "Bad Request", "version must be a positive integer, got '" + v + "'");
  }
  auto rec = host_.store().definition(name, version);
  if (!rec) return http::problem_from_error(rec.error());
  auto d = host_.definitions().get(name, version);
  if (!d) return http::problem_from_error(d.error());
  return Response::json(200, {{"name", name},
                              {"version", version},
                              {"title", (*d)->title},
                              {"hash", rec->hash},
                              {"format", rec->format},
                              {"source", rec->source},
                              {"sensitive", (*d)->sensitive},
                              {"input_schema", (*d)->input_schema},
                              {"deployed_at", expr::format_timestamp(rec->created_at_us)},
                              {"deployed_by", rec->created_by},
                              {"graph", graph_of(**d)}});
}

}  // namespace ledgerflow::api
