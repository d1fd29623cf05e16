// Shared by the forest_* and xgboost_* tests: seeded synthetic data (with NaNs and
// integer-valued columns, so rows land exactly on split thresholds) and XGBoost models
// trained once per test process with train(), in a temp dir that lives until exit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plugins/ml/trainer.h"

namespace ledgerflow::plugins::test {

enum class LabelKind { binary, regression, multiclass };

struct Dataset {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<float> x;  // rows x cols, NaN = missing (about 10%)
  std::vector<float> y;
};

Dataset make_dataset(LabelKind kind, std::size_t rows, std::size_t cols, std::uint64_t seed,
                     std::size_t classes = 3);

struct TrainedModel {
  std::string key;
  std::string path;  // model.json
  std::string objective;
  std::size_t num_features = 0;
  std::size_t num_class = 0;
  LabelKind kind = LabelKind::binary;
  std::size_t check_rows = 0;  // how many rows the equality test scores
  TrainResult result;
};

// Keys: "binary" (binary:logistic, depth 6 x 100 trees, 30 features, with feature names),
// "regression" (reg:squarederror), "reg_logistic" (base_score 0.3), "multi"
// (multi:softprob, 3 classes), "pruned" (exact + gamma: pruned, deleted nodes),
// and, for the C API path only, "dart", "gblinear", "poisson" (count:poisson).
const TrainedModel& trained_model(const std::string& key);
std::vector<std::string> native_model_keys();

// The file's text, and writing text to a path.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace ledgerflow::plugins::test
