// LinearScorer: probabilities and raw scores against values computed by hand,
// contributions (order, top-K, ties), missing values, standardisation, width errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "plugins/logistic/linear_scorer.h"

using ledgerflow::ErrorCode;
using ledgerflow::plugins::LinearScorer;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

json model(const std::string& kind, json features, double intercept) {
  return {{"format", "ledgerflow-linear/1"},
          {"kind", kind},
          {"name", "risk"},
          {"version", "1"},
          {"features", features},
          {"intercept", intercept}};
}

std::unique_ptr<LinearScorer> make(const json& doc) {
  auto scorer = LinearScorer::from_json(doc);
  INFO((scorer.ok() ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  return std::move(*scorer);
}

ledgerflow::scoring::ScoreResult score(const LinearScorer& s, std::vector<double> x,
                                       std::size_t k = 0) {
  auto r = s.score(x, k);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return *r;
}

}  // namespace

TEST_CASE("logistic: probability of known coefficients", "[unit][plugins]") {
  auto doc =
      model("logistic",
            {{{"name", "amount"}, {"coef", 0.002}}, {{"name", "days_late"}, {"coef", -0.5}}}, -1.0);
  doc["labels"] = {{"threshold", 0.5}, {"above", "high"}, {"below", "low"}};
  auto scorer = make(doc);

  // raw = -1 + 0.002 * 1500 - 0.5 * 0 = 2;  1 / (1 + e^-2) = 0.88079707797788...
  auto r = score(*scorer, {1500, 0});
  CHECK(r.score == Approx(0.8807970779778823).epsilon(1e-14));
  REQUIRE(r.probability.has_value());
  CHECK(*r.probability == r.score);
  CHECK(r.label == "high");
  CHECK(r.bias == -1.0);
  CHECK(r.contributions.empty());  // K = 0

  // raw = -1 + 2 - 1 = 0 -> exactly one half, and the threshold is inclusive.
  auto half = score(*scorer, {1000, 2});
  CHECK(half.score == 0.5);
  CHECK(half.label == "high");
  CHECK(score(*scorer, {0, 0}).label == "low");  // raw -1: 0.2689...

  const auto& info = scorer->info();
  CHECK(info.name == "risk");
  CHECK(info.version == "1");
  CHECK(info.kind == "logistic");
  CHECK(info.objective == "binary:logistic");
  CHECK(info.features == std::vector<std::string>{"amount", "days_late"});
}

TEST_CASE("logistic: stable for very large |raw|", "[unit][plugins]") {
  auto scorer = make(model("logistic", {{{"name", "x"}, {"coef", 1.0}}}, 0));
  auto high = score(*scorer, {800});
  auto low = score(*scorer, {-800});
  CHECK(high.score == 1.0);
  CHECK(std::isfinite(low.score));
  CHECK(low.score >= 0.0);
  CHECK(low.score < 1e-300);
  CHECK(score(*scorer, {-30}).score == Approx(9.357622968840175e-14).epsilon(1e-12));
}

TEST_CASE("contributions: largest |value| first, top K, bias", "[unit][plugins]") {
  auto scorer = make(model("logistic",
                           {{{"name", "a"}, {"coef", 1.0}},
                            {{"name", "b"}, {"coef", -3.0}},
                            {{"name", "c"}, {"coef", 0.5}},
                            {{"name", "d"}, {"coef", 2.0}}},
                           0.25));
  auto top2 = score(*scorer, {1, 1, 1, 1}, 2);
  REQUIRE(top2.contributions.size() == 2);
  CHECK(top2.contributions[0].feature == "b");
  CHECK(top2.contributions[0].value == -3.0);
  CHECK(top2.contributions[1].feature == "d");
  CHECK(top2.contributions[1].value == 2.0);

  auto all = score(*scorer, {1, 1, 1, 1}, 50);  // K above the width gives every feature
  REQUIRE(all.contributions.size() == 4);
  CHECK(all.contributions[2].feature == "a");
  CHECK(all.contributions[3].feature == "c");
  // bias + sum of contributions = raw = logit(probability)
  double raw = all.bias;
  for (const auto& c : all.contributions) raw += c.value;
  CHECK(raw == 0.75);
  CHECK(std::log(all.score / (1 - all.score)) == Approx(raw).epsilon(1e-12));
}

TEST_CASE("contributions: equal magnitudes keep input order", "[unit][plugins]") {
  auto scorer = make(model("linear",
                           {{{"name", "a"}, {"coef", 1.0}},
                            {{"name", "b"}, {"coef", -1.0}},
                            {{"name", "c"}, {"coef", 1.0}}},
                           0));
  auto r = score(*scorer, {1, 1, 1}, 3);
  REQUIRE(r.contributions.size() == 3);
  CHECK(r.contributions[0].feature == "a");
  CHECK(r.contributions[1].feature == "b");
  CHECK(r.contributions[2].feature == "c");
}

TEST_CASE("missing (NaN) features take their `missing` value", "[unit][plugins]") {
  auto scorer = make(model("linear",
                           {{{"name", "amount"}, {"coef", 0.002}, {"missing", 500}},
                            {{"name", "age"}, {"coef", 3.0}, {"mean", 100}, {"scale", 10}}},
                           1.0));
  // amount: NaN -> 500 -> 1.0; age: NaN -> its mean (the default) -> contributes 0.
  auto r = score(*scorer, {kNaN, kNaN}, 2);
  CHECK(r.score == 2.0);
  CHECK(r.contributions[0].feature == "amount");
  CHECK(r.contributions[0].value == 1.0);
  CHECK(r.contributions[1].value == 0.0);
}

TEST_CASE("standardisation (x - mean) / scale and the linear kind", "[unit][plugins]") {
  auto doc = model("linear", {{{"name", "x"}, {"coef", 1.5}, {"mean", 100}, {"scale", 50}}}, 10);
  doc["labels"] = {{"threshold", 12}, {"above", "over"}, {"below", "under"}};
  auto scorer = make(doc);
  auto r = score(*scorer, {200}, 1);  // x' = 2 -> 10 + 3
  CHECK(r.score == 13.0);
  CHECK_FALSE(r.probability.has_value());
  CHECK(r.label == "over");
  CHECK(r.contributions.at(0).value == 3.0);
  CHECK(score(*scorer, {100}).label == "under");
  CHECK(scorer->info().kind == "linear");
  CHECK(scorer->info().objective == "reg:squarederror");
}

TEST_CASE("wrong width and infinite inputs are invalid_argument", "[unit][plugins]") {
  auto scorer =
      make(model("logistic", {{{"name", "a"}, {"coef", 1}}, {{"name", "b"}, {"coef", 1}}}, 0));
  std::vector<double> three{1, 2, 3};
  auto wide = scorer->score(three, 0);
  REQUIRE_FALSE(wide.ok());
  CHECK(wide.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(wide.error().message, Catch::Contains("expects 2 features, got 3"));
  CHECK_THAT(wide.error().message, Catch::Contains("'risk'"));
  CHECK_FALSE(scorer->score(std::vector<double>{}, 0).ok());

  std::vector<double> inf{1, std::numeric_limits<double>::infinity()};
  auto r = scorer->score(inf, 0);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::Contains("feature 'b' is infinite"));

  auto big = make(model("linear", {{{"name", "a"}, {"coef", 1e300}}}, 0));
  std::vector<double> huge{1e300};
  auto overflow = big->score(huge, 0);
  REQUIRE_FALSE(overflow.ok());
  CHECK_THAT(overflow.error().message, Catch::Contains("overflowed"));
}
