#include "plugins/xgboost/xgboost_scorer.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "plugins/forest/forest_model.h"
#include "plugins/forest/xgboost_json.h"

namespace ledgerflow::plugins {
namespace {

void softmax(double* values, std::size_t n) {
  double top = *std::max_element(values, values + n);
  double total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    values[i] = std::exp(values[i] - top);
    total += values[i];
  }
  for (std::size_t i = 0; i < n; ++i) values[i] /= total;
}

}  // namespace

Result<std::unique_ptr<XgboostScorer>> XgboostScorer::load(const std::string& path,
                                                           TreeModelOptions options) {
  auto text = read_xgboost_text(path);
  if (!text) return text.error();
  auto doc = parse_xgboost_json(*text, path);
  if (!doc) return doc.error();
  return from_json(*doc, *text, path, std::move(options));
}

Result<std::unique_ptr<XgboostScorer>> XgboostScorer::from_json(const nlohmann::json& doc,
                                                                std::string_view text,
                                                                const std::string& path,
                                                                TreeModelOptions options) {
  auto summary = check_xgboost_model(doc, path);
  if (!summary) return summary.error();
  std::size_t groups = is_multiclass_objective(summary->objective)
                           ? std::max<std::size_t>(summary->num_class, 1)
                           : 1;
  auto info = tree_model_info(options, "xgboost", summary->objective, summary->num_features, groups,
                              summary->feature_names, path);
  if (!info) return info.error();

  BoosterHandle handle = nullptr;
  if (XGBoosterCreate(nullptr, 0, &handle) != 0) {
    return xgb::last_error(ErrorCode::unavailable, path + ": XGBoost cannot create a booster");
  }
  xgb::Booster booster(handle);
  if (XGBoosterLoadModelFromBuffer(handle, text.data(), text.size()) != 0) {
    return xgb::last_error(ErrorCode::invalid_argument, path + ": XGBoost refuses the model");
  }
  if (XGBoosterSetParam(handle, "nthread", "1") != 0) {
    return xgb::last_error(ErrorCode::unavailable, path + ": cannot set nthread");
  }
  bst_ulong width = 0;
  if (XGBoosterGetNumFeature(handle, &width) != 0 || width != summary->num_features) {
    return Error::invalid(path + ": XGBoost reads " + std::to_string(width) +
                          " features, the file says " + std::to_string(summary->num_features));
  }
  std::unique_ptr<XgboostScorer> scorer(
      new XgboostScorer(std::move(booster), std::move(options), std::move(*info), groups,
                        summary->objective == "multi:softmax", summary->booster != "gblinear"));

  // Warm-up: configures the learner now, single-threaded, and learns each group's bias
  // (the last pred_contribs column is the same for every row).
  std::vector<float> missing(summary->num_features, std::numeric_limits<float>::quiet_NaN());
  std::vector<double> contribs(groups * (summary->num_features + 1));
  if (auto r = scorer->contributions(missing, contribs); !r) {
    return Error::invalid(path + ": XGBoost cannot score with this model: " + r.error().message);
  }
  std::vector<double> values(groups);
  if (auto r = scorer->predict(missing, values); !r) {
    return Error::invalid(path + ": XGBoost cannot score with this model: " + r.error().message);
  }
  for (std::size_t g = 0; g < groups; ++g) {
    scorer->group_bias_[g] = contribs[g * (summary->num_features + 1) + summary->num_features];
  }
  return scorer;
}

XgboostScorer::XgboostScorer(xgb::Booster booster, TreeModelOptions options,
                             scoring::ModelInfo info, std::size_t groups, bool softmax_margins,
                             bool inplace)
    : TreeScorer(std::move(options), std::move(info), groups),
      booster_(std::move(booster)),
      softmax_margins_(softmax_margins),
      inplace_(inplace),
      value_config_(xgb::predict_config(0, true)),
      margin_config_(xgb::predict_config(1, true)),
      contrib_config_(xgb::predict_config(2, false)) {}

Result<void> XgboostScorer::predict_rows(const float* rows, std::size_t count, PredictKind kind,
                                         double* out) const {
  bool margins = kind == PredictKind::margin || softmax_margins_;
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  int rc = 0;
  if (inplace_) {
    std::string array = xgb::dense_array_interface(rows, count, num_features());
    rc = XGBoosterPredictFromDense(booster_.get(), array.c_str(),
                                   margins ? margin_config_.c_str() : value_config_.c_str(),
                                   nullptr, &shape, &dims, &result);
  } else {
    auto matrix =
        xgb::make_dmatrix(std::span<const float>(rows, count * num_features()), num_features());
    if (!matrix) return matrix.error();
    std::string config = xgb::predict_config(margins ? 1 : 0, false);
    rc = XGBoosterPredictFromDMatrix(booster_.get(), matrix->get(), config.c_str(), &shape, &dims,
                                     &result);
  }
  if (rc != 0) {
    return xgb::last_error(ErrorCode::unavailable,
                           model_label(info()) + ": XGBoost prediction failed");
  }
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dims; ++d) total *= shape[d];
  if (total != count * outputs_per_row()) {
    return Error{ErrorCode::unavailable, model_label(info()) + ": XGBoost returned " +
                                             std::to_string(total) + " values for " +
                                             std::to_string(count) + " rows"};
  }
  std::copy(result, result + total, out);
  if (softmax_margins_ && kind == PredictKind::value) {
    for (std::size_t r = 0; r < count; ++r) softmax(out + r * outputs_per_row(), outputs_per_row());
  }
  return {};
}

Result<void> XgboostScorer::row_values(const float* row, double* values) const {
  return predict_rows(row, 1, PredictKind::value, values);
}

Result<void> XgboostScorer::row_contributions(std::span<const float> row, std::size_t group,
                                              std::vector<double>& phi) const {
  const std::size_t width = num_features();
  std::vector<double> all(outputs_per_row() * (width + 1));
  if (auto r = contributions(row, all); !r) return r.error();
  auto first = all.begin() + static_cast<std::ptrdiff_t>(group * (width + 1));
  phi.assign(first, first + static_cast<std::ptrdiff_t>(width));
  return {};
}

Result<void> XgboostScorer::contribution_rows(std::span<const float> rows, std::size_t count,
                                              std::span<double> out) const {
  const std::size_t per_row = outputs_per_row() * (num_features() + 1);
  auto matrix = xgb::make_dmatrix(rows, num_features());
  if (!matrix) return matrix.error();
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(booster_.get(), matrix->get(), contrib_config_.c_str(), &shape,
                                  &dims, &result) != 0) {
    return xgb::last_error(ErrorCode::unavailable,
                           model_label(info()) + ": XGBoost contributions failed");
  }
  bst_ulong total = 1;
  for (bst_ulong d = 0; d < dims; ++d) total *= shape[d];
  if (total != count * per_row) {
    return Error{ErrorCode::unavailable, model_label(info()) + ": XGBoost returned " +
                                             std::to_string(total) + " contributions for " +
                                             std::to_string(count) + " rows"};
  }
  std::copy(result, result + total, out.begin());
  return {};
}

}  // namespace ledgerflow::plugins
