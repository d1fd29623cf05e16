#include "api/service/engine_host.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/definition/loader.h"
#include "plugins/http/http_action_runner.h"
#include "plugins/logistic/directory_registry.h"
#include "storage/sqlite/sqlite_store.h"

namespace ledgerflow::api {
namespace fs = std::filesystem;

Result<std::unique_ptr<EngineHost>> EngineHost::open(const EngineHostOptions& o,
                                                     const rt::Clock& clock) {
  std::unique_ptr<EngineHost> h(new EngineHost(clock));
  storage::SqliteOptions so;
  so.path = o.database;
  so.synchronous_full = o.synchronous_full;
  auto store = storage::SqliteStore::open(so);
  if (!store) return store.error();
  h->store_ = std::move(*store);
  h->definitions_ = std::make_unique<rt::DefinitionRegistry>(*h->store_);
  std::error_code ec;
  if (!o.models.empty() && fs::is_directory(o.models, ec)) {
    auto reg = plugins::DirectoryRegistry::open(o.models, o.model_notice, o.plugins);
    if (!reg) return reg.error();
    plugins::DirectoryRegistry* directory = reg->get();
    h->refresh_models_ = [directory] { directory->refresh(); };
    h->scorers_ = std::move(*reg);
  }
  std::vector<std::shared_ptr<rt::ActionRunner>> runners{
      std::make_shared<plugins::HttpActionRunner>()};
  rt::ExecutorOptions eo;
  eo.shards = static_cast<std::size_t>(std::max(1, o.shards));
  eo.effect_threads = static_cast<std::size_t>(std::max(1, o.effect_threads));
  h->executor_ = std::make_unique<rt::Executor>(*h->store_, *h->definitions_, clock,
                                                h->scorers_.get(), std::move(runners), eo);
  if (auto r = h->executor_->recover(); !r) return r.error();
  h->executor_->run_timer_thread();
  return h;
}

void EngineHost::refresh_models() {
  if (refresh_models_) refresh_models_();
}

EngineHost::~EngineHost() {
  executor_.reset();  // finishes commands in flight, then the store flushes
}

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
    if (!loaded.ok()) {
      std::string msg = f + " is not a valid workflow:";
      for (const auto& p : loaded.problems) msg += "\n  " + def::format_problem(f, p);
      return Error::invalid(msg);
    }
    sources.push_back(ss.str());
  }
  std::vector<DeployedFile> out;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto d =
        definitions_->deploy(sources[i], def::format_for_path(files[i]), user, clock_.now_us());
    if (!d) return Error{d.error().code, files[i] + ": " + d.error().message};
    out.push_back(DeployedFile{files[i], d->name, d->version, d->created});
  }
  return out;
}

}  // namespace ledgerflow::api
