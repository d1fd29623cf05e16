#include "plugins/xgboost/tree_model_loader.h"

#include <filesystem>

#include "plugins/forest/forest_model.h"
#include "plugins/forest/forest_scorer.h"
#include "plugins/forest/model_meta.h"
#include "plugins/forest/xgboost_json.h"
#include "plugins/xgboost/xgboost_scorer.h"

namespace ledgerflow::plugins {
namespace fs = std::filesystem;

namespace {

// The model's own feature_names (learner.feature_names), empty when it has none.
std::vector<std::string> file_feature_names(const nlohmann::json& doc) {
  std::vector<std::string> names;
  auto learner = doc.find("learner");
  if (learner == doc.end() || !learner->is_object()) return names;
  auto it = learner->find("feature_names");
  if (it == learner->end() || !it->is_array()) return names;
  for (const auto& n : *it) names.push_back(n.is_string() ? n.get<std::string>() : n.dump());
  return names;
}

// What meta.json (or, without one, the model itself) says about the model's inputs.
Result<TreeModelOptions> tree_model_options(const std::string& path, const nlohmann::json& doc,
                                            const std::string& name, const std::string& version) {
  TreeModelOptions options;
  options.name = name;
  options.version = version;
  std::string meta_path = (fs::path(path).parent_path() / "meta.json").string();
  std::error_code ec;
  bool has_meta = fs::exists(meta_path, ec);
  auto own_names = file_feature_names(doc);
  if (!has_meta) {
    if (own_names.empty()) {
      return Error::invalid(path + ": the model has no feature_names and there is no " + meta_path +
                            "; write meta.json with {\"features\": [{\"name\": ...}, ...]} in "
                            "input order so inputs can be matched by name");
    }
    return options;  // the scorer takes the model's own names
  }
  auto meta = read_model_meta(meta_path);
  if (!meta) return meta.error();
  if ((meta->name && *meta->name != name) || (meta->version && *meta->version != options.version)) {
    return Error::invalid(meta_path + ": says model '" + meta->name.value_or(name) + "' version " +
                          meta->version.value_or(options.version) + " but lives at " + name + "/" +
                          options.version);
  }
  if (!own_names.empty() && own_names != meta->features) {
    std::size_t i = 0;
    while (i < own_names.size() && i < meta->features.size() && own_names[i] == meta->features[i]) {
      ++i;
    }
    std::string detail = i < own_names.size() && i < meta->features.size()
                             ? "feature " + std::to_string(i) + " is '" + meta->features[i] +
                                   "' in meta.json but '" + own_names[i] + "' in the model"
                             : std::to_string(meta->features.size()) + " features in meta.json, " +
                                   std::to_string(own_names.size()) + " in the model";
    return Error::invalid(meta_path + ": its features do not match " + path +
                          "'s feature_names: " + detail);
  }
  options.features = std::move(meta->features);
  options.classes = std::move(meta->classes);
  options.labels = std::move(meta->labels);
  if (!meta->objective.empty()) {
    auto it = doc.find("learner");
    const nlohmann::json* objective = nullptr;
    if (it != doc.end() && it->is_object() && it->contains("objective") &&
        (*it)["objective"].is_object() && (*it)["objective"].contains("name")) {
      objective = &(*it)["objective"]["name"];
    }
    if (objective && *objective != meta->objective) {
      return Error::invalid(meta_path + ": objective \"" + meta->objective + "\" but " + path +
                            " is a " + objective->dump() + " model");
    }
  }
  return options;
}

}  // namespace

Result<std::unique_ptr<scoring::Scorer>> load_tree_model(const std::string& path,
                                                         const std::string& name, int version,
                                                         const LoadNoticeFn& notice) {
  auto text = read_xgboost_text(path);
  if (!text) return text.error();
  auto doc = parse_xgboost_json(*text, path);
  if (!doc) return doc.error();
  auto options = tree_model_options(path, *doc, name, std::to_string(version));
  if (!options) return options.error();
  if (auto reason = forest_unsupported_reason(*doc)) {
    auto scorer = XgboostScorer::from_json(*doc, *text, path, std::move(*options));
    if (!scorer) {
      return Error{scorer.error().code, scorer.error().message +
                                            " (the native forest evaluator cannot serve it "
                                            "either: " +
                                            *reason + ")"};
    }
    std::string message = path + ": served by the XGBoost C API: the native forest evaluator " +
                          "cannot load it because " + *reason;
    if (notice) notice(message);
    return std::unique_ptr<scoring::Scorer>(std::move(*scorer));
  }
  auto scorer = ForestScorer::from_json(*doc, path, std::move(*options));
  if (!scorer) return scorer.error();
  return std::unique_ptr<scoring::Scorer>(std::move(*scorer));
}

}  // namespace ledgerflow::plugins
