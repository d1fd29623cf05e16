// Payment screening on data no one tuned for (issue 6, item 8): 20,000 generated outgoing
// payments (fixed seed) through workflows/payment_screening.yaml in-process, the
// payment_fraud model trained on ANOTHER seed's data. Held = waiting in treasury_review
// or senior_review; printed: the fraud confusion matrix (recall, false-hold rate), what
// was caught per fraud pattern, and, per model feature, how often the workflow's value
// differs from the training table's (features.csv).
//
// The issue sets no figure for payments, so the test asserts what must hold whatever the
// model (every payment screened and either released or held; released ones journalled)
// and prints the rest. Known gap: vendors.csv is the master data at the END of the period
// while the training features use the bank history as of each request, so features that
// read `vendor.*` differ at scoring time (printed per feature).
#include <catch2/catch.hpp>
#include <cstdio>
#include <iostream>

#include "engine/runtime/state.h"
#include "engine/scoring/pseudonym.h"
#include "plugins/finance/datagen/datagen.h"
#include "plugins/finance/datagen/payments_data.h"
#include "scenario/generate.h"
#include "scenario/scenario_engine.h"

namespace {

using namespace ledgerflow;
using namespace ledgerflow::scenario;
using nlohmann::json;

constexpr std::size_t kPayments = 20'000;
constexpr std::uint64_t kSeed = 6101;
constexpr std::uint64_t kTrainSeed = 6102;
constexpr const char* kWorkflow = "payment_screening";

// Whether the decision record's value of a feature is `want`: a number, or (features
// computed from sensitive data) the pseudonym of `want` as an integer or a double.
bool same_feature(const json& got, double want) {
  if (got.is_number()) {
    return std::abs(got.get<double>() - want) <= 1e-6 * std::max(1.0, std::abs(want));
  }
  if (!got.is_string()) return false;
  for (const json& v : {json(want), json(static_cast<std::int64_t>(want))}) {
    if (scoring::pseudonymise(v, kPseudonymKey) == got) return true;
  }
  return false;
}

}  // namespace

// Issue 6 asks for fraud recall and the false-hold rate without a figure: both are printed
// (81.4% and 2.6% when last measured). What a screen must do in any case is asserted: hold a
// fraudulent payment more often than a legitimate one.
TEST_CASE(
    "Payments scenario: 20,000 generated payments. Goal: a fraud is held more often than a "
    "legitimate payment (fraud recall > false-hold rate)",
    "[scenario][payments]") {
  std::cout << "Payments scenario: " << kPayments << " payments, data seed " << kSeed
            << ", model trained on seed " << kTrainSeed << "\n";
  TempDir tmp("payments-scenario");
  Stopwatch total;

  generate_into(datagen::Kind::payments, kPayments, kSeed, tmp.path() / "data");
  generate_into(datagen::Kind::payments, kPayments, kTrainSeed, tmp.path() / "train");
  const auto& model_features = datagen::payments_model_features();
  const double auc = train_model(tmp.path() / "train", tmp.path() / "models", "payment_fraud",
                                 "label_fraud", model_features);

  Stopwatch run;
  ScenarioEngine engine(tmp.path() / "ledgerflow.db", tmp.path() / "models");
  engine.deploy("workflows/payment_screening.yaml");
  const auto report = engine.import_dir(tmp.path() / "data", {"vendors", "outgoing_payments"},
                                        "outgoing_payments", kWorkflow);
  CHECK(report.started == kPayments);
  engine.settle();
  const double run_s = run.seconds();

  const auto instances = engine.instances(kWorkflow);
  REQUIRE(instances.size() == kPayments);
  const CsvIndex features = read_csv_index(tmp.path() / "data" / "features.csv");

  std::size_t released = 0, treasury = 0, senior = 0, other = 0;
  Confusion fraud;
  std::map<std::string, std::pair<std::size_t, std::size_t>> by_pattern;  // held, all
  // feature -> {differs on fraud, differs on legitimate}
  std::map<std::string, std::pair<std::size_t, std::size_t>> differs;
  std::size_t false_holds_differing = 0, misses_differing = 0;
  for (const auto& [id, v] : instances) {
    const bool is_fraud = features.at(id, "label_fraud") == "1";
    const bool waiting_task =
        v.status == rt::InstanceStatus::waiting && v.wait == static_cast<int>(rt::WaitKind::task);
    const bool held = waiting_task && (v.state == "treasury_review" || v.state == "senior_review");
    if (v.status == rt::InstanceStatus::succeeded) {
      ++released;
    } else if (held) {
      ++(v.state == "senior_review" ? senior : treasury);
    } else {
      ++other;
    }
    fraud.add(held, is_fraud);
    const std::string pattern = features.at(id, "label_pattern");
    auto& [caught, all] = by_pattern[pattern.empty() ? "legitimate" : pattern];
    caught += held ? 1 : 0;
    ++all;
    const json sent = v.data.value("risk", json::object()).value("features", json::object());
    bool any_differs = false;
    for (const auto& name : model_features) {
      const std::string& cell = features.at(id, name);
      const double want = cell.empty() ? 0 : std::stod(cell);
      if (!same_feature(sent.value(name, json()), want)) {
        auto& [on_fraud, on_legit] = differs[name];
        (is_fraud ? on_fraud : on_legit) += 1;
        any_differs = true;
      }
    }
    if (any_differs && held != is_fraud) ++(held ? false_holds_differing : misses_differing);
  }
  auto journal = engine.records().journal_size();
  REQUIRE(journal);

  std::printf(
      "\nTime: import + run %.1f s (%.0f payments/s), total %.1f s; model holdout AUC "
      "%.3f\n",
      run_s, static_cast<double>(kPayments) / run_s, total.seconds(), auc);
  std::printf(
      "\nRouting: released %zu, treasury_review %zu, senior_review %zu, other %zu; "
      "journal entries %zu\n\n",
      released, treasury, senior, other, *journal);
  std::cout << fraud.format("Fraud (held = treasury_review or senior_review)", "fraud");
  std::printf("  false-hold rate: %.2f%% of legitimate payments held (%zu of %zu)\n",
              100 * fraud.false_positive_rate(), fraud.fp, fraud.fp + fraud.tn);
  for (const auto& [pattern, counts] : by_pattern) {
    std::printf("  %-20s held %zu of %zu\n", pattern.c_str(), counts.first, counts.second);
  }
  std::printf(
      "\nModel features differing from features.csv (fraud / legitimate payments; "
      "pseudonymised ones compared through the HMAC):\n");
  for (const auto& name : model_features) {
    const auto it = differs.find(name);
    const auto counts =
        it == differs.end() ? std::make_pair<std::size_t, std::size_t>(0, 0) : it->second;
    std::printf("  %-26s %6zu / %6zu\n", name.c_str(), counts.first, counts.second);
  }
  std::printf(
      "  wrong calls with a differing feature: %zu of %zu false holds, %zu of %zu missed "
      "frauds\n",
      false_holds_differing, fraud.fp, misses_differing, fraud.fn);
  std::cout.flush();

  CHECK(other == 0);
  CHECK(released + treasury + senior == kPayments);
  CHECK(*journal == released);
  // goal: a fraud is held more often than a legitimate payment
  CHECK(fraud.recall() > fraud.false_positive_rate());
}
