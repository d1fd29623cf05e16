// LinearScorer: the built-in logistic / linear regression scorer, read from a
// "ledgerflow-linear/1" JSON model file (format in plugins/logistic/README.md).
//
//   x'   = (x - mean) / scale        (x = the feature's `missing` value when x is NaN)
//   raw  = intercept + sum(coef * x')
//   logistic: probability = 1 / (1 + e^-raw), score = probability
//   linear:   score = raw, no probability
//
// Contributions are coef * x' per feature (log-odds for logistic models), largest |value|
// first; `bias` is the intercept, so bias + sum(all contributions) = raw.
//
// Thread-safety: immutable after construction; score() may run on many threads at once.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/scoring/scorer.h"
#include "plugins/logistic/linear_model.h"

namespace ledgerflow::plugins {

class LinearScorer final : public scoring::Scorer {
 public:
  // Reads and validates a model file. not_found / io_error for an absent or unreadable
  // file; invalid_argument for bad content; every message starts with the path.
  static Result<std::unique_ptr<LinearScorer>> load(const std::string& path);

  // Validates a parsed model document; `source` names it in error messages.
  static Result<std::unique_ptr<LinearScorer>> from_json(const nlohmann::json& doc,
                                                         const std::string& source = "<model>");

  explicit LinearScorer(LinearModel model);

  const scoring::ModelInfo& info() const override { return info_; }
  const LinearModel& model() const { return model_; }

  // invalid_argument when features.size() differs from the model's width, a feature is
  // infinite, or the raw score overflows.
  Result<scoring::ScoreResult> score(std::span<const double> features,
                                     std::size_t explain_top_k) const override;

 private:
  LinearModel model_;
  scoring::ModelInfo info_;
};

}  // namespace ledgerflow::plugins
