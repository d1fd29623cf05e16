// FinanceActionRunner: the finance actions of the shipped workflows, on the business
// records of a RecordStore.
//
//   ap.duplicate_candidates  {invoice, lookback_days?=365, split_window_days?=3}
//       earlier-arrived invoices that duplicate this one by the rules of
//       plugins/finance/records/duplicate_rules.h, found through indexes (same vendor + normalised
//       number; same vendor within 7 days; vendors sharing the IBAN on the same day), and
//       the vendor's other recent invoices for split detection.
//   ap.three_way_match       {invoice, po_number, tolerances?} (three_way_match.h)
//   ledger.post              {invoice} -> one journal entry per invoice (idempotent)
//   ap.vendor_payment_history {vendor_id, as_of?, payment_id?, lookback_days?=365}
//   treasury.release_payment {payment_id} -> a journal entry for the payment (idempotent)
//
// Bad arguments are `action_error`s naming the argument; a store failure is an
// `action_error` too (retryable by the workflow).
// Each name maps to its method in one table (actions()); install() registers them in the
// engine's rt::ActionTable.
// Thread-safety: run() and the installed handlers may be called from many threads (the
// store is thread-safe).
#pragma once

#include <memory>
#include <span>
#include <string>

#include "plugins/finance/records/record_store.h"
#include "engine/runtime/action_runner.h"
#include "engine/runtime/clock.h"

namespace ledgerflow::finance {

class FinanceActionRunner final : public rt::ActionRunner {
 public:
  FinanceActionRunner(records::RecordStore& store, const rt::Clock& clock)
      : store_(store), clock_(clock) {}
  // Registers the five actions in `table`, each bound to `runner` (the handlers share
  // ownership of it). invalid_argument when a name is taken already.
  static Result<void> install(const std::shared_ptr<FinanceActionRunner>& runner,
                              rt::ActionTable& table);
  // Runs the request's action directly (callers holding the runner: tests, benches).
  rt::ActionResult run(const rt::ActionRequest& request) override;

 private:
  using Perform = rt::ActionResult (*)(FinanceActionRunner&, const rt::ActionRequest&);
  struct Entry {
    const char* name;
    Perform perform;
  };
  // The actions by name: the one place a name meets its method.
  static std::span<const Entry> actions();
  // Runs `perform`, turning bad arguments and store failures into action errors.
  rt::ActionResult call(Perform perform, const rt::ActionRequest& request);
  rt::ActionResult duplicate_candidates(const rt::ActionRequest& request);
  rt::ActionResult match(const rt::ActionRequest& request);
  rt::ActionResult post_invoice(const rt::ActionRequest& request);
  rt::ActionResult payment_history(const rt::ActionRequest& request);
  rt::ActionResult release_payment(const rt::ActionRequest& request);

  records::RecordStore& store_;
  const rt::Clock& clock_;
};

}  // namespace ledgerflow::finance
