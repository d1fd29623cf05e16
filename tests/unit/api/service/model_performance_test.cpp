// Realised-accuracy figures: AUC with ties, accuracy at 0.5, Brier score, regressions.
#include <catch2/catch.hpp>

#include "api/service/model_performance.h"

using ledgerflow::api::performance_by_version;
using ledgerflow::rt::ScoredOutcome;

TEST_CASE("model performance: binary and regression figures per version", "[unit][performance]") {
  std::vector<ScoredOutcome> rows = {
      {"2", 1, 0.9}, {"2", 0, 0.1},    {"2", 1, 0.4},    {"2", 0, 0.4},
      {"2", 0, 0.6}, {"10", 3.5, 3.0}, {"10", 1.0, 2.0}, {"1", 1, 0.8},
  };
  auto v = performance_by_version(rows);
  REQUIRE(v.size() == 3);
  CHECK(v[0]["version"] == "1");
  CHECK(v[0]["auc"].is_null());  // one class only
  CHECK(v[1]["version"] == "2");
  CHECK(v[1]["kind"] == "binary");
  CHECK(v[1]["count"] == 5);
  CHECK(v[1]["positives"] == 2);
  // Pairs (pos, neg): 0.9 beats all 3; 0.4 beats 0.1, ties 0.4 (half), loses to 0.6.
  CHECK(v[1]["auc"].get<double>() == Approx((3 + 1.5) / 6.0));
  CHECK(v[1]["accuracy"].get<double>() == Approx(3 / 5.0));  // 0.9, 0.1, 0.4(neg) right
  CHECK(v[1]["brier"].get<double>() == Approx((0.01 + 0.01 + 0.36 + 0.16 + 0.36) / 5.0));
  CHECK(v[2]["version"] == "10");
  CHECK(v[2]["kind"] == "regression");
  CHECK(v[2]["mae"].get<double>() == Approx(0.75));
}
