#include "plugins/forest/tree_output.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "plugins/common/score_output.h"

namespace ledgerflow::plugins {

bool is_multiclass_objective(std::string_view objective) {
  return objective == "multi:softprob" || objective == "multi:softmax";
}

Result<scoring::ModelInfo> tree_model_info(const TreeModelOptions& options, std::string kind,
                                           const std::string& objective, std::size_t num_features,
                                           std::size_t num_groups,
                                           const std::vector<std::string>& file_features,
                                           const std::string& source) {
  scoring::ModelInfo info;
  info.name = options.name;
  info.version = options.version;
  info.kind = std::move(kind);
  info.objective = objective;
  if (!options.features.empty()) {
    info.features = options.features;
  } else if (!file_features.empty()) {
    info.features = file_features;
  } else {
    for (std::size_t i = 0; i < num_features; ++i) info.features.push_back("f" + std::to_string(i));
  }
  if (info.features.size() != num_features) {
    return Error::invalid(source + ": " + std::to_string(info.features.size()) +
                          " feature names given, but the model has " +
                          std::to_string(num_features) + " features");
  }
  std::set<std::string_view> seen;
  for (const auto& name : info.features) {
    if (name.empty()) return Error::invalid(source + ": a feature name is empty");
    if (!seen.insert(name).second) {
      return Error::invalid(source + ": duplicate feature name '" + name + "'");
    }
  }
  bool multiclass = is_multiclass_objective(objective);
  if (!options.classes.empty() && (!multiclass || options.classes.size() != num_groups)) {
    return Error::invalid(source + ": " + std::to_string(options.classes.size()) +
                          " class labels given, but the model (" + objective + ") has " +
                          (multiclass ? std::to_string(num_groups) + " classes" : "no classes"));
  }
  if (options.labels) {
    if (multiclass) {
      return Error::invalid(source +
                            ": labels {threshold, above, below} are for single-output "
                            "models; a multi-class model's label is its class");
    }
    bool logistic = objective == "binary:logistic" || objective == "reg:logistic";
    double t = options.labels->threshold;
    if (!std::isfinite(t) || (logistic && (t < 0 || t > 1))) {
      return Error::invalid(source + ": labels.threshold must be " +
                            (logistic ? "a probability in [0, 1]" : "finite"));
    }
  }
  return info;
}

std::size_t explained_group(std::span<const double> values) {
  // max_element keeps the first of equal maxima: the lowest class index wins ties.
  return values.size() <= 1 ? 0
                            : static_cast<std::size_t>(
                                  std::max_element(values.begin(), values.end()) - values.begin());
}

scoring::ScoreResult tree_score_result(const TreeModelOptions& options,
                                       const scoring::ModelInfo& info,
                                       std::span<const double> values,
                                       std::span<const double> contributions, double bias,
                                       std::size_t explain_top_k) {
  scoring::ScoreResult out;
  if (is_multiclass_objective(info.objective)) {
    std::size_t k = explained_group(values);
    out.score = values[k];
    out.probability = values[k];
    out.label = options.classes.empty() ? std::to_string(k) : options.classes[k];
  } else {
    out.score = values.empty() ? 0.0 : values[0];
    if (info.objective == "binary:logistic") out.probability = out.score;
    if (options.labels) {
      out.label =
          out.score >= options.labels->threshold ? options.labels->above : options.labels->below;
    }
  }
  out.bias = bias;
  if (explain_top_k > 0 && !contributions.empty()) {
    for (std::size_t i : top_magnitudes(contributions, explain_top_k, true)) {
      out.contributions.push_back({info.features[i], contributions[i]});
    }
  }
  return out;
}

}  // namespace ledgerflow::plugins
