// ledgerflow train's library (plugins/ml/train_job.h, numeric_csv.h,
// cross_validation.h): CSV errors with row and column, a published version the registry
// serves, meta.json's contents, byte-identical output for the same seed and data.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "plugins/finance/datagen/datagen.h"
#include "plugins/finance/datagen/payments_data.h"
#include "plugins/forest/forest_scorer.h"
#include "plugins/ml/cross_validation.h"
#include "plugins/ml/file_digest.h"
#include "plugins/ml/numeric_csv.h"
#include "plugins/ml/train_job.h"
#include "plugins/registry/directory_registry.h"
#include "support/generated_csv.h"

using namespace ledgerflow::datagen;
using ledgerflow::ErrorCode;
using ledgerflow::Result;
using test::TempDir;

namespace {

// A small generated training table (payments: 8 workflow features, ~2% fraud).
std::string payments_table(const TempDir& dir) {
  auto g = generate({Kind::payments, 3000, 5, dir.path("data")});
  REQUIRE(g.ok());
  return dir.path("data/features.csv");
}

TrainJob small_job(const std::string& data, const std::string& out) {
  TrainJob job;
  job.data_path = data;
  job.label = "label_fraud";
  job.features = payments_model_features();
  job.rounds = 20;
  job.max_depth = 3;
  job.eta = 0.3;
  job.seed = 3;
  job.name = "payment_fraud";
  job.out_dir = out;
  return job;
}

Result<NumericTable> parse(const std::string& text, CsvReadOptions options = {"y", {}}) {
  return parse_numeric_csv(text, "t.csv", options);
}

std::string error_of(const Result<NumericTable>& r) {
  return r ? "" : r.error().message;
}

}  // namespace

TEST_CASE("numeric csv: values, missing cells, default feature choice", "[train]") {
  auto t = parse("order_id,a,b,y,label_other\nX1,1.5,,1,7\nX2,-2e3,\"3\",0,8\n");
  INFO(error_of(t));
  REQUIRE(t.ok());
  CHECK(t->features == std::vector<std::string>{"a", "b"});  // not *_id, label_*, the label
  REQUIRE(t->rows() == 2);
  CHECK(t->values[0] == 1.5f);
  CHECK(std::isnan(t->values[1]));
  CHECK(t->values[2] == -2000.0f);
  CHECK(t->values[3] == 3.0f);
  CHECK(t->labels == std::vector<float>{1, 0});
  auto chosen = parse("a,b,y\r\n1,2,1\r\n", {"y", {"b"}});
  REQUIRE(chosen.ok());
  CHECK(chosen->features == std::vector<std::string>{"b"});
  CHECK(chosen->values == std::vector<float>{2});
}

TEST_CASE("numeric csv: errors name the row and the column", "[train]") {
  CHECK_THAT(error_of(parse("a,b,y\n1,2,0\n3,abc,1\n")),
             Catch::Contains("t.csv: row 2, column 'b' (2): 'abc' is not a number"));
  CHECK_THAT(error_of(parse("a,y\n1,0\n2,\n")), Catch::Contains("row 2, column 'y' (2): is empty"));
  CHECK_THAT(error_of(parse("a,y\n1,0,5\n")),
             Catch::Contains("row 1: 3 fields, but the header has 2"));
  CHECK_THAT(error_of(parse("a,y\ninf,1\n")), Catch::Contains("row 1, column 'a' (1)"));
  CHECK_THAT(error_of(parse("a,y\n1e300,1\n")), Catch::Contains("out of range"));
  CHECK_THAT(error_of(parse("a,x\n1,1\n")),
             Catch::Contains("no label column 'y'; the columns are: a, x"));
  CHECK_THAT(error_of(parse("a,y\n1,1\n", {"y", {"a", "zz"}})),
             Catch::Contains("no feature column 'zz'"));
  CHECK_THAT(error_of(parse("a,a,y\n1,1,1\n")), Catch::Contains("'a' appears twice"));
  CHECK_THAT(error_of(parse("a,y\n\"1,1\n")), Catch::Contains("not closed"));
  CHECK_THAT(error_of(parse("a,y\n")), Catch::Contains("no data rows"));
  // A quoted field spanning lines: the row number and its line differ.
  CHECK_THAT(error_of(parse("t,a,y\n\"x\ny\",1,1\nz,q,1\n", {"y", {"a"}})),
             Catch::Contains("row 2 (line 4), column 'a'"));
}

TEST_CASE("train: publish a version, resolve it through the registry and score", "[train]") {
  TempDir dir;
  std::string data = payments_table(dir);
  auto job = small_job(data, dir.path("models"));
  auto first = run_train_job(job);
  INFO((first ? "" : first.error().message));
  REQUIRE(first.ok());
  CHECK(first->version == 1);
  CHECK(std::filesystem::exists(dir.path("models/payment_fraud/1/model.json")));
  CHECK(std::filesystem::exists(dir.path("models/payment_fraud/1/meta.json")));
  REQUIRE(first->train.holdout.auc);
  CHECK(*first->train.holdout.auc > 0.9);

  auto registry = ledgerflow::plugins::DirectoryRegistry::open(dir.path("models"));
  REQUIRE(registry.ok());
  auto scorer = (*registry)->resolve("payment_fraud");
  INFO((scorer ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  const auto& info = (*scorer)->info();
  CHECK(info.version == "1");
  CHECK(info.features == payments_model_features());
  std::vector<double> row = {25'000, 1, 0, 1, 6.5, 1, 1, 1};  // everything suspicious
  auto risky = (*scorer)->score(row, 3);
  REQUIRE(risky.ok());
  REQUIRE(risky->probability);
  std::vector<double> calm = {1'200, 0, 0, 0, 0.1, 0, 0, 0};
  auto ok = (*scorer)->score(calm, 0);
  REQUIRE(ok.ok());
  CHECK(*risky->probability > *ok->probability);
  CHECK(risky->contributions.size() == 3);

  // The next run is version 2, which the registry serves once refreshed.
  auto second = run_train_job(job);
  REQUIRE(second.ok());
  CHECK(second->version == 2);
  (*registry)->refresh();
  auto latest = (*registry)->resolve("payment_fraud");
  REQUIRE(latest.ok());
  CHECK((*latest)->info().version == "2");
  // No temporary directories are left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir.path("models/payment_fraud"))) {
    CHECK(e.path().filename().string().rfind(".tmp", 0) != 0);
  }
}

TEST_CASE("train: meta.json holds features, training summary, metrics and references", "[train]") {
  TempDir dir;
  std::string data = payments_table(dir);
  auto result = run_train_job(small_job(data, dir.path("models")));
  REQUIRE(result.ok());
  auto meta = nlohmann::json::parse(test::slurp(dir.path("models/payment_fraud/1/meta.json")));
  CHECK(meta["format"] == "ledgerflow-model-meta/1");
  CHECK(meta["name"] == "payment_fraud");
  CHECK(meta["version"] == 1);
  CHECK(meta["objective"] == "binary:logistic");
  CHECK(meta["label"] == "label_fraud");
  REQUIRE(meta["features"].size() == payments_model_features().size());
  CHECK(meta["features"][0] == nlohmann::json{{"name", "amount"}, {"type", "number"}});
  const auto& training = meta["training"];
  CHECK(training["rows"] == 3000);
  CHECK(training["train_rows"] == 2400);
  CHECK(training["holdout_rows"] == 600);
  CHECK(training["seed"] == 3);
  CHECK(training["rounds"] == 20);
  CHECK(training["max_depth"] == 3);
  CHECK(training["eta"] == 0.3);
  CHECK(training["data_file"] == data);
  CHECK(training["data_sha256"] == *file_sha256(data));
  for (const char* metric : {"auc", "pr_auc", "log_loss"}) {
    INFO(metric);
    REQUIRE(meta["metrics"].contains(metric));
    CHECK(meta["metrics"][metric].is_number());
  }
  const auto& reference = meta["reference"];
  for (const auto& name : payments_model_features()) {
    INFO(name);
    const auto& f = reference["features"][name];
    REQUIRE(f.is_object());
    CHECK(f["missing_share"].is_number());
    CHECK(f["quantiles"].size() == 11);
    const auto& h = f["histogram"];
    std::size_t total = 0;
    for (const auto& c : h["counts"]) total += c.get<std::size_t>();
    CHECK(total == 2400);
  }
  CHECK(reference["features"]["new_payee"]["histogram"]["values"].size() == 2);  // a 0/1 feature
  CHECK(reference["features"]["amount"]["histogram"]["cuts"].size() == 9);
  const auto& score = reference["score"]["histogram"];
  CHECK(score["edges"].size() == 11);
  std::size_t scored = 0;
  for (const auto& c : score["counts"]) scored += c.get<std::size_t>();
  CHECK(scored == 2400);
}

TEST_CASE("train: the same seed and data give byte-identical model.json and meta.json", "[train]") {
  TempDir dir;
  std::string data = payments_table(dir);
  REQUIRE(run_train_job(small_job(data, dir.path("a"))).ok());
  REQUIRE(run_train_job(small_job(data, dir.path("b"))).ok());
  for (const char* file : {"model.json", "meta.json"}) {
    INFO(file);
    std::string a = test::slurp(dir.path(std::string("a/payment_fraud/1/") + file));
    CHECK(!a.empty());
    CHECK(a == test::slurp(dir.path(std::string("b/payment_fraud/1/") + file)));
  }
  auto other = small_job(data, dir.path("c"));
  other.seed = 4;
  REQUIRE(run_train_job(other).ok());
  CHECK(test::slurp(dir.path("a/payment_fraud/1/model.json")) !=
        test::slurp(dir.path("c/payment_fraud/1/model.json")));
}

TEST_CASE("train: bad names, bad data and bad parameters are refused", "[train]") {
  TempDir dir;
  std::string data = payments_table(dir);
  auto job = small_job(data, dir.path("models"));
  job.name = "Bad-Name";
  auto bad_name = run_train_job(job);
  REQUIRE_FALSE(bad_name.ok());
  CHECK_THAT(bad_name.error().message, Catch::Contains("not a model name"));

  job = small_job(dir.write("bad.csv", "amount,label_fraud\n1,0\n2,x\n"), dir.path("models"));
  job.features = {"amount"};
  auto bad_data = run_train_job(job);
  REQUIRE_FALSE(bad_data.ok());
  CHECK(bad_data.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(bad_data.error().message, Catch::Contains("row 2, column 'label_fraud'"));

  job =
      small_job(dir.write("labels.csv", "amount,label_fraud\n1,0\n2,3\n3,1\n"), dir.path("models"));
  job.features = {"amount"};
  auto bad_label = run_train_job(job);
  REQUIRE_FALSE(bad_label.ok());
  CHECK_THAT(bad_label.error().message, Catch::Contains("[0, 1]"));

  job = small_job(data, dir.path("models"));
  job.params = {{"max_bin", "not-a-number"}};
  CHECK_FALSE(run_train_job(job).ok());
  CHECK_FALSE(std::filesystem::exists(dir.path("models/payment_fraud/1")));

  auto missing = small_job(dir.path("nope.csv"), dir.path("models"));
  auto r = run_train_job(missing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::not_found);
}

TEST_CASE("cross-validation: seeded stratified folds", "[train]") {
  std::vector<float> labels(100, 0);
  for (int i = 0; i < 20; ++i) labels[i * 5] = 1;
  auto folds = assign_folds(labels, 5, 1);
  CHECK(folds == assign_folds(labels, 5, 1));
  CHECK(folds != assign_folds(labels, 5, 2));
  std::vector<int> positives(5, 0), sizes(5, 0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    ++sizes[folds[i]];
    positives[folds[i]] += labels[i] == 1;
  }
  CHECK(sizes == std::vector<int>(5, 20));
  CHECK(positives == std::vector<int>(5, 4));

  TempDir dir;
  auto table = read_numeric_csv(payments_table(dir), {"label_fraud", payments_model_features()});
  REQUIRE(table.ok());
  auto job = small_job("", "");
  auto cv = cross_validate(*table, job, 3);
  REQUIRE(cv.ok());
  CHECK(cv->folds.size() == 3);
  REQUIRE(cv->mean_auc);
  CHECK(*cv->mean_auc > 0.9);
  CHECK(cross_validate(*table, job, 1).error().code == ErrorCode::invalid_argument);
}

TEST_CASE("xgboost train: explicit holdout rows (cross-validation folds)", "[train]") {
  TempDir dir;
  std::vector<float> x, y;
  for (int i = 0; i < 40; ++i) {
    x.push_back(static_cast<float>(i));
    y.push_back(i % 2 == 0 ? 1.0f : 0.0f);
  }
  ledgerflow::plugins::TrainSpec spec;
  spec.features = x;
  spec.num_features = 1;
  spec.labels = y;
  spec.rounds = 2;
  spec.model_path = dir.path("m.json");
  spec.holdout_indices = {1, 2, 30};
  auto ok = ledgerflow::plugins::train(spec);
  REQUIRE(ok.ok());
  CHECK(ok->holdout_indices == std::vector<std::size_t>{1, 2, 30});
  CHECK(ok->holdout_rows == 3);
  CHECK(ok->train_rows == 37);
  for (auto bad : {std::vector<std::size_t>{2, 1}, std::vector<std::size_t>{1, 1},
                   std::vector<std::size_t>{40}}) {
    spec.holdout_indices = bad;
    auto r = ledgerflow::plugins::train(spec);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("holdout_indices"));
  }
}
