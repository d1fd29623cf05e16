// `ledgerflow train` as users run it: --help, holdout metrics on stdout, the published
// version, CSV errors with row and column (exit 1), usage errors (exit 2), --cv.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "support/run_command.h"
#include "support/temp_dir.h"

namespace {

namespace fs = std::filesystem;

using Run = ledgerflow::test::CommandRun;
using ledgerflow::test::slurp;

// This process's scratch directory, removed when the test program exits.
fs::path scratch() {
  static const ledgerflow::test::TempDir dir("train-cli");
  return dir.path();
}

Run run(const std::string& args) {
  return ledgerflow::test::run_command(LF_CLI_PATH, args, scratch(), 120);
}

// Generated AR data (once per process): features.csv with label_late.
std::string ar_features() {
  static const std::string path = [] {
    auto dir = scratch() / "ar";
    auto r = run("gen-data --kind ar --rows 2000 --seed 2 --out " + dir.string());
    REQUIRE(r.exit_code == 0);
    return (dir / "features.csv").string();
  }();
  return path;
}

const char* kArFeatures =
    "amount,payment_terms_days,days_to_due,customer_age_days,avg_days_late,late_ratio,"
    "credit_utilisation";

}  // namespace

TEST_CASE("train --help names every option and the exit codes", "[unit][cli][train]") {
  auto r = run("train --help");
  CHECK(r.exit_code == 0);
  for (const char* option :
       {"--data", "--label", "--features", "--objective", "--rounds", "--max-depth", "--eta",
        "--seed", "--name", "--out", "--cv", "Exit status"}) {
    CHECK_THAT(r.out, Catch::Contains(option));
  }
}

TEST_CASE("train prints holdout metrics and publishes the next version", "[unit][cli][train]") {
  auto models = scratch() / "models";
  fs::remove_all(models);
  std::string args =
      "train --data " + ar_features() + " --label label_late --features " + kArFeatures +
      " --rounds 30 --max-depth 3 --seed 5 --name ar_late_payment --out " + models.string();
  auto r = run(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out,
             Catch::Contains("trained ar_late_payment version 1 on 1600 rows (400 held out)"));
  CHECK_THAT(r.out, Catch::Contains("holdout: AUC 0."));
  CHECK_THAT(r.out, Catch::Contains("PR-AUC"));
  CHECK_THAT(r.out, Catch::Contains("log loss"));
  CHECK(fs::exists(models / "ar_late_payment/1/model.json"));
  CHECK(fs::exists(models / "ar_late_payment/1/meta.json"));
  auto again = run(args);
  REQUIRE(again.exit_code == 0);
  CHECK_THAT(again.out, Catch::Contains("version 2"));
  CHECK(slurp(models / "ar_late_payment/1/model.json") ==
        slurp(models / "ar_late_payment/2/model.json"));
  fs::remove_all(models);
}

TEST_CASE("train: bad data exits 1 with row and column, usage errors exit 2",
          "[unit][cli][train]") {
  auto csv = scratch() / "bad.csv";
  std::ofstream(csv) << "amount,label\n1,0\n2,1\nlots,0\n";
  auto models = (scratch() / "models_bad").string();
  auto bad = run("train --data " + csv.string() + " --label label --name m --out " + models);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("row 3, column 'amount' (1): 'lots' is not a number"));
  auto no_name = run("train --data " + csv.string() + " --label label");
  CHECK(no_name.exit_code == 2);
  CHECK_THAT(no_name.err, Catch::Contains("--name"));
  auto missing = run("train --data " + (scratch() / "none.csv").string() +
                     " --label y --name m --out " + models);
  CHECK(missing.exit_code == 2);
  CHECK(run("train --data x.csv --label y --rounds 0 --name m --out " + models).exit_code == 2);
  auto param =
      run("train --data " + csv.string() + " --label label --param oops --name m --out " + models);
  CHECK(param.exit_code == 2);
}

TEST_CASE("train --cv cross-validates without publishing", "[unit][cli][train]") {
  auto r = run("train --data " + ar_features() + " --label label_late --features " + kArFeatures +
               " --rounds 20 --max-depth 3 --cv 3");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("3-fold cross-validation on 2000 rows"));
  CHECK_THAT(r.out, Catch::Contains("fold 3"));
  CHECK_THAT(r.out, Catch::Contains("mean: AUC 0."));
}
