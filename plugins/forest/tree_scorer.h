// TreeScorer: what the two tree-model scorers share (ForestScorer, the native evaluator,
// and XgboostScorer, the XGBoost C API path): the checks and layout of score(),
// predict() and contributions(), the float32 row assembly with NaN for missing, the
// explained group, and the output mapping of plugins/forest/tree_output.h. A subclass
// supplies only how one row and a batch of rows are evaluated and explained, so both
// answer every call with the same contract and the same error messages.
// Thread-safety: immutable after construction; every public method may run on many
// threads at once provided the subclass's hooks may.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "engine/scoring/scorer.h"
#include "plugins/forest/tree_output.h"

namespace ledgerflow::plugins {

class TreeScorer : public scoring::Scorer {
 public:
  const scoring::ModelInfo& info() const override { return info_; }
  std::size_t num_features() const { return info_.features.size(); }
  // Values per row from predict(): the number of classes for multi-class models, else 1.
  std::size_t outputs_per_row() const { return groups_; }

  // invalid_argument when features.size() is not the model's width or a value is
  // infinite (or beyond float32's range). NaN is missing.
  Result<scoring::ScoreResult> score(std::span<const double> features,
                                     std::size_t explain_top_k) const final;

  // Batch scoring: `rows` holds whole rows of num_features() float32 values, row-major,
  // NaN = missing (infinities are compared like XGBoost does, not refused); `out` gets
  // outputs_per_row() values per row. invalid_argument on mismatched sizes or more than
  // kMaxBatchRows rows.
  Result<void> predict(std::span<const float> rows, std::span<double> out,
                       PredictKind kind = PredictKind::value) const;

  // Contributions for whole rows, laid out like XGBoost's pred_contribs: per row, per
  // output group, num_features() contributions then the bias; `out` holds
  // rows x outputs_per_row() x (num_features() + 1) values.
  Result<void> contributions(std::span<const float> rows, std::span<double> out) const;

 protected:
  TreeScorer(TreeModelOptions options, scoring::ModelInfo info, std::size_t groups);

  // One row's outputs (outputs_per_row() values) into `values`.
  virtual Result<void> row_values(const float* row, double* values) const = 0;
  // One row's per-feature contributions for output `group` (num_features() values, no
  // bias) into `phi`.
  virtual Result<void> row_contributions(std::span<const float> row, std::size_t group,
                                         std::vector<double>& phi) const = 0;
  // `count` (> 0, already checked) rows: outputs into out[count x outputs_per_row()].
  virtual Result<void> predict_rows(const float* rows, std::size_t count, PredictKind kind,
                                    double* out) const = 0;
  // `count` (> 0, already checked) rows: the pred_contribs layout into `out`.
  virtual Result<void> contribution_rows(std::span<const float> rows, std::size_t count,
                                         std::span<double> out) const = 0;

  const TreeModelOptions& options() const { return options_; }
  // Per group: the expected margin (base margin + the trees' expected values), the
  // explanation's bias. Set by the subclass while it is constructed or loaded.
  std::vector<double> group_bias_;

 private:
  Result<std::size_t> batch_rows(std::size_t values, std::size_t out_values,
                                 std::size_t out_per_row) const;

  TreeModelOptions options_;
  scoring::ModelInfo info_;
  std::size_t groups_ = 1;
};

}  // namespace ledgerflow::plugins
