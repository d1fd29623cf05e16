#include "api/service/engine_host.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "apps/host/http_module.h"
#include "engine/definition/loader.h"
#include "engine/scoring/feature_check.h"

namespace ledgerflow::api {
namespace fs = std::filesystem;

Result<std::unique_ptr<EngineHost>> EngineHost::open(const EngineHostOptions& o,
                                                     const rt::Clock& clock) {
  host::EngineConfig c;
  c.database = o.database;
  c.synchronous_full = o.synchronous_full;
  c.models = o.models;
  c.plugins = o.plugins;
  c.model_notice = o.model_notice;
  c.require_models = true;  // a workflow that cannot score does not deploy
  c.clock = &clock;
  c.hmac_key_file = o.hmac_key_file;
  c.shards = static_cast<std::size_t>(std::max(1, o.shards));
  c.effect_threads = static_cast<std::size_t>(std::max(1, o.effect_threads));
  c.timer_thread = true;
  host::EngineBuilder builder(std::move(c));
  builder.add(std::make_shared<host::HttpModule>());
  std::unique_ptr<EngineHost> h(new EngineHost());
  for (const auto& module : o.modules) builder.add(module);
  auto engine = builder.build();
  if (!engine) return engine.error();
  h->engine_ = std::move(*engine);
  return h;
}

EngineHost::~EngineHost() = default;

Result<std::vector<DeployedFile>> EngineHost::deploy_directory(const std::string& dir,
                                                               const std::string& user) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error::io(dir + ": not a directory of workflows");
  std::vector<std::string> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto ext = it->path().extension().string();
    if (it->is_regular_file(ec) && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
      files.push_back(it->path().string());
    }
  }
  if (ec) return Error::io(dir + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());
  // Validate everything first: a directory with one broken file deploys nothing.
  std::vector<std::string> sources;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return Error::io(f + ": cannot read");
    std::ostringstream ss;
    ss << in.rdbuf();
    def::LoadOptions lo;
    lo.format = def::format_for_path(f);
    auto loaded = def::load_definition(ss.str(), lo);
    if (loaded.ok()) loaded.problems = engine_->definitions().check(*loaded.definition);
    if (!loaded.problems.empty()) {
      std::string msg = f + " is not a valid workflow:";
      for (const auto& p : loaded.problems) msg += "\n  " + def::format_problem(f, p);
      return Error::invalid(msg);
    }
    sources.push_back(ss.str());
  }
  std::vector<DeployedFile> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto d = engine_->definitions().deploy(sources[i], def::format_for_path(files[i]), user,
                                           engine_->clock().now_us());
    if (!d) return Error{d.error().code, files[i] + ": " + d.error().message};
    if (!d->problems.empty()) {  // e.g. a model changed between validation and here
      return Error::invalid(files[i] + ": " + def::format_problem(files[i], d->problems.front()));
    }
    out.push_back(DeployedFile{files[i], d->name, d->version, d->created});
  }
  return out;
}

}  // namespace ledgerflow::api
