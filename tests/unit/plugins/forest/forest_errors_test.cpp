// Bad models and bad inputs: each is a clear invalid_argument naming the file and what
// is wrong, never a crash. Models the native path cannot serve (dart, gblinear, other
// objectives, categorical splits) are refused with a pointer to the C API path, which
// then serves them.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "plugins/forest/forest_model.h"
#include "plugins/forest/forest_scorer.h"
#include "plugins/forest/xgboost_json.h"
#include "plugins/xgboost/xgboost_scorer.h"
#include "support/temp_dir.h"
#include "unit/plugins/forest/forest_test_support.h"

using namespace ledgerflow::plugins;
using ledgerflow::ErrorCode;
using ledgerflow::plugins::test::trained_model;
using ledgerflow::test::TempDir;
using nlohmann::json;

namespace {

json base_doc() {
  auto doc = read_xgboost_json(trained_model("regression").path);
  REQUIRE(doc.ok());
  return *doc;
}

json& tree0(json& doc) {
  return doc["learner"]["gradient_booster"]["model"]["trees"][0];
}

// The first split node of tree 0 and its left child.
std::pair<std::size_t, std::size_t> first_split(json& doc) {
  auto& left = tree0(doc)["left_children"];
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (left[i].get<int>() != -1) return {i, left[i].get<std::size_t>()};
  }
  FAIL("no split in tree 0");
  return {0, 0};
}

std::size_t first_leaf(json& doc) {
  auto& left = tree0(doc)["left_children"];
  for (std::size_t i = 0; i < left.size(); ++i) {
    if (left[i].get<int>() == -1) return i;
  }
  FAIL("no leaf in tree 0");
  return 0;
}

ledgerflow::Error refused_text(const std::string& text, const std::string& name = "model.json") {
  TempDir dir;
  std::string path = dir.write(name, text);
  auto s = ForestScorer::load(path);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(s.error().message, Catch::StartsWith(path));
  return s.error();
}

ledgerflow::Error refused(const json& doc) {
  return refused_text(doc.dump());
}

}  // namespace

TEST_CASE("forest: truncated and invalid JSON", "[forest]") {
  std::string text = test::read_file(trained_model("regression").path);
  auto truncated = refused_text(text.substr(0, text.size() / 2));
  CHECK_THAT(truncated.message, Catch::Contains("truncated"));
  CHECK_THAT(refused_text("").message, Catch::Contains("empty"));
  CHECK_THAT(refused_text("[1, 2]").message, Catch::Contains("expected a JSON object"));
  CHECK_THAT(refused_text("{\"learner\": {,}}").message, Catch::Contains(":1:14: invalid JSON"));
  CHECK_THAT(refused_text("{\"learner\": 1, \"learner\": 2}").message,
             Catch::Contains("duplicate key \"learner\""));
  CHECK_THAT(refused_text("{\"version\": [1, 7, 4]}").message,
             Catch::Contains("learner: missing; expected an object"));

  TempDir dir;
  auto missing = ForestScorer::load(dir.path("absent.json"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::not_found);
}

TEST_CASE("forest: NaN and infinite values", "[forest]") {
  json doc = base_doc();
  std::size_t leaf = first_leaf(doc);
  std::string text = doc.dump();
  // Replace that leaf's value literally: NaN is what a broken trainer writes.
  json marked = doc;
  tree0(marked)["split_conditions"][leaf] = 123456.0;
  std::string with_marker = marked.dump();
  auto at = with_marker.find("123456.0");
  REQUIRE(at != std::string::npos);
  auto nan = refused_text(with_marker.replace(at, 8, "NaN"));
  CHECK_THAT(nan.message, Catch::Contains("non-finite number"));
  at = marked.dump().find("123456.0");
  auto inf = refused_text(marked.dump().replace(at, 8, "1e39"));
  CHECK_THAT(inf.message, Catch::Contains("split_conditions[" + std::to_string(leaf) + "]"));
  CHECK_THAT(inf.message, Catch::Contains("not a finite float32"));

  json neg_cover = doc;
  tree0(neg_cover)["sum_hessian"][0] = -1.0;
  CHECK_THAT(refused(neg_cover).message, Catch::Contains("must not be negative"));
  json zero_cover = doc;
  tree0(zero_cover)["sum_hessian"][first_split(zero_cover).first] = 0.0;
  CHECK_THAT(refused(zero_cover).message, Catch::Contains("positive cover"));
}

TEST_CASE("forest: bad tree structure", "[forest]") {
  json doc = base_doc();
  auto [split, left] = first_split(doc);
  const std::string where = "learner.gradient_booster.model.trees[0].";

  json out_of_range = doc;
  tree0(out_of_range)["split_indices"][split] = 999;
  auto e = refused(out_of_range);
  CHECK_THAT(e.message, Catch::Contains(where + "split_indices[" + std::to_string(split) + "]"));
  CHECK_THAT(e.message, Catch::Contains("feature 999 is out of range; the model has 12 features"));

  json cycle = doc;
  tree0(cycle)["left_children"][left] = 0;  // back to the root...
  tree0(cycle)["right_children"][left] = 1;
  CHECK_THAT(refused(cycle).message, Catch::Contains("are not node indices"));
  json shared = doc;
  auto [split2, left2] = first_split(shared);
  (void)split2;
  // Point a grandchild split back at its own parent's children: a cycle.
  tree0(shared)["left_children"][left2] = left2;
  tree0(shared)["right_children"][left2] = left2 + 1;
  CHECK_THAT(refused(shared).message, Catch::Contains("reached twice"));

  json wild = doc;
  tree0(wild)["left_children"][split] = 1'000'000;
  tree0(wild)["right_children"][split] = 1'000'001;
  CHECK_THAT(refused(wild).message, Catch::Contains("are not node indices"));

  json apart = doc;
  tree0(apart)["right_children"][split] = left + 2;
  CHECK_THAT(refused(apart).message, Catch::Contains("is not left child + 1"));

  json one_child = doc;
  tree0(one_child)["right_children"][split] = -1;
  CHECK_THAT(refused(one_child).message, Catch::Contains("are not node indices"));

  json short_array = doc;
  tree0(short_array)["default_left"].erase(0);
  CHECK_THAT(refused(short_array).message, Catch::Contains("entries, but tree_param.num_nodes"));

  json bad_default = doc;
  tree0(bad_default)["default_left"][split] = 7;
  CHECK_THAT(refused(bad_default).message, Catch::Contains("expected 0 or 1"));

  json bad_group = doc;
  bad_group["learner"]["gradient_booster"]["model"]["tree_info"][0] = 1;
  CHECK_THAT(refused(bad_group).message, Catch::Contains("tree_info[0]"));

  json count = doc;
  count["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = "59";
  CHECK_THAT(refused(count).message, Catch::Contains("num_trees is 59 but there are 60 trees"));
}

TEST_CASE("forest: limits", "[forest]") {
  json doc = base_doc();
  json trees = doc;
  trees["learner"]["gradient_booster"]["model"]["gbtree_model_param"]["num_trees"] = "100001";
  CHECK_THAT(refused(trees).message, Catch::Contains("100001 is outside [0, 100000]"));
  json nodes = doc;
  tree0(nodes)["tree_param"]["num_nodes"] = "1000001";
  CHECK_THAT(refused(nodes).message, Catch::Contains("1000001 is outside [1, 1000000]"));
  json features = doc;
  features["learner"]["learner_model_param"]["num_feature"] = "100001";
  CHECK_THAT(refused(features).message, Catch::Contains("num_feature: 100001 is outside"));

  XgboostJsonLimits small;
  small.max_values = 1000;
  auto many = parse_xgboost_json(doc.dump(), "m.json", small);
  REQUIRE_FALSE(many.ok());
  CHECK_THAT(many.error().message, Catch::Contains("more than 1000 JSON values"));
  small = {};
  small.max_depth = 3;
  auto deep = parse_xgboost_json(doc.dump(), "m.json", small);
  REQUIRE_FALSE(deep.ok());
  CHECK_THAT(deep.error().message, Catch::Contains("nested deeper than 3"));
}

TEST_CASE("forest: header problems", "[forest]") {
  json doc = base_doc();
  json base_score = doc;
  base_score["learner"]["objective"]["name"] = "binary:logistic";
  base_score["learner"]["learner_model_param"]["base_score"] = "1.5E0";
  CHECK_THAT(refused(base_score).message, Catch::Contains("base_score must lie in (0, 1)"));
  json classes = doc;
  classes["learner"]["objective"]["name"] = "multi:softprob";
  classes["learner"]["learner_model_param"]["num_class"] = "1";
  CHECK_THAT(refused(classes).message, Catch::Contains("at least 2 classes"));
  json booster = doc;
  booster["learner"]["gradient_booster"]["name"] = "gbforest";
  CHECK_THAT(refused(booster).message, Catch::Contains("unknown gradient booster \"gbforest\""));
  json names = doc;
  names["learner"]["feature_names"] = {"a", "b"};
  CHECK_THAT(refused(names).message, Catch::Contains("2 names for 12 features"));
  json target = doc;
  tree0(target)["tree_param"]["size_leaf_vector"] = "3";
  CHECK_THAT(refused(target).message, Catch::Contains("vector leaves"));
}

TEST_CASE("forest: unsupported models point to the C API, which serves them", "[forest][xgboost]") {
  for (const std::string key : {"dart", "gblinear", "poisson"}) {
    INFO(key);
    const auto& m = trained_model(key);
    auto native = ForestScorer::load(m.path);
    REQUIRE_FALSE(native.ok());
    CHECK_THAT(native.error().message, Catch::Contains("cannot load this model"));
    CHECK_THAT(native.error().message, Catch::Contains("XGBoost C API"));
    auto xgb = XgboostScorer::load(m.path);
    INFO((xgb.ok() ? "" : xgb.error().message));
    REQUIRE(xgb.ok());
    CHECK((*xgb)->info().kind == "xgboost");
    std::vector<double> row(m.num_features, 0.5);
    auto r = (*xgb)->score(row, 3);
    REQUIRE(r.ok());
    CHECK(std::isfinite(r->score));
    CHECK(r->contributions.size() <= 3);
  }
  CHECK_THAT(ForestScorer::load(trained_model("dart").path).error().message,
             Catch::Contains("'dart'"));
  CHECK_THAT(ForestScorer::load(trained_model("poisson").path).error().message,
             Catch::Contains("objective 'count:poisson'"));

  json doc = base_doc();
  json categorical = doc;
  tree0(categorical)["split_type"][first_split(categorical).first] = 1;
  CHECK_THAT(refused(categorical).message, Catch::Contains("categorical splits"));
}

TEST_CASE("forest: the C API path checks the file before XGBoost reads it", "[forest][xgboost]") {
  json doc = base_doc();
  auto [split, left] = first_split(doc);
  (void)left;
  tree0(doc)["left_children"][split] = 5000;
  tree0(doc)["right_children"][split] = 5001;
  TempDir dir;
  auto s = XgboostScorer::load(dir.write("bad.json", doc.dump()));
  REQUIRE_FALSE(s.ok());
  CHECK_THAT(s.error().message, Catch::Contains("are not node indices"));
}

TEST_CASE("forest: bad feature vectors", "[forest]") {
  const auto& m = trained_model("regression");
  auto s = ForestScorer::load(m.path);
  REQUIRE(s.ok());
  auto narrow = (*s)->score(std::vector<double>(11, 0.0), 0);
  REQUIRE_FALSE(narrow.ok());
  CHECK(narrow.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(narrow.error().message, Catch::Contains("expects 12 features, got 11"));
  std::vector<double> x(12, 0.0);
  x[3] = std::numeric_limits<double>::infinity();
  auto inf = (*s)->score(x, 0);
  REQUIRE_FALSE(inf.ok());
  CHECK_THAT(inf.error().message, Catch::Contains("feature 'f3' is infinite"));
  x[3] = 1e300;  // beyond float32
  CHECK_FALSE((*s)->score(x, 0).ok());

  std::vector<float> rows(25, 0.0f);
  std::vector<double> out(2);
  auto ragged = (*s)->predict(rows, out);
  REQUIRE_FALSE(ragged.ok());
  CHECK_THAT(ragged.error().message, Catch::Contains("not whole rows"));
  rows.resize(24);
  std::vector<double> small(1);
  CHECK_FALSE((*s)->predict(rows, small).ok());

  auto xgb = XgboostScorer::load(m.path);
  REQUIRE(xgb.ok());
  auto xnarrow = (*xgb)->score(std::vector<double>(13, 0.0), 0);
  REQUIRE_FALSE(xnarrow.ok());
  CHECK(xnarrow.error().code == ErrorCode::invalid_argument);
}
