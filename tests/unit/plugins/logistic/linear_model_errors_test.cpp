// Bad model files: each is refused with an error naming the file and what is wrong.
#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include "plugins/logistic/linear_scorer.h"
#include "support/temp_dir.h"

using ledgerflow::ErrorCode;
using ledgerflow::plugins::LinearScorer;
using ledgerflow::test::TempDir;

namespace {

const std::string kHead =
    R"({"format": "ledgerflow-linear/1", "kind": "logistic", "name": "risk", "version": "1", )";

// A model with the given features text and the rest valid.
std::string with_features(const std::string& features) {
  return kHead + R"("features": )" + features + R"(, "intercept": -3.2})";
}

struct BadCase {
  const char* what;
  std::string text;
  const char* expected;  // a part of the message
};

}  // namespace

TEST_CASE("a valid model file loads", "[unit][plugins]") {
  TempDir dir;
  auto path = dir.write("model.json", with_features(R"([{"name": "amount", "coef": 0.0012}])"));
  auto scorer = LinearScorer::load(path);
  INFO((scorer.ok() ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  CHECK((*scorer)->model().intercept == -3.2);
  CHECK((*scorer)->model().features.at(0).scale == 1.0);
}

TEST_CASE("bad model files are refused naming the file and field", "[unit][plugins]") {
  const std::vector<BadCase> cases = {
      {"truncated JSON", kHead + R"("features": [{"name": "a", "co)", "invalid JSON"},
      {"JSON NaN literal", with_features(R"([{"name": "a", "coef": NaN}])"), "invalid JSON"},
      {"huge number", with_features(R"([{"name": "a", "coef": 1e999}])"), "number overflow"},
      {"NaN as a string", with_features(R"([{"name": "a", "coef": "NaN"}])"),
       "features[0].coef: expected a finite number, got the string \"NaN\""},
      {"Infinity as a string", with_features(R"([{"name": "a", "coef": "Infinity"}])"),
       "features[0].coef: expected a finite number"},
      {"unknown format",
       R"({"format": "xgboost/1", "kind": "logistic", "name": "risk", "version": "1"})",
       "format: unsupported model format \"xgboost/1\""},
      {"no format", R"({"kind": "logistic"})", "format: missing"},
      {"not an object", "\n  [1, 2]", ":2:3: expected a JSON object"},
      {"empty file", "  \n", "empty"},
      {"missing coefficient", with_features(R"([{"name": "a", "coef": 1}, {"name": "b"}])"),
       "features[1].coef: missing"},
      {"no features", kHead + R"("intercept": 0})", "features: missing"},
      {"empty features", with_features("[]"), "features: must list at least one feature"},
      {"duplicate features",
       with_features(R"([{"name": "amount", "coef": 1}, {"name": "amount", "coef": 2}])"),
       "features[1].name: duplicate feature 'amount' (also features[0])"},
      {"duplicate JSON key", with_features(R"([{"name": "a", "coef": 1, "coef": 2}])"),
       "duplicate key 'coef'"},
      {"misspelt field", with_features(R"([{"name": "a", "coeff": 1}])"),
       "features[0].coeff: unknown field (did you mean 'coef'?)"},
      {"zero scale", with_features(R"([{"name": "a", "coef": 1, "scale": 0}])"),
       "features[0].scale: must be greater than 0"},
      {"metadata not an object",
       kHead + R"("features": [{"name": "a", "coef": 1}], "intercept": 0, "metadata": [1]})",
       "metadata: expected an object, got an array"},
      {"no intercept", kHead + R"("features": [{"name": "a", "coef": 1}]})", "intercept: missing"},
      {"bad kind", R"({"format": "ledgerflow-linear/1", "kind": "svm"})", "kind: expected"},
      {"bad version", R"({"format": "ledgerflow-linear/1", "kind": "linear", "name": "risk",
                         "version": "v2"})",
       "version: 'v2' is not a positive integer"},
      {"threshold outside [0, 1]",
       kHead + R"("features": [{"name": "a", "coef": 1}], "intercept": 0,
                  "labels": {"threshold": 7, "above": "h", "below": "l"}})",
       "labels.threshold"},
  };
  TempDir dir;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    auto path = dir.write("case" + std::to_string(i) + "/model.json", c.text);
    auto r = LinearScorer::load(path);
    INFO(c.what);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(r.error().message, Catch::StartsWith(path));
    CHECK_THAT(r.error().message, Catch::Contains(c.expected));
  }
}

TEST_CASE("syntax errors carry line and column", "[unit][plugins]") {
  TempDir dir;
  auto path =
      dir.write("model.json", "{\n  \"format\": \"ledgerflow-linear/1\",\n  \"kind\": ]\n}");
  auto r = LinearScorer::load(path);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::StartsWith(path + ":3:"));
}

TEST_CASE("a missing file and a directory are refused by name", "[unit][plugins]") {
  TempDir dir;
  auto missing = LinearScorer::load(dir.path("nope.json"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::not_found);
  CHECK(missing.error().message == dir.path("nope.json") + ": no such file");

  auto directory = LinearScorer::load(dir.path());
  REQUIRE_FALSE(directory.ok());
  CHECK(directory.error().code == ErrorCode::io_error);
  CHECK_THAT(directory.error().message, Catch::Contains("is a directory"));
  CHECK_THAT(directory.error().message, Catch::StartsWith(dir.path()));
}

TEST_CASE("from_json names its source", "[unit][plugins]") {
  auto r = LinearScorer::from_json(nlohmann::json::parse(R"({"format": "x"})"), "inline model");
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.error().message, Catch::StartsWith("inline model: format:"));
  auto nan = LinearScorer::from_json(
      {{"format", "ledgerflow-linear/1"},
       {"kind", "linear"},
       {"name", "m"},
       {"version", "1"},
       {"features", {{{"name", "a"}, {"coef", std::numeric_limits<double>::quiet_NaN()}}}},
       {"intercept", 0}});
  REQUIRE_FALSE(nan.ok());
  CHECK_THAT(nan.error().message, Catch::Contains("features[0].coef: expected a finite number"));
}
