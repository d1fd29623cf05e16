#include "api/service/engine_host.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/definition/loader.h"
#include "engine/scoring/feature_check.h"
#include "plugins/finance/ar_actions.h"
#include "plugins/finance/finance_actions.h"
#include "plugins/http/http_action_runner.h"
#include "plugins/registry/directory_registry.h"
#include "storage/key_file.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace ledgerflow::api {
namespace fs = std::filesystem;

Result<std::unique_ptr<EngineHost>> EngineHost::open(const EngineHostOptions& o,
                                                     const rt::Clock& clock) {
  std::unique_ptr<EngineHost> h(new EngineHost(clock));
  storage::SqliteOptions so;
  so.path = o.database;
  so.synchronous_full = o.synchronous_full;
  // A record import holds SQLite's write lock for its whole transaction: the engine's
  // writer waits for it rather than failing.
  so.busy_timeout_ms = 30000;
  auto store = storage::SqliteStore::open(so);
  if (!store) return store.error();
  h->store_ = std::move(*store);
  storage::RecordStoreOptions ro;
  ro.path = o.database;
  ro.synchronous_full = o.synchronous_full;
  auto records = storage::SqliteRecordStore::open(ro);
  if (!records) return records.error();
  h->records_ = std::move(*records);
  std::error_code ec;
  if (!o.models.empty() && fs::is_directory(o.models, ec)) {
    auto reg = plugins::DirectoryRegistry::open(o.models, o.model_notice, o.plugins);
    if (!reg) return reg.error();
    plugins::DirectoryRegistry* directory = reg->get();
    h->refresh_models_ = [directory] { directory->refresh(); };
    h->scorers_ = std::move(*reg);
  }
  // Every deployment (start-up directory and POST /v1/workflows) checks score states
  // against the registry; refresh first so a model published since is seen.
  std::string no_registry = o.models.empty()
                                ? "no models directory is configured (models)"
                                : "the models directory '" + o.models + "' does not exist";
  EngineHost* host = h.get();
  h->definitions_ = std::make_unique<rt::DefinitionRegistry>(
      *h->store_, [host, no_registry](const def::Definition& d) {
        host->refresh_models();
        return scoring::check_score_features(d, host->scorers_.get(), no_registry);
      });
  auto key = storage::hmac_key_for(o.hmac_key_file, o.database);
  if (!key) return key.error();
  std::vector<std::shared_ptr<rt::ActionRunner>> runners{
      std::make_shared<plugins::HttpActionRunner>(),
      std::make_shared<finance::FinanceActionRunner>(*h->records_, clock)};
  auto ar_runner = std::make_shared<finance::ArActionRunner>(*h->records_, clock);
  runners.push_back(ar_runner);
  rt::ExecutorOptions eo;
  eo.shards = static_cast<std::size_t>(std::max(1, o.shards));
  eo.effect_threads = static_cast<std::size_t>(std::max(1, o.effect_threads));
  eo.pseudonym_key = std::move(*key);
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
    if (loaded.ok()) loaded.problems = definitions_->check(*loaded.definition);
    if (!loaded.problems.empty()) {
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
    if (!d->problems.empty()) {  // e.g. a model changed between validation and here
      return Error::invalid(files[i] + ": " + def::format_problem(files[i], d->problems.front()));
    }
    out.push_back(DeployedFile{files[i], d->name, d->version, d->created});
  }
  return out;
}

}  // namespace ledgerflow::api
