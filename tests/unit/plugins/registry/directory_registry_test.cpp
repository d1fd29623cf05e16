// DirectoryRegistry: champion/challenger aliases, explicit versions, the highest-version
// default, located not_found errors, refresh, and concurrent resolves.
#include <catch2/catch.hpp>

#include <set>
#include <thread>
#include <vector>

#include "plugins/registry/directory_registry.h"
#include "support/temp_dir.h"

using ledgerflow::ErrorCode;
using ledgerflow::plugins::DirectoryRegistry;
using ledgerflow::test::TempDir;

namespace {

std::string model_text(const std::string& name, int version, double intercept = 0) {
  return R"({"format": "ledgerflow-linear/1", "kind": "logistic", "name": ")" + name +
         R"(", "version": ")" + std::to_string(version) +
         R"(", "features": [{"name": "amount", "coef": 0.001}], "intercept": )" +
         std::to_string(intercept) + "}";
}

void add_model(const TempDir& dir, const std::string& name, int version) {
  dir.write(name + "/" + std::to_string(version) + "/model.json", model_text(name, version));
}

// risk: versions 1-3, champion 2, challenger 3; plain: versions 1 and 5, no aliases.
void populate(const TempDir& dir) {
  for (int v : {1, 2, 3}) add_model(dir, "risk", v);
  dir.write("risk/aliases.json", R"({"champion": 2, "challenger": 3})");
  for (int v : {1, 5}) add_model(dir, "plain", v);
  dir.write("plain/notes/readme.txt", "not a version");
  dir.write("plain/07/model.json", model_text("plain", 7));  // not canonical: ignored
}

std::string version_of(const DirectoryRegistry& registry, std::string_view reference) {
  auto r = registry.resolve(reference);
  INFO(reference << ": " << (r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  return (*r)->info().version;
}

ledgerflow::Error error_of(const DirectoryRegistry& registry, std::string_view reference) {
  auto r = registry.resolve(reference);
  INFO(reference);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("registry: aliases, explicit versions, highest by default", "[unit][plugins]") {
  TempDir dir;
  populate(dir);
  DirectoryRegistry registry(dir.path());
  CHECK(version_of(registry, "risk") == "2");
  CHECK(version_of(registry, "risk@champion") == "2");
  CHECK(version_of(registry, "risk@challenger") == "3");
  CHECK(version_of(registry, "risk@1") == "1");
  CHECK(version_of(registry, "plain") == "5");
  CHECK(version_of(registry, "plain@champion") == "5");
  CHECK(version_of(registry, "plain@1") == "1");

  auto a = registry.resolve("risk");
  auto b = registry.resolve("risk@2");
  REQUIRE((a.ok() && b.ok()));
  CHECK(a->get() == b->get());  // cached: the same scorer
  CHECK((*a)->info().name == "risk");
}

TEST_CASE("registry: unknown names, versions and aliases are not_found", "[unit][plugins]") {
  TempDir dir;
  populate(dir);
  DirectoryRegistry registry(dir.path());

  auto name = error_of(registry, "fraud");
  CHECK(name.code == ErrorCode::not_found);
  CHECK_THAT(name.message, Catch::Contains("model 'fraud' not found"));
  CHECK_THAT(name.message, Catch::Contains("models: plain, risk"));

  auto version = error_of(registry, "risk@4");
  CHECK(version.code == ErrorCode::not_found);
  CHECK(version.message == "model 'risk' has no version 4; versions: 1, 2, 3");
  CHECK(error_of(registry, "plain@7").message == "model 'plain' has no version 7; versions: 1, 5");

  auto alias = error_of(registry, "risk@shadow");
  CHECK(alias.code == ErrorCode::not_found);
  CHECK(alias.message == "model 'risk' has no alias 'shadow'; aliases: challenger, champion");
  CHECK_THAT(error_of(registry, "plain@challenger").message, Catch::Contains("it has no aliases"));

  for (const char* bad : {"", "Risk", "risk@", "risk@x-y", "../risk", "risk/1", "@2"}) {
    auto e = error_of(registry, bad);
    CHECK(e.code == ErrorCode::invalid_argument);
    CHECK_THAT(e.message, Catch::Contains("is not a model reference"));
  }
}

TEST_CASE("registry: broken entries give clear errors", "[unit][plugins]") {
  TempDir dir;
  add_model(dir, "dangling", 1);
  dir.write("dangling/aliases.json", R"({"champion": 4})");
  dir.write("nofile/1/notes.txt", "");
  dir.write("other/1/model.json", R"({"format": "xgboost-json/1", "learner": {}})");
  dir.write("moved/1/model.json", model_text("risk", 1));
  dir.write("badalias/1/model.json", model_text("badalias", 1));
  dir.write("badalias/aliases.json", R"({"champion": "two"})");
  dir.write("empty/readme.txt", "");
  DirectoryRegistry registry(dir.path());

  auto dangling = error_of(registry, "dangling");
  CHECK(dangling.code == ErrorCode::not_found);
  CHECK(dangling.message ==
        "model 'dangling' alias 'champion' points to version 4, which does not exist; "
        "versions: 1");

  auto nofile = error_of(registry, "nofile");
  CHECK(nofile.code == ErrorCode::not_found);
  CHECK(nofile.message == dir.path("nofile/1/model.json") + ": no such file");

  auto other = error_of(registry, "other");
  CHECK(other.code == ErrorCode::invalid_argument);
  CHECK_THAT(other.message, Catch::StartsWith(dir.path("other/1/model.json")));
  CHECK_THAT(other.message, Catch::Contains("unsupported model format \"xgboost-json/1\""));

  CHECK_THAT(error_of(registry, "moved").message,
             Catch::Contains("says model 'risk' version 1 but lives at moved/1"));
  CHECK_THAT(error_of(registry, "badalias").message,
             Catch::Contains("aliases.json: champion: expected a positive integer version"));
  CHECK_THAT(error_of(registry, "empty").message, Catch::Contains("model 'empty' has no versions"));
}

TEST_CASE("registry: refresh picks up a promotion", "[unit][plugins]") {
  TempDir dir;
  populate(dir);
  DirectoryRegistry registry(dir.path());
  CHECK(version_of(registry, "risk") == "2");
  dir.write("risk/aliases.json", R"({"champion": 3})");
  add_model(dir, "risk", 4);
  CHECK(version_of(registry, "risk") == "2");  // cached until refresh()
  registry.refresh();
  CHECK(version_of(registry, "risk") == "3");
  CHECK(version_of(registry, "risk@4") == "4");
  CHECK_THAT(error_of(registry, "risk@challenger").message, Catch::Contains("aliases: champion"));
}

TEST_CASE("registry: open() checks the directory", "[unit][plugins]") {
  TempDir dir;
  CHECK(DirectoryRegistry::open(dir.path()).ok());
  auto missing = DirectoryRegistry::open(dir.path("absent"));
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == ErrorCode::not_found);
  auto file = DirectoryRegistry::open(dir.write("file.txt", "x"));
  REQUIRE_FALSE(file.ok());
  CHECK_THAT(file.error().message, Catch::Contains("is not a directory"));
}

TEST_CASE("registry: concurrent resolve from 4 threads", "[unit][plugins]") {
  TempDir dir;
  populate(dir);
  DirectoryRegistry registry(dir.path());
  const std::vector<std::string> refs = {"risk", "risk@challenger", "risk@1", "plain", "plain@1"};
  const std::vector<std::string> expected = {"2", "3", "1", "5", "1"};
  constexpr int kThreads = 4;
  constexpr int kRounds = 200;
  std::vector<std::vector<const void*>> seen(kThreads, std::vector<const void*>(refs.size()));
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        std::size_t i = static_cast<std::size_t>(round + t) % refs.size();
        auto r = registry.resolve(refs[i]);
        if (!r.ok() || (*r)->info().version != expected[i]) {
          ++failures[t];
          continue;
        }
        if (round % 50 == 0) registry.refresh();  // exercise the index cache too
        if (seen[t][i] == nullptr) seen[t][i] = r->get();
        if (seen[t][i] != r->get()) ++failures[t];  // a model is loaded once
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) {
    CHECK(failures[t] == 0);
    CHECK(seen[t] == seen[0]);
  }
}

// ---- XGBoost JSON models: the native forest evaluator, the C API fallback, meta.json ----

#include "unit/plugins/forest/forest_test_support.h"

namespace {

using ledgerflow::plugins::test::trained_model;

void add_xgboost(const TempDir& dir, const std::string& name, int version, const std::string& key) {
  dir.write(name + "/" + std::to_string(version) + "/model.json",
            ledgerflow::plugins::test::read_file(trained_model(key).path));
}

std::string meta_text(std::size_t features, const std::string& prefix,
                      const std::string& extra = "") {
  std::string out = R"({"features": [)";
  for (std::size_t i = 0; i < features; ++i) {
    out += (i ? ", " : "") + std::string(R"({"name": ")") + prefix + std::to_string(i) +
           R"(", "type": "number"})";
  }
  return out + "]" + extra + R"(, "metrics": {"auc": 0.9}, "reference": {"x0": [1, 2, 3]}})";
}

}  // namespace

TEST_CASE("registry: XGBoost models load natively with meta.json names",
          "[unit][plugins][forest]") {
  TempDir dir;
  add_xgboost(dir, "late", 1, "regression");
  dir.write("late/1/meta.json", meta_text(12, "days_", R"(, "objective": "reg:squarederror")"));
  add_xgboost(dir, "fraud", 2, "binary");  // no meta.json: the model's own feature_names
  add_model(dir, "fraud", 1);              // a linear version next to it
  std::vector<std::string> notices;
  DirectoryRegistry registry(dir.path(), [&](const std::string& m) { notices.push_back(m); });

  auto late = registry.resolve("late");
  INFO((late.ok() ? "" : late.error().message));
  REQUIRE(late.ok());
  CHECK((*late)->info().kind == "forest");
  CHECK((*late)->info().name == "late");
  CHECK((*late)->info().version == "1");
  CHECK((*late)->info().features[11] == "days_11");
  CHECK((*late)->score(std::vector<double>(12, 1.0), 2).ok());

  auto fraud = registry.resolve("fraud");
  REQUIRE(fraud.ok());
  CHECK((*fraud)->info().kind == "forest");
  CHECK((*fraud)->info().features[0] == "x0");
  auto linear = registry.resolve("fraud@1");
  REQUIRE(linear.ok());
  CHECK((*linear)->info().kind == "logistic");
  CHECK(notices.empty());
}

TEST_CASE("registry: unsupported XGBoost models fall back to the C API",
          "[unit][plugins][forest]") {
  TempDir dir;
  add_xgboost(dir, "dropout", 1, "dart");
  dir.write("dropout/1/meta.json", meta_text(8, "v"));
  std::vector<std::string> notices;
  DirectoryRegistry registry(dir.path(), [&](const std::string& m) { notices.push_back(m); });
  auto r = registry.resolve("dropout");
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK((*r)->info().kind == "xgboost");
  CHECK((*r)->info().features[0] == "v0");
  REQUIRE(notices.size() == 1);
  CHECK_THAT(notices[0], Catch::Contains("served by the XGBoost C API"));
  CHECK_THAT(notices[0], Catch::Contains("'dart'"));
  CHECK_THAT(notices[0], Catch::StartsWith(dir.path("dropout/1/model.json")));
  CHECK(registry.resolve("dropout").ok());
  CHECK(notices.size() == 1);  // cached: loaded once
}

TEST_CASE("registry: XGBoost models with bad or missing metadata", "[unit][plugins][forest]") {
  TempDir dir;
  add_xgboost(dir, "anon", 1, "regression");  // no names anywhere
  add_xgboost(dir, "short", 1, "regression");
  dir.write("short/1/meta.json", meta_text(11, "f"));
  add_xgboost(dir, "renamed", 1, "binary");
  dir.write("renamed/1/meta.json", meta_text(30, "y"));
  add_xgboost(dir, "wrongobj", 1, "regression");
  dir.write("wrongobj/1/meta.json", meta_text(12, "f", R"(, "objective": "binary:logistic")"));
  add_xgboost(dir, "moved", 3, "regression");
  dir.write("moved/3/meta.json", meta_text(12, "f", R"(, "name": "other")"));
  std::string text = ledgerflow::plugins::test::read_file(trained_model("regression").path);
  dir.write("cut/1/model.json", text.substr(0, text.size() / 3));
  dir.write("cut/1/meta.json", meta_text(12, "f"));
  DirectoryRegistry registry(dir.path(), [](const std::string&) {});

  CHECK_THAT(error_of(registry, "anon").message,
             Catch::Contains("has no feature_names and there is no"));
  CHECK_THAT(error_of(registry, "short").message,
             Catch::Contains("11 feature names given, but the model has 12 features"));
  CHECK_THAT(error_of(registry, "renamed").message,
             Catch::Contains("feature 0 is 'y0' in meta.json but 'x0' in the model"));
  CHECK_THAT(error_of(registry, "wrongobj").message,
             Catch::Contains("objective \"binary:logistic\" but"));
  CHECK_THAT(error_of(registry, "moved").message, Catch::Contains("but lives at moved/3"));
  auto cut = error_of(registry, "cut");
  CHECK(cut.code == ErrorCode::invalid_argument);
  CHECK_THAT(cut.message, Catch::Contains("truncated"));
}
