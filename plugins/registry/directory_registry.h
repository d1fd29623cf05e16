// DirectoryRegistry: a ScorerRegistry over models laid out on disk as
//
//   <dir>/<name>/<version>/model.json     versions are positive integers: 1, 2, 10
//   <dir>/<name>/aliases.json             optional: {"champion": 2, "challenger": 3}
//
// resolve("name") and resolve("name@champion") give the champion alias if set, else the
// highest version; "name@alias" an alias; "name@3" version 3. Model files are dispatched
// on their content:
//
//   "format": "ledgerflow-linear/1"     LinearScorer (plugins/logistic/README.md)
//   a top-level "learner", no "format"  an XGBoost JSON model (load_tree_model in
//                                       plugins/xgboost/tree_model_loader.h): the native
//                                       ForestScorer, or XgboostScorer through the C API
//                                       for models the native path cannot serve (the
//                                       load notice says so); input names from a sibling
//                                       meta.json, else the model's own feature_names.
//   "format": "ledgerflow-rules/1"      RulesScorer: a decision table (plugins/rules/README.md)
//   "format": "ledgerflow-kserve/1"     KserveScorer: a remote Open Inference Protocol
//                                       server (plugins/kserve/kserve_config.h)
//   "format": "ledgerflow-plugin/1"     PluginScorer: a C-ABI shared library, "library"
//                                       looked up in `plugins_dir`, then next to the
//                                       model file (plugins/cabi/plugin_scorer.h)
//
// Loads lazily and caches. A published version directory is treated as immutable, so a
// loaded model stays cached for the registry's lifetime; the alias table and the version
// list are cached per model name until refresh() (call it after a promotion or after
// publishing a version). Failed loads are not cached: a fixed file is picked up on retry.
//
// Thread-safety: resolve() and refresh() may be called from many threads at once (one
// mutex guards the caches; files are read outside it). Scorers are shared and const.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/scoring/scorer.h"

namespace ledgerflow::plugins {

class DirectoryRegistry final : public scoring::ScorerRegistry {
 public:
  // Told about noteworthy loads, once per loaded model: today, an XGBoost model served
  // through the C API because the native evaluator cannot ("<path>: served by the XGBoost
  // C API: ..."). Called on resolve()'s thread (so possibly on several at once), outside
  // the registry's lock. Without one, such notices go to stderr.
  using LoadNotice = std::function<void(const std::string& message)>;

  // io_error / not_found when `dir` is not a readable directory.
  // `plugins_dir`: where "ledgerflow-plugin/1" libraries are installed (empty: only next
  // to the model file).
  static Result<std::unique_ptr<DirectoryRegistry>> open(const std::string& dir,
                                                         LoadNotice notice = {},
                                                         std::string plugins_dir = {});

  explicit DirectoryRegistry(std::string dir, LoadNotice notice = {}, std::string plugins_dir = {})
      : dir_(std::move(dir)), notice_(std::move(notice)), plugins_dir_(std::move(plugins_dir)) {}

  // invalid_argument for a malformed reference; not_found for an unknown model, version
  // or alias (the message lists what exists); the model file's own error when it fails
  // to load.
  Result<std::shared_ptr<const scoring::Scorer>> resolve(std::string_view reference) const override;

  // Forgets cached alias tables and version lists (loaded models stay cached).
  void refresh();

 private:
  struct Index {
    std::vector<int> versions;           // ascending
    std::map<std::string, int> aliases;  // alias -> version
  };

  Result<Index> index_for(const std::string& name) const;
  Result<Index> read_index(const std::string& name) const;
  Result<int> pick_version(const std::string& name, const Index& index,
                           std::string_view selector) const;
  Result<std::shared_ptr<const scoring::Scorer>> model_for(const std::string& name,
                                                           int version) const;

  std::string dir_;
  LoadNotice notice_;
  std::string plugins_dir_;
  mutable std::mutex mu_;
  mutable std::map<std::string, Index> indexes_;  // by name
  mutable std::map<std::pair<std::string, int>, std::shared_ptr<const scoring::Scorer>> models_;
};

}  // namespace ledgerflow::plugins
