// The demo models are trained on features.csv columns named exactly like the features
// the shipped workflows send in their score states (scripts/make-demo-models passes
// these lists to `ledgerflow train --features`); a workflow edit that renames or adds a
// feature fails here instead of at deploy time against the demo models.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <variant>

#include "engine/definition/loader.h"
#include "engine/runtime/definition_file.h"
#include "plugins/finance/datagen/ap_data.h"
#include "plugins/finance/datagen/ar_data.h"
#include "plugins/finance/datagen/o2c_data.h"
#include "plugins/finance/datagen/payments_data.h"

namespace {

std::vector<std::string> score_features(const std::string& file, const std::string& state) {
  auto loaded =
      ledgerflow::def::load_definition_file(std::string(LF_SOURCE_DIR) + "/workflows/" + file);
  REQUIRE(loaded.ok());
  REQUIRE(loaded->ok());
  const auto* s = loaded->definition->find_state(state);
  REQUIRE(s != nullptr);
  const auto* score = std::get_if<ledgerflow::def::ScoreSpec>(&s->spec);
  REQUIRE(score != nullptr);
  std::vector<std::string> names;
  for (const auto& [name, expr] : score->features) names.push_back(name);
  return names;
}

}  // namespace

TEST_CASE("datagen: training features are named as the workflows send them", "[datagen]") {
  using namespace ledgerflow::datagen;
  CHECK(score_features("ap_invoice_approval.yaml", "score_risk") == ap_model_features());
  CHECK(score_features("ar_collections.yaml", "score_late_payment") == ar_model_features());
  CHECK(score_features("o2c_credit_check.yaml", "score_credit") == o2c_model_features());
  CHECK(score_features("payment_screening.yaml", "score_fraud") == payments_model_features());

  // ... and scripts/make-demo-models trains on those lists.
  std::ifstream in(std::string(LF_SOURCE_DIR) + "/scripts/make-demo-models");
  std::stringstream script;
  script << in.rdbuf();
  for (const auto* list : {&ap_model_features(), &ar_model_features(), &o2c_model_features(),
                           &payments_model_features()}) {
    std::string joined;
    for (const auto& name : *list) joined += (joined.empty() ? "" : ",") + name;
    CHECK_THAT(script.str(), Catch::Contains("_FEATURES=" + joined + "\n"));
  }
}
