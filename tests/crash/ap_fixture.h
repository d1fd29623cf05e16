// ApFixture: the AP-like workflow, the logistic model and the invoices the crash test
// drives. Shared by the crash driver (which runs and checks it) and the Catch2 test
// (which writes the model directory before the first driver starts).
//
// Paths through the workflow (chosen by the invoice's `route`, so the mix is controlled):
//   auto     score → decide → choice → set → ledger.post → succeed
//   approve  score → decide → choice → approval (waits for a human) → set → set → ledger.post
//   hold     score → decide → choice → wait PT0.2S (a durable timer) → set → set → ledger.post
// ledger.post is an action (the outbox; see ledger_post_runner.h) retried on action_error
// after PT0.1S timers, so every path crosses at least one commit → effect → commit.
// Thread-safety: stateless functions and constants.
#pragma once

#include <cstdint>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/runtime/event.h"

namespace ledgerflow::crash {

inline constexpr const char* kWorkflowName = "ap_crash";
inline constexpr const char* kModelName = "invoice_risk";

// The submitter (never allowed to approve) and the approver.
rt::Actor clerk();
rt::Actor manager();

// The workflow definition (YAML).
const std::string& ap_workflow_yaml();

// Writes <dir>/invoice_risk/1/model.json ("ledgerflow-linear/1", logistic).
// Returns false when the file cannot be written.
bool write_risk_model(const std::string& dir);

// A random invoice; `approve_pct` and `hold_pct` of them take those paths.
nlohmann::json make_invoice(std::mt19937_64& rng, int approve_pct, int hold_pct);

}  // namespace ledgerflow::crash
