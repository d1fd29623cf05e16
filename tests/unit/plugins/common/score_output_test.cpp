// plugins/common/score_output: the ordering of explanations and the logistic link that
// the linear, forest and XGBoost scorers share.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "plugins/common/score_output.h"

using ledgerflow::plugins::sigmoid;
using ledgerflow::plugins::top_magnitudes;

TEST_CASE("top_magnitudes orders by |value|, ties by position", "[unit][score_output]") {
  const std::vector<double> values = {0.5, -2.0, 0.0, 2.0, -0.5, 1.0};
  CHECK(top_magnitudes(values, 3, false) == std::vector<std::size_t>{1, 3, 5});
  CHECK(top_magnitudes(values, 10, false) == std::vector<std::size_t>{1, 3, 5, 0, 4, 2});
  CHECK(top_magnitudes(values, 10, true) == std::vector<std::size_t>{1, 3, 5, 0, 4});
  CHECK(top_magnitudes(values, 0, false).empty());
  CHECK(top_magnitudes(std::vector<double>{0.0, 0.0}, 5, true).empty());
}

TEST_CASE("sigmoid is the logistic function and never overflows", "[unit][score_output]") {
  CHECK(sigmoid(0) == 0.5);
  CHECK(sigmoid(2) == Approx(1.0 / (1.0 + std::exp(-2.0))));
  CHECK(sigmoid(-2) == Approx(1.0 - sigmoid(2)));
  CHECK(sigmoid(1000) == 1.0);
  CHECK(sigmoid(-1000) == 0.0);
  CHECK(std::isfinite(sigmoid(-std::numeric_limits<double>::max())));
}
