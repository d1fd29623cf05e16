// Holdout metrics for train(): ROC AUC, PR AUC (average precision), log loss, RMSE,
// multi-class log loss and accuracy.
//
// Written here rather than taken from XGBoost's evaluator because train() reports them
// on predictions it already has, a library cannot parse XGBoost's eval strings reliably,
// and the definitions below are the standard ones (scikit-learn's), stated exactly:
//   roc_auc            Mann-Whitney: P(score of a positive > score of a negative), ties 1/2
//   average_precision  sum over distinct thresholds (descending) of
//                      (recall_k - recall_k-1) * precision_k; ties form one threshold
//   log_loss           mean of -(y ln p + (1 - y) ln(1 - p)), p clipped to [1e-15, 1 - 1e-15]
// Labels for the binary metrics are 0 or 1; nullopt when a metric is undefined (no
// rows, or only one class present).
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <optional>
#include <span>

namespace ledgerflow::plugins {

std::optional<double> roc_auc(std::span<const double> scores, std::span<const float> labels);
std::optional<double> average_precision(std::span<const double> scores,
                                        std::span<const float> labels);
// Labels in [0, 1] (soft labels allowed).
std::optional<double> log_loss(std::span<const double> probabilities,
                               std::span<const float> labels);
std::optional<double> rmse(std::span<const double> predictions, std::span<const float> labels);
// probabilities: rows x classes, row-major; labels: class indices.
std::optional<double> multi_log_loss(std::span<const double> probabilities,
                                     std::span<const float> labels, std::size_t classes);
std::optional<double> accuracy(std::span<const double> probabilities, std::span<const float> labels,
                               std::size_t classes);

}  // namespace ledgerflow::plugins
