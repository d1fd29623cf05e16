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
// Thread-safety: run() may be called from many threads (the store is thread-safe).
#pragma once

#include <string>

#include "plugins/finance/records/record_store.h"
#include "engine/runtime/action_runner.h"
#include "engine/runtime/clock.h"

namespace ledgerflow::finance {

class FinanceActionRunner final : public rt::ActionRunner {
 public:
  FinanceActionRunner(records::RecordStore& store, const rt::Clock& clock)
      : store_(store), clock_(clock) {}
  bool handles(const std::string& action) const override;
  rt::ActionResult run(const rt::ActionRequest& request) override;

 private:
  rt::ActionResult duplicate_candidates(const rt::ActionRequest& request);
  rt::ActionResult match(const rt::ActionRequest& request);
  rt::ActionResult post_invoice(const rt::ActionRequest& request);
  rt::ActionResult payment_history(const rt::ActionRequest& request);
  rt::ActionResult release_payment(const rt::ActionRequest& request);

  records::RecordStore& store_;
  const rt::Clock& clock_;
};

}  // namespace ledgerflow::finance
