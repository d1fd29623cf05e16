// PluginScorer: the example C plugin loads and scores; broken plugins (wrong ABI version,
// a missing symbol, bad output) are refused with clear messages; plugins through the
// DirectoryRegistry ("ledgerflow-plugin/1").
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <thread>
#include <vector>

#include "plugins/cabi/plugin_scorer.h"
#include "plugins/registry/directory_registry.h"
#include "support/temp_dir.h"

using ledgerflow::ErrorCode;
using ledgerflow::plugins::DirectoryRegistry;
using ledgerflow::plugins::PluginScorer;
using ledgerflow::test::TempDir;

namespace {

namespace fs = std::filesystem;

const std::string kExample = LF_EXAMPLE_PLUGIN;

std::unique_ptr<PluginScorer> load_example(const std::string& config = "{}") {
  auto scorer = PluginScorer::load(kExample, config, "risk", "1");
  INFO((scorer.ok() ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  return std::move(*scorer);
}

double sigmoid(double raw) {
  return 1.0 / (1.0 + std::exp(-raw));
}

ledgerflow::Error faulty_score_error(const std::string& mode, std::size_t top_k = 2) {
  auto scorer = PluginScorer::load(LF_FAULTY_PLUGIN, R"({"mode": ")" + mode + R"("})", "f", "1");
  INFO(mode << ": " << (scorer.ok() ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  std::vector<double> x = {1, 2};
  auto r = (*scorer)->score(x, top_k);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

}  // namespace

TEST_CASE("cabi: the example plugin describes its model", "[unit][plugins][cabi]") {
  auto scorer = load_example();
  const auto& info = scorer->info();
  CHECK(info.name == "risk");
  CHECK(info.version == "1");
  CHECK(info.kind == "plugin");
  CHECK(info.objective == "binary:logistic");
  CHECK(info.features == std::vector<std::string>{"amount", "days_overdue", "prior_disputes"});
  CHECK(scorer->plugin_model() == "threshold 1.0");
  CHECK(scorer->library_path() == kExample);
}

TEST_CASE("cabi: the example plugin scores with contributions", "[unit][plugins][cabi]") {
  auto scorer = load_example();
  std::vector<double> x = {1000, 10, 1};  // contributions 1.0, 0.5, 0.8
  auto r = scorer->score(x, 2);
  REQUIRE(r.ok());
  CHECK(r->score == Approx(sigmoid(-3.0 + 1.0 + 0.5 + 0.8)).epsilon(1e-12));
  REQUIRE(r->probability.has_value());
  CHECK(*r->probability == r->score);
  CHECK(r->label == "low");
  CHECK(r->bias == -3.0);
  REQUIRE(r->contributions.size() == 2);
  CHECK(r->contributions[0].feature == "amount");
  CHECK(r->contributions[0].value == Approx(1.0));
  CHECK(r->contributions[1].feature == "prior_disputes");
  CHECK(r->contributions[1].value == Approx(0.8));

  auto none = scorer->score(x, 0);
  REQUIRE(none.ok());
  CHECK(none->contributions.empty());
  auto all = scorer->score(x, 100);  // capped at the feature count
  REQUIRE(all.ok());
  CHECK(all->contributions.size() == 3);

  std::vector<double> missing = {1000, std::nan(""), 1};
  auto m = scorer->score(missing, 3);
  REQUIRE(m.ok());
  CHECK(m->score == Approx(sigmoid(-3.0 + 1.0 + 0.8)).epsilon(1e-12));
  CHECK(m->contributions[2].feature == "days_overdue");
  CHECK(m->contributions[2].value == 0.0);
}

TEST_CASE("cabi: plugin config reaches create", "[unit][plugins][cabi]") {
  auto scorer = load_example(R"({"bias": 0, "threshold": 0.3})");
  std::vector<double> x = {0, 0, 0};
  auto r = scorer->score(x, 0);
  REQUIRE(r.ok());
  CHECK(r->score == Approx(0.5));
  CHECK(r->label == "high");
  CHECK(r->bias == 0);

  auto refused = PluginScorer::load(kExample, R"({"threshold": 2})", "risk", "1");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().message ==
        kExample +
            ": the plugin could not create the model: config.threshold: expected a "
            "probability in [0, 1]");
}

TEST_CASE("cabi: a plugin's error and a wrong width are errors", "[unit][plugins][cabi]") {
  auto scorer = load_example();
  std::vector<double> negative = {-5, 0, 0};
  auto r = scorer->score(negative, 1);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK(r.error().message ==
        "plugin threshold_plugin.so (threshold 1.0): amount must be >= 0, got -5");

  std::vector<double> narrow = {1, 2};
  auto w = scorer->score(narrow, 1);
  REQUIRE_FALSE(w.ok());
  CHECK(w.error().message ==
        "plugin threshold_plugin.so (threshold 1.0) expects 3 features, got 2");
}

TEST_CASE("cabi: a plugin of another ABI version is refused", "[unit][plugins][cabi]") {
  const std::string path = LF_WRONG_ABI_PLUGIN;
  auto r = PluginScorer::load(path, "{}", "risk", "1");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK(r.error().message == path +
                                 ": plugin ABI version 99 is not supported; this Ledgerflow "
                                 "loads ABI version 1 (rebuild the plugin against "
                                 "plugins/include/ledgerflow/plugin.h)");
}

TEST_CASE("cabi: a plugin with a missing symbol is refused", "[unit][plugins][cabi]") {
  const std::string path = LF_MISSING_SYMBOL_PLUGIN;
  auto r = PluginScorer::load(path, "{}", "risk", "1");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message == path +
                                 ": not a Ledgerflow plugin: missing symbol "
                                 "'ledgerflow_plugin_score' (see "
                                 "plugins/include/ledgerflow/plugin.h)");

  // A library that is not a plugin at all misses every symbol.
  auto not_plugin = PluginScorer::load("libm.so.6", "{}", "risk", "1");
  REQUIRE_FALSE(not_plugin.ok());
  CHECK_THAT(not_plugin.error().message,
             Catch::Contains("missing symbols 'ledgerflow_plugin_abi_version', "
                             "'ledgerflow_plugin_create', 'ledgerflow_plugin_info', "
                             "'ledgerflow_plugin_score', 'ledgerflow_plugin_destroy'"));
}

TEST_CASE("cabi: files dlopen rejects are errors", "[unit][plugins][cabi]") {
  TempDir dir;
  auto text = dir.write("fake.so", "not an ELF file");
  auto r = PluginScorer::load(text, "{}", "risk", "1");
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::io_error);
  CHECK_THAT(r.error().message, Catch::StartsWith(text + ": cannot load the plugin: "));
  auto absent = PluginScorer::load(dir.path("absent.so"), "{}", "risk", "1");
  REQUIRE_FALSE(absent.ok());
  CHECK_THAT(absent.error().message, Catch::Contains("cannot load the plugin"));
}

TEST_CASE("cabi: failing create and info are errors", "[unit][plugins][cabi]") {
  const std::string path = LF_FAULTY_PLUGIN;
  auto create = PluginScorer::load(path, R"({"mode": "create_fails"})", "f", "1");
  REQUIRE_FALSE(create.ok());
  CHECK(create.error().message ==
        path + ": the plugin could not create the model: the weights file is corrupt");
  auto silent = PluginScorer::load(path, R"({"mode": "create_fails_silently"})", "f", "1");
  REQUIRE_FALSE(silent.ok());
  CHECK_THAT(silent.error().message, Catch::EndsWith("(the plugin gave no message)"));
  auto info = PluginScorer::load(path, R"({"mode": "info_fails"})", "f", "1");
  REQUIRE_FALSE(info.ok());
  CHECK(info.error().message ==
        path + ": the plugin could not describe its model: no model loaded");
  auto dup = PluginScorer::load(path, R"({"mode": "dup_features"})", "f", "1");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().message == path + ": feature 'a' is named twice");
}

TEST_CASE("cabi: output that breaks the ABI's rules is an error", "[unit][plugins][cabi]") {
  CHECK(faulty_score_error("score_fails").message ==
        "plugin faulty_plugin.so (faulty 0): upstream feature store unavailable");
  auto unterminated = faulty_score_error("unterminated_error").message;
  CHECK(unterminated == "plugin faulty_plugin.so (faulty 0): " + std::string(1023, 'x'));
  CHECK_THAT(faulty_score_error("nan_score").message,
             Catch::EndsWith("the plugin returned a score that is not finite"));
  CHECK_THAT(faulty_score_error("too_many_contributions").message,
             Catch::EndsWith("the plugin returned 7 contributions, more than the 2 asked for"));
  CHECK_THAT(faulty_score_error("bad_feature_index").message,
             Catch::EndsWith("contribution 0 for feature index 42, but there are 2 features"));
  CHECK_THAT(faulty_score_error("unterminated_label").message,
             Catch::EndsWith("a label that is not NUL-terminated within 64 bytes"));
  CHECK_THAT(faulty_score_error("probability_out_of_range").message,
             Catch::EndsWith("a probability outside [0, 1]"));

  auto ok = PluginScorer::load(LF_FAULTY_PLUGIN, "{}", "f", "1");
  REQUIRE(ok.ok());
  std::vector<double> x = {1, 2};
  auto r = (*ok)->score(x, 2);
  REQUIRE(r.ok());
  CHECK(r->score == 3);
  CHECK_FALSE(r->probability.has_value());
  CHECK((*ok)->info().objective == "reg:squarederror");
}

TEST_CASE("cabi: score runs on many threads at once", "[unit][plugins][cabi]") {
  auto scorer = load_example();
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        std::vector<double> x = {static_cast<double>(i), static_cast<double>(t), 1};
        auto r = scorer->score(x, 1);
        double expected = sigmoid(-3.0 + 0.001 * i + 0.05 * t + 0.8);
        if (!r.ok() || std::fabs(r->score - expected) > 1e-12) ++mismatches[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(mismatches == std::vector<int>(4, 0));
}

TEST_CASE("cabi: the registry loads ledgerflow-plugin/1 models", "[unit][plugins][cabi]") {
  TempDir models;
  const std::string plugins_dir = fs::path(kExample).parent_path().string();
  models.write("risk/1/model.json", R"({"format": "ledgerflow-plugin/1",
      "library": "threshold_plugin.so", "config": {"threshold": 0.3}})");
  DirectoryRegistry registry(models.path(), {}, plugins_dir);
  auto scorer = registry.resolve("risk");
  INFO((scorer.ok() ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  CHECK((*scorer)->info().kind == "plugin");
  CHECK((*scorer)->info().version == "1");
  std::vector<double> x = {0, 0, 0};
  auto r = (*scorer)->score(x, 0);
  REQUIRE(r.ok());
  CHECK(r->score == Approx(sigmoid(-3.0)));
  CHECK(r->label == "low");

  SECTION("next to the model when there is no plugins dir") {
    TempDir local;
    local.write("risk/2/model.json",
                R"({"format": "ledgerflow-plugin/1", "library": "threshold_plugin.so"})");
    fs::copy_file(kExample, local.path("risk/2/threshold_plugin.so"));
    DirectoryRegistry plain(local.path());
    auto s = plain.resolve("risk@2");
    INFO((s.ok() ? "" : s.error().message));
    REQUIRE(s.ok());
    CHECK((*s)->info().features.size() == 3);
  }
  SECTION("refusals name the model file") {
    std::string path = models.write("bad/1/model.json", R"({"format": "ledgerflow-plugin/1",
        "library": "../threshold_plugin.so"})");
    auto bad = registry.resolve("bad");
    REQUIRE_FALSE(bad.ok());
    CHECK_THAT(bad.error().message,
               Catch::StartsWith(path + ": library: '../threshold_plugin.so' is not a plugin"));
    path = models.write("gone/1/model.json",
                        R"({"format": "ledgerflow-plugin/1", "library": "absent.so"})");
    auto gone = registry.resolve("gone");
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().code == ErrorCode::not_found);
    CHECK(gone.error().message == path + ": library 'absent.so' not found in " + plugins_dir +
                                      " or " + models.path("gone/1"));
    path = models.write("old/1/model.json", R"({"format": "ledgerflow-plugin/1",
        "library": ")" + fs::path(LF_WRONG_ABI_PLUGIN).filename().string() +
                                                R"("})");
    auto old =
        DirectoryRegistry(models.path(), {}, fs::path(LF_WRONG_ABI_PLUGIN).parent_path().string())
            .resolve("old");
    REQUIRE_FALSE(old.ok());
    CHECK_THAT(old.error().message, Catch::StartsWith(path + ": "));
    CHECK_THAT(old.error().message, Catch::Contains("plugin ABI version 99 is not supported"));
    models.write("typo/1/model.json",
                 R"({"format": "ledgerflow-plugin/1", "library": "x.so", "confg": {}})");
    auto typo = registry.resolve("typo");
    REQUIRE_FALSE(typo.ok());
    CHECK_THAT(typo.error().message, Catch::Contains("unknown field 'confg'"));
  }
}
