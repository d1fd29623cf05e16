// ForestScorer: the native evaluator for XGBoost tree models, Ledgerflow's default way
// to serve them (plugins/forest/README.md). Loads an XGBoost JSON model into a flat
// ForestModel and scores rows with XGBoost's exact semantics: features are cast to
// float32, a row goes left when x < threshold, NaN follows default_left, leaves are
// summed in float32 onto base_score's margin in tree order, then the objective's
// transform (sigmoid, softmax) is applied in double. Explanations are exact TreeSHAP.
//
// Why not XGBoost's own predictor: one call into libxgboost costs ~25 us of fixed
// overhead per row, far more than walking the trees; the native path scores a row of a
// 100-tree depth-6 model in ~1.4 us (bench/score_bench: ~18x faster, equal results).
// XgboostScorer (the C API path) stays for checking and for models this evaluator
// refuses as unsupported.
//
// Output meanings (score, probability, label, contributions, bias) are those of
// plugins/forest/tree_output.h, shared with XgboostScorer.
// Thread-safety: immutable after construction; every method may run on many threads.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scoring/scorer.h"
#include "plugins/forest/forest_model.h"
#include "plugins/forest/tree_output.h"

namespace ledgerflow::plugins {

class ForestScorer final : public scoring::Scorer {
 public:
  // Reads an XGBoost JSON model. not_found / io_error for an absent or unreadable file;
  // invalid_argument for anything malformed, over the limits or unsupported natively
  // (the message names the file and says when the C API path can serve it).
  static Result<std::unique_ptr<ForestScorer>> load(const std::string& path,
                                                    TreeModelOptions options = {});
  // The same for a document read with read_xgboost_json; `source` names it in errors.
  static Result<std::unique_ptr<ForestScorer>> from_json(const nlohmann::json& doc,
                                                         const std::string& source,
                                                         TreeModelOptions options = {});
  // Checks the options against the model (feature names, classes, labels).
  static Result<std::unique_ptr<ForestScorer>> create(ForestModel model, TreeModelOptions options,
                                                      const std::string& source);

  const scoring::ModelInfo& info() const override { return info_; }
  const ForestModel& model() const { return model_; }
  std::size_t num_features() const { return model_.num_features; }
  // Values per row from predict(): the number of classes for multi:softprob, else 1.
  std::size_t outputs_per_row() const { return model_.num_groups; }

  // invalid_argument when features.size() is not the model's width or a value is
  // infinite (or beyond float32's range). NaN is missing.
  Result<scoring::ScoreResult> score(std::span<const double> features,
                                     std::size_t explain_top_k) const override;

  // Batch scoring: `rows` holds whole rows of num_features() float32 values, row-major,
  // NaN = missing (infinities are compared like XGBoost does, not refused); `out` gets
  // outputs_per_row() values per row. invalid_argument on mismatched sizes or more than
  // kMaxBatchRows rows.
  Result<void> predict(std::span<const float> rows, std::span<double> out,
                       PredictKind kind = PredictKind::value) const;

  // TreeSHAP for whole rows, laid out like XGBoost's pred_contribs: per row, per output
  // group, num_features() contributions then the bias; `out` holds
  // rows x outputs_per_row() x (num_features() + 1) values.
  Result<void> contributions(std::span<const float> rows, std::span<double> out) const;

 private:
  ForestScorer(ForestModel model, TreeModelOptions options, scoring::ModelInfo info);

  // Margins of one float32 row into out[0..num_groups).
  void margins(const float* row, float* out) const;
  // Margins of `count` consecutive rows into out[count x num_groups], trees outermost
  // so each tree's nodes stay in cache across the block.
  void margin_block(const float* rows, std::size_t count, float* out) const;
  // Objective transform of one row's margins into values.
  void transform(const float* margins, double* values) const;
  Result<std::size_t> batch_rows(std::size_t values, std::size_t out_values,
                                 std::size_t out_per_row) const;

  ForestModel model_;
  TreeModelOptions options_;
  scoring::ModelInfo info_;
  std::vector<double> group_bias_;  // per group: base margin + the trees' expected values
};

}  // namespace ledgerflow::plugins
