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
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "plugins/forest/tree_scorer.h"  // Scorer, TreeModelOptions, PredictKind
#include "plugins/xgboost/xgboost_api.h"

namespace ledgerflow::plugins {

class XgboostScorer final : public TreeScorer {
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

  // score(), predict() and contributions() (XGBoost's pred_contribs) are TreeScorer's;
  // each may also fail with unavailable when XGBoost does.

 private:
  XgboostScorer(xgb::Booster booster, TreeModelOptions options, scoring::ModelInfo info,
                std::size_t groups, bool softmax_margins, bool inplace);

  Result<void> row_values(const float* row, double* values) const override;
  Result<void> row_contributions(std::span<const float> row, std::size_t group,
                                 std::vector<double>& phi) const override;
  // One prediction of `count` rows (in place unless gblinear).
  Result<void> predict_rows(const float* rows, std::size_t count, PredictKind kind,
                            double* out) const override;
  Result<void> contribution_rows(std::span<const float> rows, std::size_t count,
                                 std::span<double> out) const override;

  xgb::Booster booster_;
  bool softmax_margins_ = false;  // multi:softmax predicts a class index; we want probabilities
  bool inplace_ = true;           // gblinear has no in-place prediction: it goes via a DMatrix
  std::string value_config_;
  std::string margin_config_;
  std::string contrib_config_;
};

}  // namespace ledgerflow::plugins
