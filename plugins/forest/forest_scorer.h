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
#include <string>

#include <nlohmann/json.hpp>

#include "plugins/forest/forest_model.h"
#include "plugins/forest/tree_scorer.h"  // Scorer, TreeModelOptions, PredictKind

namespace ledgerflow::plugins {

class ForestScorer final : public TreeScorer {
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

  const ForestModel& model() const { return model_; }

  // score(), predict() and contributions() (exact TreeSHAP) are TreeScorer's.

 private:
  ForestScorer(ForestModel model, TreeModelOptions options, scoring::ModelInfo info);

  Result<void> row_values(const float* row, double* values) const override;
  Result<void> row_contributions(std::span<const float> row, std::size_t group,
                                 std::vector<double>& phi) const override;
  Result<void> predict_rows(const float* rows, std::size_t count, PredictKind kind,
                            double* out) const override;
  Result<void> contribution_rows(std::span<const float> rows, std::size_t count,
                                 std::span<double> out) const override;

  // Margins of one float32 row into out[0..num_groups).
  void margins(const float* row, float* out) const;
  // Margins of `count` consecutive rows into out[count x num_groups], trees outermost
  // so each tree's nodes stay in cache across the block.
  void margin_block(const float* rows, std::size_t count, float* out) const;
  // Objective transform of one row's margins into values.
  void transform(const float* margins, double* values) const;

  ForestModel model_;
};

}  // namespace ledgerflow::plugins
