// RulesScorer ("ledgerflow-rules/1"): loading, first and max hit policies, the default,
// the reason and the deciding rule, located errors for bad files, wrong widths, missing
// values, and dispatch through the DirectoryRegistry.
#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "plugins/registry/directory_registry.h"
#include "plugins/rules/rules_scorer.h"
#include "support/temp_dir.h"

using ledgerflow::ErrorCode;
using ledgerflow::plugins::DirectoryRegistry;
using ledgerflow::plugins::RulesScorer;
using ledgerflow::test::TempDir;

namespace {

// Line numbers matter: tests below point into this text.
const char* kModel = R"({
  "format": "ledgerflow-rules/1",
  "features": ["amount", "new_vendor", "days_since_bank_change"],
  "hit": "HIT",
  "rules": [
    {"when": "new_vendor == 1 && amount > 10000", "score": 0.7, "reason": "new vendor, large amount"},
    {"when": "days_since_bank_change != null && days_since_bank_change < 14", "score": 0.95,
     "reason": "bank account changed recently"}
  ],
  "default": {"score": 0.05, "reason": "no rule matched"}
})";

std::string model(const std::string& hit) {
  std::string text = kModel;
  text.replace(text.find("HIT"), 3, hit);
  return text;
}

std::unique_ptr<RulesScorer> load(const std::string& text) {
  auto m = RulesScorer::from_text(text, "m.json", "ap_rules", "1");
  INFO((m.ok() ? "" : m.error().message));
  REQUIRE(m.ok());
  return std::move(*m);
}

std::string error_of(const std::string& text) {
  auto m = RulesScorer::from_text(text, "m.json", "ap_rules", "1");
  REQUIRE_FALSE(m.ok());
  CHECK(m.error().code == ErrorCode::invalid_argument);
  return m.error().message;
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("rules: the first rule that holds decides, with its reason", "[unit][rules]") {
  auto m = load(model("first"));
  CHECK(m->info().kind == "rules");
  CHECK(m->info().objective == "binary:logistic");
  CHECK(m->info().features ==
        std::vector<std::string>{"amount", "new_vendor", "days_since_bank_change"});
  // Both rules hold: the first wins.
  std::vector<double> both = {20000, 1, 3};
  auto r = m->score(both, 0);
  REQUIRE(r.ok());
  CHECK(r->score == 0.7);
  REQUIRE(r->probability);
  CHECK(*r->probability == 0.7);
  CHECK(r->label == "new vendor, large amount");
  CHECK(r->explanation == "rules[0]: new_vendor == 1 && amount > 10000");
  // None holds (the bank change is missing: NaN): the default.
  std::vector<double> none = {50, 0, std::nan("")};
  r = m->score(none, 3);
  REQUIRE(r.ok());
  CHECK(r->score == 0.05);
  CHECK(r->label == "no rule matched");
  CHECK(r->explanation == "default");
  CHECK(r->contributions.empty());
}

TEST_CASE("rules: hit max takes the highest score of the rules that hold", "[unit][rules]") {
  auto m = load(model("max"));
  std::vector<double> both = {20000, 1, 3};
  auto r = m->score(both, 0);
  REQUIRE(r.ok());
  CHECK(r->score == 0.95);
  CHECK(r->label == "bank account changed recently");
  CHECK(r->explanation.rfind("rules[1]: ", 0) == 0);
}

TEST_CASE("rules: a wrong width, infinities and failing conditions are errors", "[unit][rules]") {
  auto m = load(model("first"));
  std::vector<double> two = {1, 2};
  auto r = m->score(two, 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK(r.error().message.find("expects 3 features, got 2") != std::string::npos);
  std::vector<double> inf = {INFINITY, 0, 1};
  CHECK_FALSE(m->score(inf, 0).ok());
  // A condition over a missing value without a null guard fails the score (and so the
  // step, with a catchable scorer_error), naming the rule.
  std::vector<double> missing = {std::nan(""), 1, 100};
  r = m->score(missing, 0);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().message.find("rules[0]") != std::string::npos);
  CHECK(r.error().message.find("null") != std::string::npos);
}

TEST_CASE("rules: bad model files are refused with file:line:column", "[unit][rules]") {
  const std::string good = model("first");
  SECTION("an unknown feature in a condition, with a did-you-mean") {
    auto e = error_of(replace(good, "amount > 10000", "amont > 10000"));
    CHECK(e.find("m.json:6:") == 0);
    CHECK(e.find("rules[0].when") != std::string::npos);
    CHECK(e.find("unknown feature 'amont' (did you mean 'amount'?)") != std::string::npos);
  }
  SECTION("a syntax error points into the condition") {
    auto e = error_of(replace(good, "amount > 10000", "amount >> 10000"));
    CHECK(e.find("m.json:6:") == 0);
    CHECK(e.find("rules[0].when") != std::string::npos);
  }
  SECTION("a condition that is not a boolean") {
    auto e = error_of(replace(good, "new_vendor == 1 && amount > 10000", "amount + 1"));
    CHECK(e.find("m.json:6:") == 0);
    CHECK(e.find("not a boolean") != std::string::npos);
  }
  SECTION("a score outside [0, 1]") {
    auto e = error_of(replace(good, "\"score\": 0.7", "\"score\": 7"));
    CHECK(e.find("m.json:6:") == 0);
    CHECK(e.find("rules[0].score") != std::string::npos);
  }
  SECTION("a missing default") {
    auto e = error_of(replace(good, R"(,
  "default": {"score": 0.05, "reason": "no rule matched"})",
                              ""));
    CHECK(e.find("default") != std::string::npos);
  }
  SECTION("an unknown field, with a did-you-mean") {
    auto e = error_of(replace(good, "\"hit\"", "\"hits\""));
    CHECK(e.find("m.json:4:3: hits: unknown field (did you mean 'hit'?)") == 0);
  }
  SECTION("a bad hit policy") {
    CHECK(error_of(model("unique")).find("m.json:4:10: hit:") == 0);
  }
  SECTION("duplicate features") {
    auto e = error_of(replace(good, "\"days_since_bank_change\"]", "\"amount\"]"));
    CHECK(e.find("duplicate feature 'amount'") != std::string::npos);
  }
  SECTION("a truncated file") {
    auto e = error_of(good.substr(0, good.size() / 2));
    CHECK(e.find("m.json:") == 0);
  }
  SECTION("a name that disagrees with the registry") {
    auto e = error_of(replace(good, "\"format\"", "\"name\": \"other\", \"format\""));
    CHECK(e.find("the file says 'other'") != std::string::npos);
  }
}

TEST_CASE("rules: the directory registry loads rules models", "[unit][rules]") {
  TempDir dir;
  dir.write("ap_rules/1/model.json", model("first"));
  dir.write("broken/1/model.json", replace(model("first"), "amount > 10000", "amont > 1"));
  auto registry = DirectoryRegistry::open(dir.path());
  REQUIRE(registry.ok());
  auto scorer = (*registry)->resolve("ap_rules");
  INFO((scorer.ok() ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  CHECK((*scorer)->info().name == "ap_rules");
  CHECK((*scorer)->info().version == "1");
  auto broken = (*registry)->resolve("broken@1");
  REQUIRE_FALSE(broken.ok());
  CHECK(broken.error().message.find("broken/1/model.json:6:") != std::string::npos);
}
