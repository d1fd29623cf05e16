#include "plugins/ml/trainer.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>

#include "plugins/forest/forest_model.h"
#include "plugins/ml/metrics.h"
#include "plugins/xgboost/xgboost_api.h"

namespace ledgerflow::plugins {
namespace fs = std::filesystem;

namespace {

bool binary_objective(const std::string& objective) {
  return objective == "binary:logistic" || objective == "reg:logistic";
}
bool multiclass_objective(const std::string& objective) {
  return objective == "multi:softprob" || objective == "multi:softmax";
}

Error bad(const std::string& what) {
  return Error::invalid("train: " + what);
}

Result<void> check_labels(const TrainSpec& spec) {
  for (std::size_t i = 0; i < spec.labels.size(); ++i) {
    float y = spec.labels[i];
    std::string where = "labels[" + std::to_string(i) + "] = " + std::to_string(y);
    if (!std::isfinite(y)) return bad("labels[" + std::to_string(i) + "] is not finite");
    if (binary_objective(spec.objective) && (y < 0 || y > 1)) {
      return bad(where + ": " + spec.objective + " needs labels in [0, 1]");
    }
    if (multiclass_objective(spec.objective) &&
        (y < 0 || y != std::floor(y) || y >= static_cast<float>(spec.num_class))) {
      return bad(where + ": expected a class index in [0, " + std::to_string(spec.num_class) + ")");
    }
  }
  return {};
}

Result<std::size_t> check_spec(const TrainSpec& spec) {
  if (spec.num_features == 0 || spec.num_features > kMaxForestFeatures) {
    return bad("num_features must be in [1, " + std::to_string(kMaxForestFeatures) + "]");
  }
  std::size_t rows = spec.labels.size();
  if (rows < 2 || rows > kMaxTrainRows) {
    return bad(std::to_string(rows) + " rows; expected 2 to " + std::to_string(kMaxTrainRows));
  }
  if (spec.features.size() != rows * spec.num_features) {
    return bad(std::to_string(spec.features.size()) + " feature values for " +
               std::to_string(rows) + " rows of " + std::to_string(spec.num_features));
  }
  if (!spec.feature_names.empty()) {
    if (spec.feature_names.size() != spec.num_features) {
      return bad(std::to_string(spec.feature_names.size()) + " feature names for " +
                 std::to_string(spec.num_features) + " features");
    }
    std::set<std::string> seen;
    for (const auto& name : spec.feature_names) {
      if (name.empty() || !seen.insert(name).second) {
        return bad("feature names must be non-empty and unique ('" + name + "')");
      }
    }
  }
  if (spec.objective.empty()) return bad("objective is empty");
  bool multi = multiclass_objective(spec.objective);
  if (multi && (spec.num_class < 2 || spec.num_class > kMaxForestClasses)) {
    return bad(spec.objective + " needs num_class in [2, " + std::to_string(kMaxForestClasses) +
               "]");
  }
  if (!multi && spec.num_class != 0) return bad("num_class is only for multi-class objectives");
  if (spec.rounds < 1 || spec.rounds > kMaxTrainRounds) {
    return bad("rounds must be in [1, " + std::to_string(kMaxTrainRounds) + "]");
  }
  if (spec.max_depth < 1 || spec.max_depth > kMaxTrainDepth) {
    return bad("max_depth must be in [1, " + std::to_string(kMaxTrainDepth) + "]");
  }
  if (!(spec.eta > 0 && spec.eta <= 1)) return bad("eta must be in (0, 1]");
  if (!(spec.holdout_fraction >= 0 && spec.holdout_fraction <= 0.9)) {
    return bad("holdout_fraction must be in [0, 0.9]");
  }
  if (spec.nthread < 1 || spec.nthread > 256) return bad("nthread must be in [1, 256]");
  if (spec.base_score && !std::isfinite(*spec.base_score)) return bad("base_score is not finite");
  if (!spec.holdout_indices.empty()) {
    const auto& h = spec.holdout_indices;
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (h[i] >= rows || (i > 0 && h[i] <= h[i - 1])) {
        return bad("holdout_indices must be ascending, distinct and below the row count");
      }
    }
    if (h.size() >= rows) return bad("holdout_indices leave no rows to train on");
  }
  auto& path = spec.model_path;
  if (path.size() < 6 || path.compare(path.size() - 5, 5, ".json") != 0) {
    return bad("model_path '" + path + "' must end in .json");
  }
  if (auto r = check_labels(spec); !r) return r.error();
  return rows;
}

// A uniform draw in [0, n) by rejection, so the split is the same on every platform.
std::uint64_t bounded(std::mt19937_64& rng, std::uint64_t n) {
  std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
  for (;;) {
    std::uint64_t x = rng();
    if (x >= threshold) return x % n;
  }
}

// Rows to hold out, ascending: the first share of a seeded Fisher-Yates permutation.
std::vector<std::size_t> holdout_rows(std::size_t rows, double fraction, std::uint64_t seed) {
  if (fraction <= 0) return {};
  auto count = static_cast<std::size_t>(std::llround(static_cast<double>(rows) * fraction));
  count = std::clamp<std::size_t>(count, 1, rows - 1);
  std::vector<std::size_t> order(rows);
  for (std::size_t i = 0; i < rows; ++i) order[i] = i;
  std::mt19937_64 rng(seed);
  for (std::size_t i = rows - 1; i > 0; --i) {
    std::swap(order[i], order[bounded(rng, i + 1)]);
  }
  order.resize(count);
  std::sort(order.begin(), order.end());
  return order;
}

struct Split {
  std::vector<float> features;
  std::vector<float> labels;
};

Split take_rows(const TrainSpec& spec, const std::vector<bool>& held_out, bool want_held_out) {
  Split out;
  for (std::size_t i = 0; i < spec.labels.size(); ++i) {
    if (held_out[i] != want_held_out) continue;
    auto row = spec.features.subspan(i * spec.num_features, spec.num_features);
    out.features.insert(out.features.end(), row.begin(), row.end());
    out.labels.push_back(spec.labels[i]);
  }
  return out;
}

Result<xgb::DMatrix> labelled_matrix(const Split& split, const TrainSpec& spec) {
  auto matrix = xgb::make_dmatrix(split.features, spec.num_features, spec.nthread);
  if (!matrix) return matrix.error();
  if (XGDMatrixSetFloatInfo(matrix->get(), "label", split.labels.data(), split.labels.size()) !=
      0) {
    return xgb::last_error(ErrorCode::invalid_argument, "train: labels");
  }
  if (!spec.feature_names.empty()) {
    std::vector<const char*> names;
    for (const auto& n : spec.feature_names) names.push_back(n.c_str());
    if (XGDMatrixSetStrFeatureInfo(matrix->get(), "feature_name", names.data(), names.size()) !=
        0) {
      return xgb::last_error(ErrorCode::invalid_argument, "train: feature names");
    }
  }
  return matrix;
}

std::string number_text(double v) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.17g", v);
  return text;
}

Result<void> set_params(BoosterHandle booster, const TrainSpec& spec) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"nthread", std::to_string(spec.nthread)},
      // XGBoost's seed parameter is a signed integer; the split uses all 64 bits.
      {"seed", std::to_string(spec.seed % 2147483648u)},
      {"objective", spec.objective},
      {"max_depth", std::to_string(spec.max_depth)},
      {"eta", number_text(spec.eta)},
      {"tree_method", spec.tree_method},
  };
  if (multiclass_objective(spec.objective)) {
    params.emplace_back("num_class", std::to_string(spec.num_class));
    params.emplace_back("eval_metric", "mlogloss");
  } else {
    params.emplace_back("eval_metric", binary_objective(spec.objective) ? "logloss" : "rmse");
  }
  if (spec.base_score) params.emplace_back("base_score", number_text(*spec.base_score));
  params.insert(params.end(), spec.extra_params.begin(), spec.extra_params.end());
  for (const auto& [name, value] : params) {
    if (XGBoosterSetParam(booster, name.c_str(), value.c_str()) != 0) {
      return xgb::last_error(ErrorCode::invalid_argument,
                             "train: XGBoost refuses " + name + "=" + value);
    }
  }
  return {};
}

Result<HoldoutMetrics> evaluate(BoosterHandle booster, const Split& holdout,
                                const TrainSpec& spec) {
  HoldoutMetrics m;
  m.rows = holdout.labels.size();
  if (m.rows == 0) return m;
  auto matrix = labelled_matrix(holdout, spec);
  if (!matrix) return matrix.error();
  bool softmax = spec.objective == "multi:softmax";  // predicts class indices otherwise
  std::string config = xgb::predict_config(softmax ? 1 : 0, false);
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  if (XGBoosterPredictFromDMatrix(booster, matrix->get(), config.c_str(), &shape, &dims, &result) !=
      0) {
    return xgb::last_error(ErrorCode::unavailable, "train: predicting the holdout");
  }
  std::size_t groups = multiclass_objective(spec.objective) ? spec.num_class : 1;
  std::vector<double> predictions(result, result + m.rows * groups);
  std::span<const float> labels = holdout.labels;
  if (groups > 1) {
    if (softmax) {
      for (std::size_t r = 0; r < m.rows; ++r) {
        double* row = predictions.data() + r * groups;
        double top = *std::max_element(row, row + groups);
        double total = 0;
        for (std::size_t g = 0; g < groups; ++g) total += row[g] = std::exp(row[g] - top);
        for (std::size_t g = 0; g < groups; ++g) row[g] /= total;
      }
    }
    m.multi_log_loss = multi_log_loss(predictions, labels, groups);
    m.accuracy = accuracy(predictions, labels, groups);
    return m;
  }
  m.rmse = rmse(predictions, labels);
  if (binary_objective(spec.objective)) {
    m.log_loss = log_loss(predictions, labels);
    bool zero_one =
        std::all_of(labels.begin(), labels.end(), [](float y) { return y == 0 || y == 1; });
    if (zero_one) {
      m.auc = roc_auc(predictions, labels);
      m.pr_auc = average_precision(predictions, labels);
    }
  }
  return m;
}

// Saves through a temporary file in the same directory and renames it into place.
Result<void> save_model(BoosterHandle booster, const std::string& path) {
  static std::atomic<unsigned> counter{0};
  fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  if (ec)
    return Error::io("train: cannot create " + target.parent_path().string() + ": " + ec.message());
  std::string temp = path.substr(0, path.size() - 5) + ".tmp-" + std::to_string(::getpid()) + "-" +
                     std::to_string(counter++) + ".json";
  if (XGBoosterSaveModel(booster, temp.c_str()) != 0) {
    fs::remove(temp, ec);
    return xgb::last_error(ErrorCode::io_error, "train: cannot write " + path);
  }
  fs::rename(temp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(temp, ignored);
    return Error::io("train: cannot move the model to " + path + ": " + ec.message());
  }
  return {};
}

}  // namespace

Result<TrainResult> train(const TrainSpec& spec) {
  auto rows = check_spec(spec);
  if (!rows) return rows.error();
  TrainResult out;
  out.model_path = spec.model_path;
  out.rounds = spec.rounds;
  out.holdout_indices = spec.holdout_indices.empty()
                            ? holdout_rows(*rows, spec.holdout_fraction, spec.seed)
                            : spec.holdout_indices;
  std::vector<bool> held_out(*rows, false);
  for (std::size_t i : out.holdout_indices) held_out[i] = true;
  Split training = take_rows(spec, held_out, false);
  Split holdout = take_rows(spec, held_out, true);
  out.train_rows = training.labels.size();
  out.holdout_rows = holdout.labels.size();

  auto dtrain = labelled_matrix(training, spec);
  if (!dtrain) return dtrain.error();
  DMatrixHandle cache[] = {dtrain->get()};
  BoosterHandle handle = nullptr;
  if (XGBoosterCreate(cache, 1, &handle) != 0) {
    return xgb::last_error(ErrorCode::unavailable, "train: cannot create a booster");
  }
  xgb::Booster booster(handle);
  if (auto r = set_params(handle, spec); !r) return r.error();
  if (!spec.feature_names.empty()) {
    // The booster does not take the names from the DMatrix by itself; set them so the
    // saved model carries them (learner.feature_names).
    std::vector<const char*> names;
    for (const auto& n : spec.feature_names) names.push_back(n.c_str());
    if (XGBoosterSetStrFeatureInfo(handle, "feature_name", names.data(), names.size()) != 0) {
      return xgb::last_error(ErrorCode::invalid_argument, "train: feature names");
    }
  }
  for (int i = 0; i < spec.rounds; ++i) {
    if (XGBoosterUpdateOneIter(handle, i, dtrain->get()) != 0) {
      return xgb::last_error(ErrorCode::invalid_argument,
                             "train: round " + std::to_string(i) + " failed");
    }
  }
  auto metrics = evaluate(handle, holdout, spec);
  if (!metrics) return metrics.error();
  out.holdout = *metrics;
  if (auto r = save_model(handle, spec.model_path); !r) return r.error();
  return out;
}

}  // namespace ledgerflow::plugins
