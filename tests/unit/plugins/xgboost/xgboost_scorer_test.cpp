// XgboostScorer: the C API path agrees with itself across threads (prediction is
// thread-safe in libxgboost >= 1.4), reports ModelInfo like the native path, and its
// explanations add up to its margins.
#include <catch2/catch.hpp>

#include <cmath>
#include <thread>
#include <vector>

#include "plugins/forest/forest_scorer.h"
#include "plugins/xgboost/xgboost_scorer.h"
#include "unit/plugins/forest/forest_test_support.h"

using namespace ledgerflow::plugins;
using ledgerflow::plugins::test::trained_model;

TEST_CASE("xgboost scorer: concurrent scoring from 4 threads", "[xgboost]") {
  const auto& m = trained_model("binary");
  auto s = XgboostScorer::load(m.path);
  REQUIRE(s.ok());
  const auto& scorer = **s;
  auto data = test::make_dataset(m.kind, 200, m.num_features, 31);
  std::vector<double> expected(200);
  REQUIRE(scorer.predict(data.x, expected).ok());
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (std::size_t i = 0; i < 200; ++i) {
          std::vector<double> x(
              data.x.begin() + static_cast<std::ptrdiff_t>(i * m.num_features),
              data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * m.num_features));
          auto r = scorer.score(x, (i + static_cast<std::size_t>(t)) % 7 == 0 ? 3 : 0);
          if (!r.ok() || std::fabs(r->score - expected[i]) > 1e-7) ++failures[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) CHECK(f == 0);
}

TEST_CASE("xgboost scorer: info and explanations match the native path", "[xgboost][forest]") {
  const auto& m = trained_model("multi");
  TreeModelOptions options;
  options.name = "risk";
  options.version = "4";
  options.classes = {"a", "b", "c"};
  auto xgb = XgboostScorer::load(m.path, options);
  auto native = ForestScorer::load(m.path, options);
  REQUIRE((xgb.ok() && native.ok()));
  CHECK((*xgb)->info().name == "risk");
  CHECK((*xgb)->info().version == "4");
  CHECK((*xgb)->info().features == (*native)->info().features);
  CHECK((*xgb)->info().objective == "multi:softprob");
  auto data = test::make_dataset(m.kind, 25, m.num_features, 32);
  for (std::size_t i = 0; i < 25; ++i) {
    std::vector<double> x(data.x.begin() + static_cast<std::ptrdiff_t>(i * m.num_features),
                          data.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * m.num_features));
    auto a = (*xgb)->score(x, 5);
    auto b = (*native)->score(x, 5);
    REQUIRE((a.ok() && b.ok()));
    CHECK(a->label == b->label);
    CHECK(std::fabs(a->bias - b->bias) < 1e-5);
    REQUIRE(a->contributions.size() == b->contributions.size());
    for (std::size_t k = 0; k < a->contributions.size(); ++k) {
      CHECK(std::fabs(a->contributions[k].value - b->contributions[k].value) < 1e-5);
    }
  }
}
