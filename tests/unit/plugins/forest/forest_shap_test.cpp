// Native TreeSHAP against XGBoost's pred_contribs on every trained model (within 1e-5),
// the additivity of the explanation (sum of contributions + bias = margin), and what
// score() reports: top-K order, the bias, the explained class of a multi-class model.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "plugins/forest/forest_scorer.h"
#include "plugins/forest/tree_shap.h"
#include "plugins/xgboost/xgboost_scorer.h"
#include "unit/plugins/forest/forest_test_support.h"

using namespace ledgerflow::plugins;
using ledgerflow::plugins::test::trained_model;

TEST_CASE("forest: TreeSHAP equals XGBoost's pred_contribs", "[forest][xgboost]") {
  for (const auto& key : test::native_model_keys()) {
    const auto& m = trained_model(key);
    INFO("model " << key);
    auto forest = ForestScorer::load(m.path);
    auto xgb = XgboostScorer::load(m.path);
    REQUIRE((forest.ok() && xgb.ok()));
    const std::size_t rows = 1500;
    auto data = test::make_dataset(m.kind, rows, m.num_features, 4242 + key.size());
    const std::size_t groups = (*forest)->outputs_per_row();
    const std::size_t width = m.num_features + 1;
    std::vector<double> mine(rows * groups * width), theirs(rows * groups * width);
    REQUIRE((*forest)->contributions(data.x, mine).ok());
    REQUIRE((*xgb)->contributions(data.x, theirs).ok());
    double worst = 0;
    for (std::size_t i = 0; i < mine.size(); ++i) {
      worst = std::max(worst, std::fabs(mine[i] - theirs[i]));
    }
    CHECK(worst <= 1e-5);

    // Additivity: per row and group, contributions + bias = the margin.
    std::vector<double> margins(rows * groups);
    REQUIRE((*forest)->predict(data.x, margins, PredictKind::margin).ok());
    double gap = 0;
    for (std::size_t r = 0; r < rows * groups; ++r) {
      double sum = 0;
      for (std::size_t f = 0; f < width; ++f) sum += mine[r * width + f];
      gap = std::max(gap, std::fabs(sum - margins[r]));
    }
    CHECK(gap <= 1e-5);
  }
}

TEST_CASE("forest: score() explanations", "[forest]") {
  const auto& m = trained_model("binary");
  auto s = ForestScorer::load(m.path);
  REQUIRE(s.ok());
  const auto& scorer = **s;
  auto data = test::make_dataset(m.kind, 30, m.num_features, 77);
  for (std::size_t i = 0; i < 30; ++i) {
    std::vector<double> x(data.x.begin() + static_cast<std::ptrdiff_t>(i * 30),
                          data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * 30));
    auto all = scorer.score(x, 1000);
    auto top = scorer.score(x, 3);
    REQUIRE((all.ok() && top.ok()));
    CHECK(top->contributions.size() == 3);
    CHECK(all->contributions.size() <= 30);
    for (std::size_t k = 0; k < 3; ++k) {
      CHECK(top->contributions[k].feature == all->contributions[k].feature);
    }
    for (std::size_t k = 1; k < all->contributions.size(); ++k) {
      CHECK(std::fabs(all->contributions[k - 1].value) >= std::fabs(all->contributions[k].value));
      CHECK(all->contributions[k].value != 0);
    }
    double margin = all->bias;
    for (const auto& c : all->contributions) margin += c.value;
    double p = 1 / (1 + std::exp(-margin));
    CHECK(std::fabs(p - all->score) < 1e-5);
    CHECK(all->bias == top->bias);
  }
}

TEST_CASE("forest: a multi-class explanation is the predicted class's", "[forest]") {
  const auto& m = trained_model("multi");
  auto s = ForestScorer::load(m.path);
  REQUIRE(s.ok());
  auto data = test::make_dataset(m.kind, 40, m.num_features, 78);
  const std::size_t width = m.num_features;
  for (std::size_t i = 0; i < 40; ++i) {
    std::span<const float> row(data.x.data() + i * width, width);
    std::vector<double> x(row.begin(), row.end());
    auto r = (*s)->score(x, width);
    REQUIRE(r.ok());
    std::size_t k = std::stoul(r->label);
    std::vector<double> margins(3);
    REQUIRE((*s)->predict(row, margins, PredictKind::margin).ok());
    double total = r->bias;
    for (const auto& c : r->contributions) total += c.value;
    CHECK(std::fabs(total - margins[k]) < 1e-5);
  }
}

TEST_CASE("forest: TreeSHAP by hand on a stump and a two-level tree", "[forest]") {
  // f(x) = x0 < 0 ? 1 : 3 with covers 1 and 3: E[f] = (1*1 + 3*3) / 4 = 2.5;
  // phi_0 = f(x) - E[f].
  ForestModel model;
  model.objective = ForestObjective::reg_squarederror;
  model.objective_name = "reg:squarederror";
  model.num_features = 2;
  model.nodes = {{0.0f, 0u, 1u}, {1.0f, ForestNode::kLeaf, 0u}, {3.0f, ForestNode::kLeaf, 0u}};
  model.covers = {4, 1, 3};
  model.roots = {0};
  model.groups = {0};
  model.depths = {1};
  model.expected_values = {2.5};
  model.max_depth = 1;
  TreeShap shap(model);
  std::vector<double> phi(3, 0.0);
  std::vector<float> left = {-1.0f, 5.0f};
  shap.explain(left, 0, phi);
  CHECK(phi[0] == Approx(1 - 2.5));
  CHECK(phi[1] == 0);
  CHECK(phi[2] == Approx(2.5));

  // Two features, AND-like: x0 < 0 -> (x1 < 0 -> 0 : 4) ; else 0, equal covers.
  // For x = (-1, 1), f = 4, E[f] = 1; by symmetry phi_0 = phi_1 = 1.5.
  model.nodes = {{0.0f, 0u, 1u},
                 {0.0f, 1u, 3u},
                 {0.0f, ForestNode::kLeaf, 0u},
                 {0.0f, ForestNode::kLeaf, 0u},
                 {4.0f, ForestNode::kLeaf, 0u}};
  model.covers = {4, 2, 2, 1, 1};
  model.expected_values = {1.0};
  model.depths = {2};
  model.max_depth = 2;
  TreeShap shap2(model);
  std::fill(phi.begin(), phi.end(), 0.0);
  std::vector<float> x = {-1.0f, 1.0f};
  shap2.explain(x, 0, phi);
  CHECK(phi[0] == Approx(1.5));
  CHECK(phi[1] == Approx(1.5));
  CHECK(phi[2] == Approx(1.0));
}
