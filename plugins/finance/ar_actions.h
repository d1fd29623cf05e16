// ArActionRunner: the accounts-receivable and order-to-cash actions of the shipped
// workflows (workflows/ar_collections.yaml, ar_cash_application.yaml,
// o2c_credit_check.yaml) on a records::ArLedger and the imported records.
//
//   ar.customer_history  {customer_id, as_of, lookback_days?=365}
//       the customer's payment behaviour and open balance as of the start of `as_of`
//       (records/ar_ledger.h CustomerArHistory; the ar_late_payment features)
//   ar.track_invoice     {invoice_id, p_late, expected_days_late, sd_days_late?, model_version?}
//       the late-payment risk, for the worklist and the cash forecast
//   ar.dunning_next      {invoice_id, stages: [{level, days, action}]}
//       the invoice's status and the next dunning stage after the last one done, with
//       its time (due date + days, 08:00 UTC); level "done" after the last
//   ar.record_dunning    {invoice_id, level}
//   ar.record_promise    {invoice_id, promised_date, max_days?=60, grace_days?=3}
//   ar.promise_broken    {invoice_id}
//   ar.record_dispute    {invoice_id}, ar.resolve_dispute {invoice_id} (rejected: collect again)
//   ar.issue_credit_note {invoice_id}, ar.write_off {invoice_id}
//   ar.place_credit_hold {customer_id, invoice_id}, ar.release_credit_hold {customer_id,
//   invoice_id} ar.match_payment     {payment, policy?: {short_tolerance, short_tolerance_pct,
//   auto_apply_min}}
//       cash application (cash_matcher.h) over the candidates the ledger finds: invoices
//       the reference names, the payer's open invoices, open invoices of that amount
//   ar.apply_payment     {payment, allocations, short_amount?, flags?}
//       applies the cash (and bank charges for a short payment) in one transaction; its
//       result asks the engine to signal the ar_collections instance of every invoice it
//       closed (payment_received, correlation = invoice id; rt::SignalRequest)
//   ar.leave_unapplied   {payment, status: review|unapplied, flags?}
//   o2c.credit_exposure  {order, customer, lookback_days?=365}
//       open AR + open (unbilled) orders + this order, overdue and disputed AR, credit
//       hold (the o2c_credit_risk features)
//   o2c.release_order {order_id}, o2c.block_order {order_id, reason}
//   o2c.update_credit_limit {customer_id, new_limit, reason, approved_by}
//
// Bad arguments are `action_error`s naming the argument; a ledger conflict (a payment
// applied twice, an invoice already closed) is a `conflict`.
// Each name maps to its method in one table (actions()); install() registers them in the
// engine's rt::ActionTable.
// Thread-safety: run() and the installed handlers may be called from many threads.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/records/finance_store.h"
#include "plugins/finance/records/record_store.h"
#include "engine/runtime/action_runner.h"
#include "engine/runtime/clock.h"

namespace ledgerflow::finance {

class ArActionRunner final : public rt::ActionRunner {
 public:
  ArActionRunner(records::RecordStore& records, records::ArLedger& ledger, const rt::Clock& clock)
      : records_(records), ledger_(ledger), clock_(clock) {}
  // The finance package's store, passed once: its records and its ledger.
  ArActionRunner(records::FinanceStore& store, const rt::Clock& clock)
      : ArActionRunner(store, store, clock) {}
  // Registers the AR and O2C actions in `table`, each bound to `runner` (the handlers
  // share ownership of it). invalid_argument when a name is taken already.
  static Result<void> install(const std::shared_ptr<ArActionRunner>& runner,
                              rt::ActionTable& table);
  // Runs the request's action directly (callers holding the runner: tests, benches).
  rt::ActionResult run(const rt::ActionRequest& request) override;

 private:
  using Perform = rt::ActionResult (*)(ArActionRunner&, const rt::ActionRequest&);
  struct Entry {
    const char* name;
    Perform perform;
  };
  // The actions by name: the one place a name meets its method.
  static std::span<const Entry> actions();
  // Runs `perform`, turning bad arguments and ledger failures into action errors.
  rt::ActionResult call(Perform perform, const rt::ActionRequest& request);
  rt::ActionResult customer_history(const rt::ActionRequest& request);
  rt::ActionResult track_invoice(const rt::ActionRequest& request);
  rt::ActionResult dunning_next(const rt::ActionRequest& request);
  rt::ActionResult record_dunning(const rt::ActionRequest& request);
  rt::ActionResult record_promise(const rt::ActionRequest& request);
  rt::ActionResult promise_broken(const rt::ActionRequest& request);
  rt::ActionResult record_dispute(const rt::ActionRequest& request);
  rt::ActionResult resolve_dispute(const rt::ActionRequest& request);
  rt::ActionResult close_invoice(const rt::ActionRequest& request, const std::string& kind);
  rt::ActionResult credit_hold(const rt::ActionRequest& request, bool place);
  rt::ActionResult match_payment(const rt::ActionRequest& request);
  rt::ActionResult apply_payment(const rt::ActionRequest& request);
  rt::ActionResult leave_unapplied(const rt::ActionRequest& request);
  rt::ActionResult credit_exposure(const rt::ActionRequest& request);
  rt::ActionResult order_decision(const rt::ActionRequest& request, const std::string& status);
  rt::ActionResult update_credit_limit(const rt::ActionRequest& request);
  static rt::SignalRequest paid_signal(const std::string& invoice_id,
                                       const nlohmann::json& payload);
  int today() const;

  records::RecordStore& records_;
  records::ArLedger& ledger_;
  const rt::Clock& clock_;
};

}  // namespace ledgerflow::finance
