#include "crash/ap_fixture.h"

#include <filesystem>
#include <fstream>

namespace ledgerflow::crash {

rt::Actor clerk() {
  return rt::Actor{"clerk", {"ap_clerk"}};
}

rt::Actor manager() {
  return rt::Actor{"mgr", {"ap_manager"}};
}

const std::string& ap_workflow_yaml() {
  static const std::string yaml = R"(
workflow: ap_crash
title: AP-like invoice flow (crash test)
start: score_risk
states:
  score_risk:
    type: score
    model: invoice_risk
    features:
      amount: invoice.amount
      vendor_age_days: invoice.vendor_age_days
      round_amount: "invoice.amount % 100 == 0 ? 1 : 0"
    explain: 2
    output: risk
    next: decide_tier
  decide_tier:
    type: decide
    hit: first
    rules:
      - {when: invoice.route == "approve", result: {tier: manager}}
      - {when: invoice.route == "hold", result: {tier: hold}}
      - {when: risk.probability < 0.5, result: {tier: auto}}
    default: {tier: auto_watch}
    output: tier
    next: route
  route:
    type: choice
    choices:
      - {when: tier.tier == "manager", next: manager_approval}
      - {when: tier.tier == "hold", next: hold}
    default: mark_checked
  hold: {type: wait, duration: PT0.2S, next: mark_held}
  mark_held: {type: task, action: set, with: {held: true}, next: mark_checked}
  manager_approval:
    type: approval
    title: "Approve invoice ${invoice.id}"
    candidates: {roles: [ap_manager]}
    forbid: [invoice.submitted_by]
    output: review
    on: {approved: mark_approved, rejected: rejected}
  mark_approved: {type: task, action: set, with: {approved: true}, next: mark_checked}
  mark_checked:
    type: task
    action: set
    with: {checked: true, tier_name: "${tier.tier}"}
    next: post
  post:
    type: task
    action: ledger.post
    with: {invoice_id: "${invoice.id}", amount: "${invoice.amount}"}
    output: posting
    retry: [{errors: [action_error], max_attempts: 3, initial: PT0.1S, jitter: false}]
    catch: [{errors: [any], next: post_failed}]
    next: done
  done:
    type: succeed
    result: {invoice_id: "${invoice.id}", tier: "${tier.tier}", status: posted}
  rejected: {type: fail, error: invoice_rejected}
  post_failed: {type: fail, error: posting_failed}
)";
  return yaml;
}

bool write_risk_model(const std::string& dir) {
  const nlohmann::json model = {
      {"format", "ledgerflow-linear/1"},
      {"kind", "logistic"},
      {"name", kModelName},
      {"version", "1"},
      {"features",
       {{{"name", "amount"}, {"coef", 0.8}, {"mean", 5000.0}, {"scale", 3000.0}},
        {{"name", "vendor_age_days"}, {"coef", -0.6}, {"mean", 400.0}, {"scale", 300.0}},
        {{"name", "round_amount"}, {"coef", 0.4}}}},
      {"intercept", -1.2},
      {"labels", {{"threshold", 0.5}, {"above", "high"}, {"below", "low"}}}};
  std::error_code ec;
  const auto version_dir = std::filesystem::path(dir) / kModelName / "1";
  std::filesystem::create_directories(version_dir, ec);
  if (ec) return false;
  std::ofstream out(version_dir / "model.json", std::ios::binary | std::ios::trunc);
  out << model.dump(2) << "\n";
  return static_cast<bool>(out.flush());
}

nlohmann::json make_invoice(std::mt19937_64& rng, int approve_pct, int hold_pct) {
  std::uniform_int_distribution<int> pct(0, 99);
  std::uniform_int_distribution<int> amount(10, 20000);
  std::uniform_int_distribution<int> age(0, 2000);
  std::uniform_int_distribution<std::uint64_t> id;
  const int p = pct(rng);
  const char* route = p < approve_pct ? "approve" : p < approve_pct + hold_pct ? "hold" : "auto";
  return {{"invoice",
           {{"id", "INV-" + std::to_string(id(rng) % 1'000'000'000)},
            {"amount", amount(rng)},
            {"vendor_age_days", age(rng)},
            {"submitted_by", clerk().user},
            {"route", route}}}};
}

}  // namespace ledgerflow::crash
