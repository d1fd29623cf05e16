// ForestScorer against XGBoost itself: on five trained models (binary:logistic depth 6 x
// 100 trees on 30 features, reg:squarederror, reg:logistic with base_score 0.3,
// multi:softprob with 3 classes, and an exact-method model with pruned nodes), the native
// margins equal the C API's bit for bit and the outputs within 1e-6, on 110,000 fresh
// rows with NaNs and values exactly on thresholds; score() agrees with the batch path.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>
#include <vector>

#include "plugins/forest/forest_scorer.h"
#include "plugins/forest/xgboost_json.h"
#include "plugins/xgboost/xgboost_scorer.h"
#include "unit/plugins/forest/forest_test_support.h"

using namespace ledgerflow::plugins;
using ledgerflow::plugins::test::trained_model;

namespace {

std::unique_ptr<ForestScorer> native(const std::string& path) {
  auto s = ForestScorer::load(path);
  INFO(path << ": " << (s.ok() ? "" : s.error().message));
  REQUIRE(s.ok());
  return std::move(*s);
}

std::unique_ptr<XgboostScorer> capi(const std::string& path) {
  auto s = XgboostScorer::load(path);
  INFO(path << ": " << (s.ok() ? "" : s.error().message));
  REQUIRE(s.ok());
  return std::move(*s);
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double worst = 0;
  for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::fabs(a[i] - b[i]));
  return worst;
}

}  // namespace

TEST_CASE("forest: predictions equal XGBoost's on 110k rows of 5 models", "[forest][xgboost]") {
  std::size_t total_rows = 0;
  for (const auto& key : test::native_model_keys()) {
    const auto& m = trained_model(key);
    INFO("model " << key);
    auto forest = native(m.path);
    auto xgb = capi(m.path);
    REQUIRE(forest->outputs_per_row() == xgb->outputs_per_row());
    auto data = test::make_dataset(m.kind, m.check_rows, m.num_features, 99 + key.size());
    std::size_t outputs = m.check_rows * forest->outputs_per_row();

    std::vector<double> native_margin(outputs), xgb_margin(outputs);
    REQUIRE(forest->predict(data.x, native_margin, PredictKind::margin).ok());
    REQUIRE(xgb->predict(data.x, xgb_margin, PredictKind::margin).ok());
    // Margins are float32 sums in the same order: they must be identical.
    std::size_t different = 0;
    for (std::size_t i = 0; i < outputs; ++i) different += native_margin[i] != xgb_margin[i];
    CHECK(different == 0);
    CHECK(max_abs_diff(native_margin, xgb_margin) <= 1e-6);

    std::vector<double> native_value(outputs), xgb_value(outputs);
    REQUIRE(forest->predict(data.x, native_value).ok());
    REQUIRE(xgb->predict(data.x, xgb_value).ok());
    CHECK(max_abs_diff(native_value, xgb_value) <= 1e-6);
    total_rows += m.check_rows;

    // The single-row path (doubles in, via score()) agrees with the batch path.
    for (std::size_t r = 0; r < 200; ++r) {
      std::vector<double> row(
          data.x.begin() + static_cast<std::ptrdiff_t>(r * m.num_features),
          data.x.begin() + static_cast<std::ptrdiff_t>((r + 1) * m.num_features));
      auto a = forest->score(row, 0);
      auto b = xgb->score(row, 0);
      REQUIRE((a.ok() && b.ok()));
      CHECK(std::fabs(a->score - b->score) <= 1e-6);
      CHECK(a->label == b->label);
      CHECK(a->probability.has_value() == b->probability.has_value());
      if (m.objective != "multi:softprob") {
        CHECK(a->score == native_value[r]);
      }
    }
  }
  CHECK(total_rows >= 100'000);
}

TEST_CASE("forest: outputs per objective", "[forest]") {
  const auto& binary = trained_model("binary");
  auto b = native(binary.path);
  CHECK(b->info().kind == "forest");
  CHECK(b->info().objective == "binary:logistic");
  REQUIRE(b->info().features.size() == 30);
  CHECK(b->info().features[3] == "x3");  // the model's own feature_names
  std::vector<double> row(30, std::numeric_limits<double>::quiet_NaN());
  auto r = b->score(row, 0);
  REQUIRE(r.ok());
  REQUIRE(r->probability);
  CHECK(*r->probability == r->score);
  CHECK(r->label.empty());
  CHECK(r->contributions.empty());

  const auto& regression = trained_model("regression");
  auto g = native(regression.path);
  CHECK(g->info().features[0] == "f0");  // no names in the file: XGBoost's defaults
  auto rr = g->score(std::vector<double>(12, 1.0), 0);
  REQUIRE(rr.ok());
  CHECK_FALSE(rr->probability);

  const auto& multi = trained_model("multi");
  TreeModelOptions options;
  options.classes = {"low", "mid", "high"};
  auto loaded = ForestScorer::load(multi.path, options);
  REQUIRE(loaded.ok());
  auto& mc = **loaded;
  auto data = test::make_dataset(multi.kind, 50, 12, 5);
  std::vector<double> probabilities(50 * 3);
  REQUIRE(mc.predict(data.x, probabilities).ok());
  for (std::size_t i = 0; i < 50; ++i) {
    std::vector<double> x(data.x.begin() + static_cast<std::ptrdiff_t>(i * 12),
                          data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * 12));
    auto s = mc.score(x, 0);
    REQUIRE(s.ok());
    const double* p = probabilities.data() + i * 3;
    CHECK(std::fabs(p[0] + p[1] + p[2] - 1) < 1e-12);
    std::size_t best = p[1] > p[0] ? (p[2] > p[1] ? 2 : 1) : (p[2] > p[0] ? 2 : 0);
    CHECK(s->label == options.classes[best]);
    CHECK(s->score == p[best]);
    REQUIRE(s->probability);
  }
}

TEST_CASE("forest: labels from options, threshold checks", "[forest]") {
  const auto& m = trained_model("reg_logistic");
  TreeModelOptions options;
  options.labels = ScoreLabels{0.5, "high", "low"};
  auto s = ForestScorer::load(m.path, options);
  REQUIRE(s.ok());
  auto data = test::make_dataset(m.kind, 20, m.num_features, 3);
  for (std::size_t i = 0; i < 20; ++i) {
    std::vector<double> x(data.x.begin() + static_cast<std::ptrdiff_t>(i * m.num_features),
                          data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * m.num_features));
    auto r = (*s)->score(x, 0);
    REQUIRE(r.ok());
    CHECK_FALSE(r->probability);  // reg:logistic is a regression onto (0, 1)
    CHECK(r->label == (r->score >= 0.5 ? "high" : "low"));
  }
  options.labels->threshold = 1.5;
  auto bad = ForestScorer::load(m.path, options);
  REQUIRE_FALSE(bad.ok());
  CHECK_THAT(bad.error().message, Catch::Contains("probability in [0, 1]"));
  TreeModelOptions classes;
  classes.classes = {"a", "b"};
  auto no_classes = ForestScorer::load(m.path, classes);
  REQUIRE_FALSE(no_classes.ok());
  CHECK_THAT(no_classes.error().message, Catch::Contains("has no classes"));
}

TEST_CASE("forest: pruned trees keep deleted nodes, which are skipped", "[forest]") {
  const auto& m = trained_model("pruned");
  auto doc = read_xgboost_json(m.path);
  REQUIRE(doc.ok());
  std::size_t deleted = 0;
  for (const auto& tree : (*doc)["learner"]["gradient_booster"]["model"]["trees"]) {
    deleted += std::stoul(tree["tree_param"]["num_deleted"].get<std::string>());
  }
  CHECK(deleted > 0);  // else this model does not test what it is for
}

TEST_CASE("forest: concurrent scoring from 4 threads", "[forest]") {
  const auto& m = trained_model("multi");
  auto s = ForestScorer::load(m.path);
  REQUIRE(s.ok());
  const auto& scorer = **s;
  auto data = test::make_dataset(m.kind, 300, m.num_features, 33);
  std::vector<double> expected(300 * 3);
  REQUIRE(scorer.predict(data.x, expected).ok());
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < 300; ++i) {
        std::vector<double> x(
            data.x.begin() + static_cast<std::ptrdiff_t>(i * m.num_features),
            data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * m.num_features));
        auto r = scorer.score(x, (i + static_cast<std::size_t>(t)) % 5 == 0 ? 4 : 0);
        if (!r.ok()) {
          ++failures[t];
          continue;
        }
        const double* p = expected.data() + i * 3;
        if (r->score != *std::max_element(p, p + 3)) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) CHECK(f == 0);
}
