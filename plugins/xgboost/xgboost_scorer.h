// XgboostScorer: serves an XGBoost JSON model through the XGBoost C API (libxgboost
// 1.7). The native ForestScorer is the default path; this one stays for checking it and
// for models the native evaluator refuses as unsupported (dart and gblinear boosters,
// other objectives, categorical splits).
//
// Before handing the file to XGBoost, load() checks what XGBoost does not (child indices,
// feature ranges, array lengths, limits: check_xgboost_model), because libxgboost trusts
// a model file and would read out of bounds on a corrupt one. The booster is set to
// nthread=1 (one request, one core) and warmed up with one prediction at load, so that
// XGBoost's lazy configuration never runs concurrently with a prediction.
//
// Costs measured on the target machine: ~23 us of fixed overhead per call, ~1.5 us per
// row in batches; explanations build a DMatrix per call and cost more.
// Output meanings are those of plugins/forest/tree_output.h, shared with ForestScorer.
// Thread-safety: score(), predict() and contributions() may run on many threads at once
// (XGBoost prediction is thread-safe since 1.4, and nothing here sets parameters after load).
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scoring/scorer.h"
#include "plugins/forest/tree_output.h"
#include "plugins/xgboost/xgboost_api.h"

namespace ledgerflow::plugins {

class XgboostScorer final : public scoring::Scorer {
 public:
  // Reads and checks the JSON model at `path`, then loads it into a booster.
  // not_found / io_error for an absent or unreadable file; invalid_argument for a
  // malformed model or one XGBoost refuses.
  static Result<std::unique_ptr<XgboostScorer>> load(const std::string& path,
                                                     TreeModelOptions options = {});
  // The same when the caller already has the file's bytes (`text`, from
  // read_xgboost_text) and their parse (`doc`, from parse_xgboost_json): XGBoost loads the
  // very bytes that were checked. `source` names the model in errors.
  static Result<std::unique_ptr<XgboostScorer>> from_json(const nlohmann::json& doc,
                                                          std::string_view text,
                                                          const std::string& source,
                                                          TreeModelOptions options = {});

  const scoring::ModelInfo& info() const override { return info_; }
  std::size_t num_features() const { return info_.features.size(); }
  std::size_t outputs_per_row() const { return groups_; }

  // invalid_argument for a wrong width or an infinite value; unavailable if XGBoost fails.
  Result<scoring::ScoreResult> score(std::span<const double> features,
                                     std::size_t explain_top_k) const override;

  // Batch scoring, same contract as ForestScorer::predict.
  Result<void> predict(std::span<const float> rows, std::span<double> out,
                       PredictKind kind = PredictKind::value) const;

  // XGBoost's pred_contribs, same layout as ForestScorer::contributions.
  Result<void> contributions(std::span<const float> rows, std::span<double> out) const;

 private:
  XgboostScorer(xgb::Booster booster, TreeModelOptions options, scoring::ModelInfo info,
                std::size_t groups, bool softmax_margins, bool inplace);

  // One in-place prediction of `count` rows; out gets count x groups_ values.
  Result<void> predict_rows(const float* rows, std::size_t count, PredictKind kind,
                            double* out) const;
  Result<std::size_t> batch_rows(std::size_t values, std::size_t out_values,
                                 std::size_t out_per_row) const;

  xgb::Booster booster_;
  TreeModelOptions options_;
  scoring::ModelInfo info_;
  std::size_t groups_ = 1;
  bool softmax_margins_ = false;  // multi:softmax predicts a class index; we want probabilities
  bool inplace_ = true;           // gblinear has no in-place prediction: it goes via a DMatrix
  std::vector<double> group_bias_;
  std::string value_config_;
  std::string margin_config_;
  std::string contrib_config_;
};

}  // namespace ledgerflow::plugins
