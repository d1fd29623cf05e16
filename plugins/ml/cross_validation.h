// cross_validate(): k-fold cross-validation of an XGBoost model on a training table,
// with the hyperparameters of a TrainJob, for model selection and for checking the
// trainer against published results (the German credit test). Folds are seeded and,
// for 0/1 labels, stratified (each fold gets the same share of positives). Each fold is
// trained by plugins::train() with that fold held out; fold models go to a temporary
// directory that is removed afterwards. Nothing is published.
// Limits: 2 to 20 folds. Thread-safety: calls may run concurrently.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "engine/common/result.h"
#include "plugins/ml/numeric_csv.h"
#include "plugins/ml/train_job.h"
#include "plugins/ml/trainer.h"

namespace ledgerflow::datagen {

inline constexpr int kMaxFolds = 20;

struct CvResult {
  std::vector<plugins::HoldoutMetrics> folds;
  // Means over the folds where the metric is defined, and the standard deviation of the
  // AUC (n - 1 denominator).
  std::optional<double> mean_auc, sd_auc, mean_pr_auc, mean_log_loss, mean_rmse;
};

// The seeded fold of every row, in [0, folds).
std::vector<int> assign_folds(const std::vector<float>& labels, int folds, std::uint64_t seed);

// Uses job.objective, rounds, max_depth, eta, seed, nthread and params; ignores the
// name, output directory and holdout fraction.
Result<CvResult> cross_validate(const NumericTable& table, const TrainJob& job, int folds);

}  // namespace ledgerflow::datagen
