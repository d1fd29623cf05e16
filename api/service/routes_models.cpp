// /v1/models (the model registry on disk: versions, aliases, metrics), alias changes
// (admin; recorded in the durable change feed with who and when), and
// /v1/instances/{id}/decisions (every score step's decision record).
#include <boost/asio/post.hpp>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <regex>

#include "api/http/problem.h"
#include "api/service/api_service.h"
#include "api/service/masking.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::api {
namespace {

namespace fs = std::filesystem;
using http::Request;
using http::Responder;
using http::Response;

constexpr std::size_t kMaxModels = 1000;
constexpr std::size_t kMaxVersions = 1000;
constexpr std::size_t kMaxRouteStates = 20;

bool valid_name(std::string_view s) {
  if (s.empty() || s.size() > 100) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  }
  return s.front() != '-';
}

int version_of(const std::string& dir_name) {
  int v = 0;
  auto [p, ec] = std::from_chars(dir_name.data(), dir_name.data() + dir_name.size(), v);
  return ec == std::errc() && p == dir_name.data() + dir_name.size() && v > 0 ? v : 0;
}

nlohmann::json read_json(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return nullptr;
  try {
    return nlohmann::json::parse(in);
  } catch (const std::exception&) {
    return nullptr;
  }
}

std::vector<int> versions_of(const fs::path& model_dir) {
  std::vector<int> out;
  std::error_code ec;
  for (fs::directory_iterator it(model_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const int v = version_of(it->path().filename().string());
    if (v > 0 && it->is_directory(ec) && out.size() < kMaxVersions) out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

nlohmann::json version_view(const fs::path& dir, int v) {
  nlohmann::json j = {{"version", v}};
  const nlohmann::json meta = read_json(dir / std::to_string(v) / "meta.json");
  if (meta.is_object()) {
    for (const char* k : {"objective", "label", "metrics", "training"}) {
      if (meta.contains(k)) j[k] = meta[k];
    }
    if (meta.contains("features")) j["features"] = meta["features"];
  } else {
    const nlohmann::json model = read_json(dir / std::to_string(v) / "model.json");
    if (model.is_object() && model.contains("format")) j["format"] = model["format"];
    if (model.is_object() && model.contains("features")) j["features"] = model["features"];
  }
  return j;
}

nlohmann::json model_view(const fs::path& dir, const std::string& name, bool detail) {
  const std::vector<int> versions = versions_of(dir);
  nlohmann::json aliases = read_json(dir / "aliases.json");
  if (!aliases.is_object()) aliases = nlohmann::json::object();
  nlohmann::json j = {{"name", name}, {"aliases", aliases}};
  const int champion = aliases.contains("champion") && aliases["champion"].is_number_integer()
                           ? aliases["champion"].get<int>()
                           : (versions.empty() ? 0 : versions.back());
  j["champion"] = champion;
  if (detail) {
    nlohmann::json vs = nlohmann::json::array();
    for (int v : versions) vs.push_back(version_view(dir, v));
    j["versions"] = std::move(vs);
  } else {
    j["versions"] = versions;
    if (champion > 0) {
      const nlohmann::json meta = read_json(dir / std::to_string(champion) / "meta.json");
      if (meta.is_object() && meta.contains("metrics")) j["metrics"] = meta["metrics"];
    }
  }
  return j;
}

}  // namespace

http::Response ApiService::list_models(const Principal&, const http::Request&) {
  nlohmann::json items = nlohmann::json::array();
  std::vector<std::string> names;
  std::error_code ec;
  if (!options_.models_dir.empty()) {
    for (fs::directory_iterator it(options_.models_dir, ec), end;
         !ec && it != end && names.size() < kMaxModels; it.increment(ec)) {
      const std::string n = it->path().filename().string();
      if (it->is_directory(ec) && valid_name(n)) names.push_back(n);
    }
  }
  std::sort(names.begin(), names.end());
  for (const auto& n : names) {
    items.push_back(model_view(fs::path(options_.models_dir) / n, n, false));
  }
  return Response::json(200, {{"items", std::move(items)}});
}

http::Response ApiService::get_model(const Principal&, const http::Request& rq) {
  const std::string name(rq.param("name").value_or(""));
  const fs::path dir = fs::path(options_.models_dir) / name;
  std::error_code ec;
  if (!valid_name(name) || options_.models_dir.empty() || !fs::is_directory(dir, ec)) {
    return http::problem(404, "Not Found", "no model named '" + name + "'",
                         {{"code", "not_found"}});
  }
  return Response::json(200, model_view(dir, name, true));
}

void ApiService::set_model_alias(const Principal& p, const http::Request& rq,
                                 std::shared_ptr<http::Responder> out) {
  const std::string name(rq.param("name").value_or(""));
  const std::string alias(rq.param("alias").value_or(""));
  auto body = parse_object_body(rq.body(), {"version"}, false);
  if (!body) {
    (*out)(http::problem_from_error(body.error()));
    return;
  }
  if (!(*body)["version"].is_number_integer() || (*body)["version"].get<std::int64_t>() <= 0) {
    (*out)(http::problem(400, "Bad Request", "'version' must be a positive integer"));
    return;
  }
  if (!valid_name(alias) || version_of(alias) > 0) {
    (*out)(
        http::problem(400, "Bad Request", "alias must be a name such as champion or challenger"));
    return;
  }
  const int version = (*body)["version"].get<int>();
  boost::asio::post(pool_, [this, p, name, alias, version, out] {
    write_model_alias(p, name, alias, version, out);
  });
}

// On the pool: checks the version exists, rewrites aliases.json (write a temporary file,
// rename it over) and records the change in the change feed.
void ApiService::write_model_alias(const Principal& p, const std::string& name,
                                   const std::string& alias, int version,
                                   std::shared_ptr<http::Responder> out) {
  const fs::path dir = fs::path(options_.models_dir) / name;
  std::error_code ec;
  if (!valid_name(name) || options_.models_dir.empty() || !fs::is_directory(dir, ec)) {
    (*out)(http::problem(404, "Not Found", "no model named '" + name + "'"));
    return;
  }
  const auto versions = versions_of(dir);
  if (std::find(versions.begin(), versions.end(), version) == versions.end()) {
    (*out)(http::problem(422, "Unprocessable Entity",
                         "model '" + name + "' has no version " + std::to_string(version)));
    return;
  }
  std::lock_guard lock(mask_mu_);  // serialises alias writes
  nlohmann::json aliases = read_json(dir / "aliases.json");
  if (!aliases.is_object()) aliases = nlohmann::json::object();
  const nlohmann::json previous = aliases.value(alias, nlohmann::json());
  aliases[alias] = version;
  const fs::path tmp = dir / "aliases.json.tmp";
  {
    std::ofstream o(tmp, std::ios::trunc);
    o << aliases.dump(2) << "\n";
    o.flush();
    if (!o) {
      (*out)(http::problem(500, "Internal Server Error", "could not write the alias table"));
      return;
    }
  }
  fs::rename(tmp, dir / "aliases.json", ec);
  if (ec) {
    (*out)(http::problem(500, "Internal Server Error", "could not replace the alias table"));
    return;
  }
  host_.refresh_models();
  // The change is recorded durably (who, when, from what) in the feed.
  rt::WriteSet ws;
  ws.events.push_back(rt::EventRecord{0,
                                      host_.clock().now_us(),
                                      "model",
                                      "",
                                      "",
                                      {{"model", name},
                                       {"alias", alias},
                                       {"version", version},
                                       {"previous", previous},
                                       {"by", p.user}}});
  nlohmann::json view = model_view(dir, name, true);
  host_.store().submit(std::move(ws), [this, out, view = std::move(view)](Result<void> w) {
    if (!w) {
      (*out)(http::problem_from_error(w.error()));
      return;
    }
    events_->nudge();
    (*out)(Response::json(200, view));
  });
}

http::Response ApiService::instance_decisions(const Principal& p, const http::Request& rq) {
  const std::string id(rq.param("id").value_or(""));
  auto rec = host_.store().instance(id);
  if (!rec) return http::problem_from_error(rec.error());
  if (!may_read(p, *rec)) return not_found_instance(id);
  const auto keys = mask_for_definition(rec->workflow, rec->version);
  nlohmann::json items = nlohmann::json::array();
  std::uint64_t after = 0;
  nlohmann::json* open = nullptr;  // the decision whose route is being collected
  for (int pages = 0; pages < 100; ++pages) {
    auto rows = host_.store().history(id, after, 1000);
    if (!rows) return http::problem_from_error(rows.error());
    for (const auto& h : *rows) {
      after = h.seq;
      if (h.type == "decision") {
        nlohmann::json d = h.data;
        mask_json(d, keys);
        d["state"] = h.state;
        d["at"] = expr::format_timestamp(h.at_us);
        d["seq"] = h.seq;
        d["route"] = nlohmann::json::array();
        items.push_back(std::move(d));
        open = &items.back();
      } else if (open && h.type == "state_entered" && (*open)["route"].size() < kMaxRouteStates) {
        (*open)["route"].push_back(h.state);
      } else if (open && (h.type == "task_created" || h.type == "instance_completed")) {
        open = nullptr;  // the route ends where a person or the end takes over
      }
    }
    if (rows->size() < 1000) break;
  }
  return Response::json(200, {{"instance_id", id}, {"items", std::move(items)}});
}

}  // namespace ledgerflow::api
