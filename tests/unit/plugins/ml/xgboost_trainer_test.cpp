// train(): byte-identical models for the same seed and data, a seeded holdout split,
// holdout metrics that match definitions computed by hand, and spec validation.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "plugins/forest/forest_scorer.h"
#include "plugins/ml/metrics.h"
#include "plugins/ml/trainer.h"
#include "support/temp_dir.h"
#include "unit/plugins/forest/forest_test_support.h"

using namespace ledgerflow::plugins;
using ledgerflow::ErrorCode;
using ledgerflow::test::TempDir;

namespace {

TrainSpec small_spec(const test::Dataset& data, const std::string& path) {
  TrainSpec spec;
  spec.features = data.x;
  spec.num_features = data.cols;
  spec.labels = data.y;
  spec.rounds = 20;
  spec.max_depth = 4;
  spec.seed = 11;
  spec.model_path = path;
  return spec;
}

}  // namespace

TEST_CASE("xgboost train: same seed and data give a byte-identical model", "[xgboost]") {
  TempDir dir;
  auto data = test::make_dataset(test::LabelKind::binary, 3000, 8, 5);
  auto spec = small_spec(data, dir.path("a/model.json"));
  auto a = train(spec);
  INFO((a.ok() ? "" : a.error().message));
  REQUIRE(a.ok());
  spec.model_path = dir.path("b/model.json");
  auto b = train(spec);
  REQUIRE(b.ok());
  std::string text_a = test::read_file(dir.path("a/model.json"));
  CHECK(!text_a.empty());
  CHECK(text_a == test::read_file(dir.path("b/model.json")));
  CHECK(a->holdout_indices == b->holdout_indices);

  spec.seed = 12;
  spec.model_path = dir.path("c/model.json");
  auto c = train(spec);
  REQUIRE(c.ok());
  CHECK(c->holdout_indices != a->holdout_indices);

  CHECK(a->train_rows == 2400);
  CHECK(a->holdout_rows == 600);
  CHECK(a->holdout.rows == 600);
  REQUIRE(a->holdout.auc);
  CHECK(*a->holdout.auc > 0.8);  // the data is learnable
  REQUIRE(a->holdout.pr_auc);
  CHECK(*a->holdout.pr_auc > 0.7);
  REQUIRE(a->holdout.log_loss);
  CHECK(*a->holdout.log_loss < 0.6);
  CHECK_FALSE(a->holdout.multi_log_loss);
  // No temporary files are left behind.
  std::size_t files = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.path())) {
    files += e.is_regular_file();
  }
  CHECK(files == 3);
}

TEST_CASE("xgboost train: holdout metrics match a recomputation", "[xgboost]") {
  TempDir dir;
  auto data = test::make_dataset(test::LabelKind::binary, 2000, 6, 8);
  auto spec = small_spec(data, dir.path("model.json"));
  auto result = train(spec);
  REQUIRE(result.ok());
  auto scorer = ForestScorer::load(spec.model_path);
  REQUIRE(scorer.ok());
  std::vector<float> rows;
  std::vector<float> labels;
  for (std::size_t i : result->holdout_indices) {
    rows.insert(rows.end(), data.x.begin() + static_cast<std::ptrdiff_t>(i * 6),
                data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * 6));
    labels.push_back(data.y[i]);
  }
  std::vector<double> p(labels.size());
  REQUIRE((*scorer)->predict(rows, p).ok());
  CHECK(*result->holdout.auc == Approx(*roc_auc(p, labels)).epsilon(1e-6));
  CHECK(*result->holdout.log_loss == Approx(*log_loss(p, labels)).epsilon(1e-6));
}

TEST_CASE("xgboost train: other objectives report their metrics", "[xgboost]") {
  TempDir dir;
  auto reg = test::make_dataset(test::LabelKind::regression, 1500, 5, 9);
  auto spec = small_spec(reg, dir.path("reg.json"));
  spec.objective = "reg:squarederror";
  auto r = train(spec);
  REQUIRE(r.ok());
  REQUIRE(r->holdout.rmse);
  CHECK_FALSE(r->holdout.auc);

  auto multi = test::make_dataset(test::LabelKind::multiclass, 1500, 5, 10);
  spec = small_spec(multi, dir.path("multi.json"));
  spec.objective = "multi:softprob";
  spec.num_class = 3;
  auto m = train(spec);
  REQUIRE(m.ok());
  REQUIRE(m->holdout.multi_log_loss);
  REQUIRE(m->holdout.accuracy);
  CHECK(*m->holdout.accuracy > 0.5);

  spec.holdout_fraction = 0;
  spec.model_path = dir.path("all.json");
  auto all = train(spec);
  REQUIRE(all.ok());
  CHECK(all->holdout_rows == 0);
  CHECK(all->train_rows == 1500);
  CHECK_FALSE(all->holdout.multi_log_loss);
}

TEST_CASE("xgboost train: bad specs are refused", "[xgboost]") {
  TempDir dir;
  auto data = test::make_dataset(test::LabelKind::binary, 100, 4, 1);
  auto check = [&](auto edit, const std::string& expected) {
    auto spec = small_spec(data, dir.path("m.json"));
    std::vector<float> labels = data.y;
    spec.labels = labels;
    edit(spec, labels);
    auto r = train(spec);
    INFO(expected);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(r.error().message, Catch::Contains(expected));
  };
  check([](TrainSpec& s, auto&) { s.num_features = 5; }, "feature values for 100 rows of 5");
  check([](TrainSpec& s, auto&) { s.model_path = "model.ubj"; }, "must end in .json");
  check([](TrainSpec& s, auto&) { s.rounds = 0; }, "rounds must be in");
  check([](TrainSpec& s, auto&) { s.max_depth = 100; }, "max_depth must be in");
  check([](TrainSpec& s, auto&) { s.holdout_fraction = 0.95; }, "holdout_fraction");
  check([](TrainSpec&, auto& labels) { labels[3] = 2; }, "labels[3] = 2.000000");
  check([](TrainSpec&, auto& labels) { labels[4] = std::nanf(""); }, "labels[4] is not finite");
  check([](TrainSpec& s, auto&) { s.objective = "multi:softprob"; }, "needs num_class");
  check([](TrainSpec& s, auto&) { s.feature_names = {"a", "a", "b", "c"}; }, "unique");
  check([](TrainSpec& s, auto&) { s.objective = "binary:nonsense"; }, "nonsense");
}

TEST_CASE("metrics: definitions on small cases", "[xgboost]") {
  // Scores 0.9 0.8 0.8 0.3 for labels 1 0 1 0: pairs (pos, neg) = (0.9, 0.8) win,
  // (0.9, 0.3) win, (0.8, 0.8) tie, (0.8, 0.3) win -> 3.5 / 4.
  std::vector<double> s = {0.9, 0.8, 0.8, 0.3};
  std::vector<float> y = {1, 0, 1, 0};
  CHECK(*roc_auc(s, y) == Approx(0.875));
  // Thresholds: 0.9 -> P 1/1, R 1/2; 0.8 -> P 2/3, R 1; 0.3 -> R 1.
  CHECK(*average_precision(s, y) == Approx(0.5 * 1 + 0.5 * (2.0 / 3)));
  CHECK(*log_loss(std::vector<double>{0.5, 0.5}, std::vector<float>{1, 0}) ==
        Approx(std::log(2.0)));
  CHECK(*rmse(std::vector<double>{1, 3}, std::vector<float>{2, 2}) == Approx(1.0));
  CHECK_FALSE(roc_auc(s, std::vector<float>{1, 1, 1, 1}));
  std::vector<double> probs = {0.7, 0.2, 0.1, 0.1, 0.1, 0.8};
  std::vector<float> cls = {0, 2};
  CHECK(*multi_log_loss(probs, cls, 3) == Approx(-(std::log(0.7) + std::log(0.8)) / 2));
  CHECK(*accuracy(probs, cls, 3) == 1.0);
}
