// train(): fits an XGBoost tree model through the C API on an in-memory table, holds out
// a seeded random share of the rows, writes the model as XGBoost JSON and reports
// metrics on the holdout. The library behind `ledgerflow train`; the CLI reads CSV,
// writes meta.json and picks the version directory.
//
// Deterministic: the holdout split uses its own seeded generator (not std::shuffle, whose
// algorithm varies between standard libraries), training runs with the given seed and
// nthread (1 by default), so the same spec and data give a byte-identical model file.
// The file is written next to its destination and renamed into place, so a reader never
// sees half a model.
// Thread-safety: train() may run concurrently with other train() calls (each has its own
// booster), but not with anything that changes XGBoost's global configuration.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::plugins {

inline constexpr std::size_t kMaxTrainRows = 50'000'000;
inline constexpr int kMaxTrainRounds = 10'000;
inline constexpr int kMaxTrainDepth = 32;

struct TrainSpec {
  // rows x num_features float32 values, row-major; NaN = missing.
  std::span<const float> features;
  std::size_t num_features = 0;
  // One label per row: 0/1 for binary:logistic (values in [0, 1] for reg:logistic), a
  // class index for multi:softprob / multi:softmax, any finite value for regression.
  std::span<const float> labels;
  // Optional; when given (one per feature) they are stored in the model file, so the
  // model can be served without a meta.json.
  std::vector<std::string> feature_names;

  std::string objective = "binary:logistic";
  std::size_t num_class = 0;  // multi-class objectives only
  int rounds = 100;
  int max_depth = 6;
  double eta = 0.3;
  std::uint64_t seed = 0;         // the holdout split and XGBoost's own seed
  double holdout_fraction = 0.2;  // in [0, 0.9]; 0 trains on everything, no metrics
  int nthread = 1;                // more threads train faster; 1 guarantees byte-identical files
  // Explicit rows to hold out instead of a random holdout_fraction share (cross-validation
  // folds): ascending, distinct, each < rows, leaving at least one row to train on.
  std::vector<std::size_t> holdout_indices;
  std::string tree_method = "hist";
  std::optional<double> base_score;  // XGBoost's default (0.5) when absent
  // Further XGBoost parameters (subsample, lambda, min_child_weight, ...), set after the
  // ones above, so they may override them.
  std::vector<std::pair<std::string, std::string>> extra_params;

  // Where the model goes; must end in ".json" (XGBoost picks its format by extension).
  std::string model_path;
};

// Metrics on the holdout rows; each is set where it is defined for the objective.
struct HoldoutMetrics {
  std::size_t rows = 0;
  std::optional<double> auc;             // binary:logistic, reg:logistic with 0/1 labels
  std::optional<double> pr_auc;          // average precision, same
  std::optional<double> log_loss;        // binary:logistic, reg:logistic
  std::optional<double> rmse;            // every single-output objective
  std::optional<double> multi_log_loss;  // multi-class
  std::optional<double> accuracy;        // multi-class
};

struct TrainResult {
  std::string model_path;
  std::size_t train_rows = 0;
  std::size_t holdout_rows = 0;
  int rounds = 0;
  HoldoutMetrics holdout;
  std::vector<std::size_t> holdout_indices;  // which input rows were held out, ascending
};

// invalid_argument for an inconsistent spec (sizes, labels, limits, path); io_error when
// the model cannot be written; the XGBoost message when XGBoost refuses a parameter.
Result<TrainResult> train(const TrainSpec& spec);

}  // namespace ledgerflow::plugins
