#include "plugins/forest/tree_scorer.h"

#include <array>
#include <cmath>
#include <string>

namespace ledgerflow::plugins {
namespace {

constexpr std::size_t kStackFeatures = 256;  // rows this wide are converted on the stack

}  // namespace

TreeScorer::TreeScorer(TreeModelOptions options, scoring::ModelInfo info, std::size_t groups)
    : group_bias_(groups, 0.0),
      options_(std::move(options)),
      info_(std::move(info)),
      groups_(groups) {}

Result<scoring::ScoreResult> TreeScorer::score(std::span<const double> features,
                                               std::size_t explain_top_k) const {
  const std::size_t width = num_features();
  if (features.size() != width) {
    return Error::invalid(model_label(info_) + " expects " + std::to_string(width) +
                          " features, got " + std::to_string(features.size()));
  }
  std::array<float, kStackFeatures> stack_row;
  std::vector<float> heap_row;
  float* row = stack_row.data();
  if (width > kStackFeatures) {
    heap_row.resize(width);
    row = heap_row.data();
  }
  for (std::size_t i = 0; i < width; ++i) {
    row[i] = static_cast<float>(features[i]);  // NaN stays NaN: missing
    if (std::isinf(row[i])) {
      return Error::invalid(model_label(info_) + ": feature '" + info_.features[i] +
                            "' is infinite or beyond float32 range; pass a finite value or "
                            "NaN for missing");
    }
  }

  // One output (the common case) stays on the stack.
  std::array<double, 1> one_value;
  std::vector<double> many_values;
  double* value = one_value.data();
  if (groups_ > 1) {
    many_values.resize(groups_);
    value = many_values.data();
  }
  if (auto r = row_values(row, value); !r) return r.error();
  std::span<const double> values(value, groups_);
  std::size_t group = explained_group(values);

  std::vector<double> phi;
  if (explain_top_k > 0) {
    if (auto r = row_contributions(std::span<const float>(row, width), group, phi); !r) {
      return r.error();
    }
  }
  return tree_score_result(options_, info_, values, phi, group_bias_[group], explain_top_k);
}

Result<std::size_t> TreeScorer::batch_rows(std::size_t values, std::size_t out_values,
                                           std::size_t out_per_row) const {
  const std::size_t width = num_features();
  if (values % width != 0) {
    return Error::invalid(model_label(info_) + ": " + std::to_string(values) +
                          " values are not whole rows of " + std::to_string(width) + " features");
  }
  std::size_t rows = values / width;
  if (rows > kMaxBatchRows) {
    return Error::invalid(model_label(info_) + ": " + std::to_string(rows) +
                          " rows in one batch; the limit is " + std::to_string(kMaxBatchRows));
  }
  if (out_values != rows * out_per_row) {
    return Error::invalid(model_label(info_) + ": the output holds " + std::to_string(out_values) +
                          " values; " + std::to_string(rows) + " rows need " +
                          std::to_string(rows * out_per_row));
  }
  return rows;
}

Result<void> TreeScorer::predict(std::span<const float> rows, std::span<double> out,
                                 PredictKind kind) const {
  auto count = batch_rows(rows.size(), out.size(), groups_);
  if (!count) return count.error();
  if (*count == 0) return {};
  return predict_rows(rows.data(), *count, kind, out.data());
}

Result<void> TreeScorer::contributions(std::span<const float> rows, std::span<double> out) const {
  auto count = batch_rows(rows.size(), out.size(), groups_ * (num_features() + 1));
  if (!count) return count.error();
  if (*count == 0) return {};
  return contribution_rows(rows, *count, out);
}

}  // namespace ledgerflow::plugins
