#include "plugins/ml/metrics.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace ledgerflow::plugins {
namespace {

constexpr double kProbabilityClip = 1e-15;

// Row indices by descending score (ties in index order, for determinism).
std::vector<std::size_t> by_score_descending(std::span<const double> scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

std::optional<double> roc_auc(std::span<const double> scores, std::span<const float> labels) {
  if (scores.size() != labels.size() || scores.empty()) return std::nullopt;
  auto order = by_score_descending(scores);
  // Walk tie groups from the top: each positive in a group beats every negative below
  // it and half of the negatives in its own group.
  double positives = 0;
  double negatives = 0;
  double wins = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    double group_pos = 0;
    double group_neg = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      (labels[order[j]] > 0.5f ? group_pos : group_neg) += 1;
      ++j;
    }
    // Negatives seen so far rank above this group: those pairs are losses.
    wins += group_neg * positives + 0.5 * group_pos * group_neg;
    positives += group_pos;
    negatives += group_neg;
    i = j;
  }
  if (positives == 0 || negatives == 0) return std::nullopt;
  return wins / (positives * negatives);
}

std::optional<double> average_precision(std::span<const double> scores,
                                        std::span<const float> labels) {
  if (scores.size() != labels.size() || scores.empty()) return std::nullopt;
  double total_pos = 0;
  for (float y : labels) total_pos += y > 0.5f ? 1 : 0;
  if (total_pos == 0) return std::nullopt;
  auto order = by_score_descending(scores);
  double tp = 0;
  double seen = 0;
  double previous_recall = 0;
  double ap = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) {
      tp += labels[order[j]] > 0.5f ? 1 : 0;
      seen += 1;
      ++j;
    }
    double recall = tp / total_pos;
    ap += (recall - previous_recall) * (tp / seen);
    previous_recall = recall;
    i = j;
  }
  return ap;
}

std::optional<double> log_loss(std::span<const double> probabilities,
                               std::span<const float> labels) {
  if (probabilities.size() != labels.size() || probabilities.empty()) return std::nullopt;
  double total = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    double p = std::clamp(probabilities[i], kProbabilityClip, 1 - kProbabilityClip);
    double y = labels[i];
    total -= y * std::log(p) + (1 - y) * std::log(1 - p);
  }
  return total / static_cast<double>(labels.size());
}

std::optional<double> rmse(std::span<const double> predictions, std::span<const float> labels) {
  if (predictions.size() != labels.size() || predictions.empty()) return std::nullopt;
  double total = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    double d = predictions[i] - labels[i];
    total += d * d;
  }
  return std::sqrt(total / static_cast<double>(labels.size()));
}

std::optional<double> multi_log_loss(std::span<const double> probabilities,
                                     std::span<const float> labels, std::size_t classes) {
  if (classes == 0 || labels.empty() || probabilities.size() != labels.size() * classes) {
    return std::nullopt;
  }
  double total = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    auto k = static_cast<std::size_t>(labels[i]);
    if (k >= classes) return std::nullopt;
    total -= std::log(std::clamp(probabilities[i * classes + k], kProbabilityClip, 1.0));
  }
  return total / static_cast<double>(labels.size());
}

std::optional<double> accuracy(std::span<const double> probabilities, std::span<const float> labels,
                               std::size_t classes) {
  if (classes == 0 || labels.empty() || probabilities.size() != labels.size() * classes) {
    return std::nullopt;
  }
  double correct = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    auto row = probabilities.subspan(i * classes, classes);
    auto predicted =
        static_cast<std::size_t>(std::max_element(row.begin(), row.end()) - row.begin());
    correct += predicted == static_cast<std::size_t>(labels[i]) ? 1 : 0;
  }
  return correct / static_cast<double>(labels.size());
}

}  // namespace ledgerflow::plugins
