// What a tree model's outputs mean to Ledgerflow, shared by the native evaluator
// (ForestScorer) and the XGBoost C API path (XgboostScorer) so that both answer a
// score() call identically: same ModelInfo, same score/probability/label rules, same
// explanation order.
//
//   binary:logistic          score = probability = P(class 1); label from `labels`
//   reg:logistic             score = the prediction in (0, 1); no probability; label from `labels`
//   reg:squarederror (etc.)  score = the prediction; label from `labels` if given
//   multi:softprob/softmax   score = probability = P(predicted class), the predicted class
//                            being the most probable (lowest index on ties);
//                            label = its name from `classes`, else its index ("0", "1", ...)
//
// Contributions are in margin space (log-odds for logistic models; for multi-class, the
// predicted class's margin), largest |value| first, ties in feature order, features
// with an exactly zero contribution left out, at most K; bias is the expected margin,
// so bias + sum(all contributions) = margin.
// Thread-safety: plain value types; stateless functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"
#include "engine/scoring/scorer.h"
#include "plugins/common/score_output.h"  // model_label

namespace ledgerflow::plugins {

struct ScoreLabels {
  double threshold = 0.5;  // label = score >= threshold ? above : below
  std::string above;
  std::string below;
};

// What a registry (usually from meta.json) adds to a model file.
struct TreeModelOptions {
  std::string name = "model";
  std::string version = "1";
  // Input names in order. Empty: the file's feature_names, else XGBoost's f0, f1, ...
  std::vector<std::string> features;
  // multi-class: one label per class index. Empty: "0", "1", ...
  std::vector<std::string> classes;
  // single-output models only.
  std::optional<ScoreLabels> labels;
};

// Batch outputs: the objective's output (probabilities, predictions) or the raw margin.
enum class PredictKind { value, margin };

// Rows per batch call (predict, contributions): bounds the memory one call can take.
inline constexpr std::size_t kMaxBatchRows = 1'000'000;

bool is_multiclass_objective(std::string_view objective);

// ModelInfo for a tree model; checks the options against the model: feature-name count
// and uniqueness, classes only for multi-class models (one per class), labels only for
// single-output ones (a logistic threshold within [0, 1]). invalid_argument naming `source`.
Result<scoring::ModelInfo> tree_model_info(const TreeModelOptions& options, std::string kind,
                                           const std::string& objective, std::size_t num_features,
                                           std::size_t num_groups,
                                           const std::vector<std::string>& file_features,
                                           const std::string& source);

// The output group an explanation is for: the predicted class, or 0.
std::size_t explained_group(std::span<const double> values);

// Builds score()'s answer from one row's outputs (`values`: one per group), the explained
// group's bias (expected margin) and, when explaining, its per-feature contributions.
scoring::ScoreResult tree_score_result(const TreeModelOptions& options,
                                       const scoring::ModelInfo& info,
                                       std::span<const double> values,
                                       std::span<const double> contributions, double bias,
                                       std::size_t explain_top_k);

}  // namespace ledgerflow::plugins
