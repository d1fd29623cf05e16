#include "unit/plugins/forest/forest_test_support.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>

#include "support/temp_dir.h"

namespace ledgerflow::plugins::test {
namespace {

// Uniform in [0, 1) from 53 random bits: the same on every standard library.
double uniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

double normal(std::mt19937_64& rng) {
  double u = uniform(rng);
  double v = uniform(rng);
  return std::sqrt(-2.0 * std::log1p(-u)) * std::cos(6.283185307179586 * v);
}

struct Recipe {
  std::string objective;
  LabelKind kind = LabelKind::binary;
  std::size_t cols = 0;
  std::size_t rows = 0;
  int rounds = 0;
  int depth = 0;
  std::size_t check_rows = 0;
  std::size_t num_class = 0;
  std::optional<double> base_score;
  std::string tree_method = "hist";
  std::vector<std::pair<std::string, std::string>> extra;
  bool names = false;
};

Recipe recipe(std::string objective, LabelKind kind, std::size_t cols, std::size_t rows, int rounds,
              int depth, std::size_t check_rows) {
  Recipe r;
  r.objective = std::move(objective);
  r.kind = kind;
  r.cols = cols;
  r.rows = rows;
  r.rounds = rounds;
  r.depth = depth;
  r.check_rows = check_rows;
  return r;
}

std::map<std::string, Recipe> recipes() {
  std::map<std::string, Recipe> r;
  r["binary"] = recipe("binary:logistic", LabelKind::binary, 30, 12000, 100, 6, 50000);
  r["binary"].names = true;
  r["regression"] = recipe("reg:squarederror", LabelKind::regression, 12, 6000, 60, 5, 20000);
  r["reg_logistic"] = recipe("reg:logistic", LabelKind::binary, 10, 6000, 40, 4, 15000);
  r["reg_logistic"].base_score = 0.3;
  r["multi"] = recipe("multi:softprob", LabelKind::multiclass, 12, 6000, 30, 4, 15000);
  r["multi"].num_class = 3;
  r["pruned"] = recipe("binary:logistic", LabelKind::binary, 15, 3000, 30, 6, 10000);
  r["pruned"].tree_method = "exact";
  r["pruned"].extra = {{"gamma", "2"}, {"min_child_weight", "0.5"}};
  r["dart"] = recipe("binary:logistic", LabelKind::binary, 8, 2000, 10, 3, 0);
  r["dart"].extra = {{"booster", "dart"}, {"rate_drop", "0.2"}};
  r["gblinear"] = recipe("binary:logistic", LabelKind::binary, 8, 2000, 10, 3, 0);
  r["gblinear"].extra = {{"booster", "gblinear"}};
  r["poisson"] = recipe("count:poisson", LabelKind::regression, 8, 2000, 10, 3, 0);
  return r;
}

}  // namespace

Dataset make_dataset(LabelKind kind, std::size_t rows, std::size_t cols, std::uint64_t seed,
                     std::size_t classes) {
  std::mt19937_64 rng(seed);
  Dataset d;
  d.rows = rows;
  d.cols = cols;
  d.x.resize(rows * cols);
  d.y.resize(rows);
  for (std::size_t i = 0; i < rows; ++i) {
    double signal = 0;
    for (std::size_t j = 0; j < cols; ++j) {
      double v = 0;
      switch (j % 3) {
        case 0:
          v = normal(rng);
          break;
        case 1:
          v = std::floor(uniform(rng) * 10);
          break;  // integers: rows hit thresholds
        default:
          v = std::exp(normal(rng)) - 1;
          break;
      }
      bool missing = uniform(rng) < 0.1;
      d.x[i * cols + j] = missing ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(v);
      if (!missing) {
        double w = (j % 5 == 0 ? 1.0 : 0.3) * (j % 2 == 0 ? 1 : -1);
        signal += w * (j % 3 == 1 ? (v - 4.5) / 3 : std::tanh(v));
      }
    }
    if (cols > 3 && !std::isnan(d.x[i * cols]) && !std::isnan(d.x[i * cols + 1])) {
      signal += 0.8 * d.x[i * cols] * (d.x[i * cols + 1] > 4 ? 1 : -1);  // an interaction
    }
    double noisy = signal + 0.5 * normal(rng);
    switch (kind) {
      case LabelKind::binary:
        d.y[i] = noisy > 0 ? 1.0f : 0.0f;
        break;
      case LabelKind::regression:
        d.y[i] = static_cast<float>(std::fabs(noisy) * 2);
        break;
      case LabelKind::multiclass:
        d.y[i] = noisy < -0.7 ? 0.0f : (noisy < 0.7 ? 1.0f : static_cast<float>(classes - 1));
        break;
    }
  }
  return d;
}

std::vector<std::string> native_model_keys() {
  return {"binary", "regression", "reg_logistic", "multi", "pruned"};
}

const TrainedModel& trained_model(const std::string& key) {
  static std::mutex mu;
  static ::ledgerflow::test::TempDir dir;
  static std::map<std::string, TrainedModel> models;
  std::lock_guard lock(mu);
  if (auto it = models.find(key); it != models.end()) return it->second;
  auto all = recipes();
  auto recipe = all.find(key);
  REQUIRE(recipe != all.end());
  const Recipe& r = recipe->second;
  Dataset data = make_dataset(r.kind, r.rows, r.cols, 1000 + key.size(), 3);
  TrainSpec spec;
  spec.features = data.x;
  spec.num_features = r.cols;
  spec.labels = data.y;
  spec.objective = r.objective;
  spec.num_class = r.num_class;
  spec.rounds = r.rounds;
  spec.max_depth = r.depth;
  spec.seed = 7;
  spec.base_score = r.base_score;
  spec.tree_method = r.tree_method;
  spec.extra_params = r.extra;
  if (r.names) {
    for (std::size_t j = 0; j < r.cols; ++j) spec.feature_names.push_back("x" + std::to_string(j));
  }
  spec.model_path = dir.path(key + "/model.json");
  auto result = train(spec);
  INFO(key << ": " << (result.ok() ? "" : result.error().message));
  REQUIRE(result.ok());
  TrainedModel m;
  m.key = key;
  m.path = spec.model_path;
  m.objective = r.objective;
  m.num_features = r.cols;
  m.num_class = r.num_class;
  m.kind = r.kind;
  m.check_rows = r.check_rows;
  m.result = std::move(*result);
  return models.emplace(key, std::move(m)).first->second;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace ledgerflow::plugins::test
