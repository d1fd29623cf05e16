// Scorer: a model that turns a feature vector into a score, with an explanation.
// Implementations: the built-in logistic/linear scorer (plugins/logistic), and later
// XGBoost, the native forest evaluator, remote model servers and C-ABI plugins.
//
// Thread-safety: score() is const and must be safe to call from many threads at once.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::scoring {

struct ModelInfo {
  std::string name;
  std::string version;                // as registered ("1", "2", ...)
  std::string kind;                   // "logistic", "linear", "xgboost", ...
  std::string objective;              // "binary:logistic", "reg:squarederror", ...
  std::vector<std::string> features;  // input order
};

struct Contribution {
  std::string feature;
  double value = 0;  // contribution to the raw score (log-odds for logistic models)
};

struct ScoreResult {
  double score = 0;                         // the model's output (probability for binary models)
  std::optional<double> probability;        // set for binary classifiers
  std::string label;                        // e.g. "high" / "low", or empty
  double bias = 0;                          // the raw-score intercept the contributions add to
  std::vector<Contribution> contributions;  // largest |value| first, at most the requested K
  // For scorers whose decision is not a sum of contributions (the rules scorer): what
  // decided, e.g. "rules[2]: amount > 10000 && new_vendor == 1". Empty otherwise.
  std::string explanation;
};

class Scorer {
 public:
  virtual ~Scorer() = default;
  virtual const ModelInfo& info() const = 0;
  // `features` has info().features.size() values in that order; NaN means missing.
  // A wrong width is an invalid_argument error, never a crash.
  virtual Result<ScoreResult> score(std::span<const double> features,
                                    std::size_t explain_top_k) const = 0;
};

// Resolves model references: "name" (the champion), "name@alias", "name@version".
// Thread-safety: resolve() may be called from many threads.
class ScorerRegistry {
 public:
  virtual ~ScorerRegistry() = default;
  virtual Result<std::shared_ptr<const Scorer>> resolve(std::string_view reference) const = 0;
};

}  // namespace ledgerflow::scoring
