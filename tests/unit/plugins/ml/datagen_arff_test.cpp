// ARFF conversion (plugins/ml/arff.h) and the German credit check: the public
// credit-g data set from Debian's weka package, one-hot encoded, 5-fold cross-validated
// with the trainer; the mean AUC must be near what is published for gradient boosting
// on it (about 0.75-0.80).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>

#include "plugins/ml/arff.h"
#include "plugins/ml/cross_validation.h"
#include "plugins/ml/csv_writer.h"
#include "plugins/ml/numeric_csv.h"
#include "support/generated_csv.h"

using namespace ledgerflow::datagen;
using ledgerflow::Result;
namespace fs = std::filesystem;

namespace {

const char* kSmall = R"(% a comment
@relation 'tiny'
@attribute checking_status { '<0', '0<=X<200', 'no checking'}
@attribute duration numeric
@attribute own_telephone {none, yes}
@attribute class {good, bad}
@data
'<0',6,yes,good
'no checking',?,none,bad
% trailing comment
'0<=X<200',12.5,none,good
)";

std::string error_of(const Result<ArffData>& r) {
  return r ? "" : r.error().message;
}

// Runs a shell command quietly; true when it exits 0.
bool run_quietly(const std::string& command) {
  return std::system((command + " >/dev/null 2>&1").c_str()) == 0;
}

// credit-g.arff from Debian's weka package, downloaded once into a cache directory
// (apt-get download needs no root and no JRE). Empty when it cannot be had.
std::string german_credit_arff(std::string& why) {
  fs::path cache = fs::temp_directory_path() / "ledgerflow-test-cache" / "weka";
  std::error_code ec;
  fs::create_directories(cache, ec);
  fs::path arff = cache / "usr/share/doc/weka/examples/credit-g.arff";
  if (fs::exists(arff)) return arff.string();
  fs::path deb;
  auto find_deb = [&] {
    for (const auto& e : fs::directory_iterator(cache, ec)) {
      auto name = e.path().filename().string();
      if (name.rfind("weka_", 0) == 0 && e.path().extension() == ".deb") deb = e.path();
    }
  };
  find_deb();
  if (deb.empty()) {
    if (!run_quietly("cd '" + cache.string() + "' && timeout 120 apt-get download weka")) {
      why = "apt-get download weka failed (no network or no Debian archive?)";
      return "";
    }
    find_deb();
    if (deb.empty()) {
      why = "apt-get download weka left no weka_*.deb in " + cache.string();
      return "";
    }
  }
  if (!run_quietly("dpkg-deb -x '" + deb.string() + "' '" + cache.string() + "'")) {
    why = "dpkg-deb -x " + deb.string() + " failed";
    return "";
  }
  if (!fs::exists(arff) && fs::exists(arff.string() + ".gz")) {
    run_quietly("gunzip -kf '" + arff.string() + ".gz'");
  }
  if (!fs::exists(arff)) {
    why = deb.filename().string() + " has no usr/share/doc/weka/examples/credit-g.arff";
    return "";
  }
  return arff.string();
}

}  // namespace

TEST_CASE("arff: parse and convert with one-hot or ordinal codes", "[datagen]") {
  auto data = parse_arff(kSmall, "tiny.arff");
  INFO(error_of(data));
  REQUIRE(data.ok());
  CHECK(data->relation == "tiny");
  REQUIRE(data->attributes.size() == 4);
  CHECK(data->attributes[0].values == std::vector<std::string>{"<0", "0<=X<200", "no checking"});
  REQUIRE(data->rows.size() == 3);
  CHECK_FALSE(data->rows[1][1].has_value());

  auto csv = arff_to_csv(*data, {true, "class", "bad"});
  REQUIRE(csv.ok());
  CHECK(*csv ==
        "checking_status__lt_0,checking_status__0_le_x_lt_200,checking_status__no_checking,"
        "duration,own_telephone__yes,class\n"
        "1,0,0,6,1,0\n"
        "0,0,1,,0,1\n"
        "0,1,0,12.5,0,0\n");
  auto ordinal = arff_to_csv(*data, {false, "class", "bad"});
  REQUIRE(ordinal.ok());
  CHECK(*ordinal == "checking_status,duration,own_telephone,class\n0,6,1,0\n2,,0,1\n1,12.5,0,0\n");
  CHECK_FALSE(arff_to_csv(*data, {true, "class", "ugly"}).ok());
  CHECK(column_name("0<=X<200") == "0_le_x_lt_200");
  CHECK(column_name("'no checking'") == "no_checking");
}

TEST_CASE("arff: malformed files are refused with the line", "[datagen]") {
  CHECK_THAT(error_of(parse_arff("@relation r\n@attribute a numeric\n@data\n1,2\n", "x.arff")),
             Catch::Contains("x.arff:4: 2 values for 1 attributes"));
  CHECK_THAT(error_of(parse_arff("@relation r\n@attribute a {p, q}\n@data\nz\n", "x.arff")),
             Catch::Contains("x.arff:4: 'z' is not a value of nominal attribute 'a'"));
  CHECK_THAT(error_of(parse_arff("@relation r\n@attribute a numeric\n@data\n{0 1}\n", "x.arff")),
             Catch::Contains("sparse"));
  CHECK_THAT(error_of(parse_arff("@relation r\n@attribute a string\n@data\n", "x.arff")),
             Catch::Contains("x.arff:2: attribute 'a' has type 'string'"));
  CHECK_THAT(error_of(parse_arff("@relation r\n@attribute a numeric\n@data\nfoo\n", "x.arff")),
             Catch::Contains("'foo' is not a number"));
  CHECK_THAT(error_of(parse_arff("@relation r\n@attribute a numeric\n", "x.arff")),
             Catch::Contains("no @data"));
}

TEST_CASE("German credit: 5-fold cross-validated AUC matches published results",
          "[ml][german][datagen]") {
  std::string why;
  std::string arff = german_credit_arff(why);
  if (arff.empty()) {
    WARN("SKIPPED: the German credit data is not available: " << why);
    return;
  }
  auto data = read_arff(arff);
  INFO(error_of(data));
  REQUIRE(data.ok());
  CHECK(data->rows.size() == 1000);
  CHECK(data->attributes.size() == 21);
  auto csv = arff_to_csv(*data, {true, "class", "bad"});  // 1 = bad credit risk
  REQUIRE(csv.ok());
  test::TempDir dir;
  std::string path = dir.path("credit-g.csv");
  REQUIRE(write_file_atomically(path, *csv).ok());
  auto table = read_numeric_csv(path, {"class", {}});
  REQUIRE(table.ok());
  CHECK(table->features.size() == 61);  // 7 numeric + one-hot of 13 nominal attributes
  double bad = 0;
  for (float y : table->labels) bad += y;
  CHECK(bad == 300);

  TrainJob job;
  job.rounds = 200;
  job.max_depth = 3;
  job.eta = 0.05;
  job.seed = 1;
  job.params = {{"subsample", "0.8"}, {"colsample_bytree", "0.8"}};
  auto cv = cross_validate(*table, job, 5);
  INFO((cv ? "" : cv.error().message));
  REQUIRE(cv.ok());
  REQUIRE(cv->mean_auc);
  WARN("German credit, 5-fold CV: mean AUC " << *cv->mean_auc << " (sd " << cv->sd_auc.value_or(0)
                                             << "), log loss " << cv->mean_log_loss.value_or(0));
  CHECK(*cv->mean_auc >= 0.72);
  CHECK(*cv->mean_auc <= 0.82);
}
