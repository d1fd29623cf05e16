#include "plugins/logistic/linear_scorer.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "plugins/common/json_file.h"
#include "plugins/common/score_output.h"

namespace ledgerflow::plugins {

Result<std::unique_ptr<LinearScorer>> LinearScorer::load(const std::string& path) {
  auto doc = read_json_file(path);
  if (!doc) return doc.error();
  return from_json(*doc, path);
}

Result<std::unique_ptr<LinearScorer>> LinearScorer::from_json(const nlohmann::json& doc,
                                                              const std::string& source) {
  auto model = parse_linear_model(doc, source);
  if (!model) return model.error();
  return std::make_unique<LinearScorer>(std::move(*model));
}

LinearScorer::LinearScorer(LinearModel model) : model_(std::move(model)) {
  info_.name = model_.name;
  info_.version = model_.version;
  bool logistic = model_.kind == LinearKind::logistic;
  info_.kind = logistic ? "logistic" : "linear";
  info_.objective = logistic ? "binary:logistic" : "reg:squarederror";
  for (const auto& f : model_.features) info_.features.push_back(f.name);
}

Result<scoring::ScoreResult> LinearScorer::score(std::span<const double> features,
                                                 std::size_t explain_top_k) const {
  const auto& spec = model_.features;
  if (features.size() != spec.size()) {
    return Error::invalid(model_label(info_) + " expects " + std::to_string(spec.size()) +
                          " features, got " + std::to_string(features.size()));
  }
  std::vector<double> contributions(spec.size());
  double raw = model_.intercept;
  for (std::size_t i = 0; i < spec.size(); ++i) {
    double x = features[i];
    if (std::isnan(x)) x = spec[i].missing;
    if (std::isinf(x)) {
      return Error::invalid(model_label(info_) + ": feature '" + spec[i].name +
                            "' is infinite; pass a finite value or NaN for missing");
    }
    contributions[i] = spec[i].coef * ((x - spec[i].mean) / spec[i].scale);
    raw += contributions[i];
  }
  if (!std::isfinite(raw)) {
    return Error::invalid(model_label(info_) +
                          ": the raw score overflowed (feature values too large)");
  }

  scoring::ScoreResult out;
  if (model_.kind == LinearKind::logistic) {
    out.score = sigmoid(raw);
    out.probability = out.score;
  } else {
    out.score = raw;
  }
  if (model_.labels) {
    out.label = out.score >= model_.labels->threshold ? model_.labels->above : model_.labels->below;
  }
  out.bias = model_.intercept;
  for (std::size_t i : top_magnitudes(contributions, explain_top_k, false)) {
    out.contributions.push_back({spec[i].name, contributions[i]});
  }
  return out;
}

}  // namespace ledgerflow::plugins
