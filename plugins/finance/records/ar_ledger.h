// ArLedger: the accounts-receivable and order-to-cash state the AR/O2C actions read and
// write beside the imported records (finance schema version 3, plugins/finance/sqlite/
// finance_schema.cpp), in two narrower halves: ReceivablesLedger (what
// is still open on each customer invoice, the cash applied to it, disputes, promises to
// pay, dunning levels, the late-payment risk) and CreditLedger (credit holds, open
// orders, order decisions, credit-limit changes, AP commitments of the cash forecast).
//
// Point in time: every "as of `day`" query sees the start of that day: invoices issued
// before it, invoices closed before it. A day is days since 1970-01-01 (UTC).
// Money is e4 (records/decimal.h). Every list is bounded by `limit` and served by an
// index. Writes are transactions: all of an application or none.
// Thread-safety: implementations are safe to use from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::records {

// One AR invoice as the ledger sees it.
struct ArInvoiceState {
  std::string invoice_id, customer_id, invoice_number, currency;
  int invoice_day = 0, due_day = 0;
  std::int64_t amount_e4 = 0;
  std::int64_t applied_e4 = 0;  // cash, bank charges, credit notes and write-offs
  std::string status;           // open, paid, credited, written_off
  std::optional<int> closed_day;
  std::optional<int> disputed_day;
  std::optional<int> dispute_resolved_day;  // rejected by an AR manager: collected again
  std::optional<int> promised_day;
  std::string dunning_level;  // the last dunning stage done ("" none)
  std::optional<double> p_late, expected_days_late, sd_days_late;
  std::string model_version;
  std::int64_t outstanding_e4() const { return amount_e4 - applied_e4; }
  bool open() const { return status == "open"; }
  bool in_dispute() const { return disputed_day && !dispute_resolved_day; }
};

// A customer's receivables as of the start of `day` (plugins/finance/datagen/README.md "AR
// features" and "O2C features" define the same quantities on generated data).
struct CustomerArHistory {
  // Invoices paid in [day - lookback, day): days late = closed_day - due_day.
  std::size_t settled_count = 0;
  double avg_days_late = 0;
  double late_ratio = 0;
  double sd_days_late = 0;       // population sd of days late (0 with < 2 settlements)
  std::size_t recent_count = 0;  // the (up to) 3 latest payments before `day`
  double recent_days_late = 0;
  // Issued before `day` and not closed before it.
  std::size_t open_count = 0;
  std::int64_t open_e4 = 0;
  std::int64_t overdue_e4 = 0;          // due before `day`
  std::size_t overdue_30_count = 0;     // more than 30 days past due
  std::size_t disputed_open_count = 0;  // dispute raised before `day`, not resolved before it
  // Raised in [day - lookback, day); invoices issued in that window.
  std::size_t disputes = 0;
  std::size_t issued_count = 0;
  std::int64_t issued_mean_e4 = 0;
  bool on_credit_hold = false;  // now (not as of `day`): holds are released by people
};

// Cash applied to one invoice.
struct Allocation {
  std::string invoice_id;
  std::int64_t amount_e4 = 0;
  std::string kind = "cash";  // cash, bank_charges, credit_note, write_off
};

struct PaymentApplication {
  std::string payment_id;  // for credit notes and write-offs: "credit_note:<invoice>" etc.
  std::string customer_id;
  std::vector<Allocation> allocations;
  int applied_day = 0;  // the payment's day: when the invoices it closes stopped being open
  std::int64_t now_us = 0;
  std::string by;                  // user or "system"
  std::string instance_id;         // the workflow instance that applied it
  std::string status = "applied";  // ar_payment_state: applied, review, unapplied
  std::int64_t unapplied_e4 = 0;
  std::string flags;  // comma separated
};

struct AppliedInvoice {
  std::string invoice_id;
  std::int64_t applied_e4 = 0;      // by this application
  std::int64_t outstanding_e4 = 0;  // left after it
  bool closed = false;              // closed by this application
};

struct ApplicationResult {
  bool already_applied = false;  // an earlier run of the same application (idempotent)
  std::vector<AppliedInvoice> invoices;
};

struct PaymentState {
  std::string payment_id, status, customer_id, flags, instance_id;
  std::int64_t applied_e4 = 0, unapplied_e4 = 0;
  std::int64_t updated_at_us = 0;
  // From the incoming_payments record (payment_states only).
  std::string currency, reference, received_at;
  std::int64_t amount_e4 = 0;
};

struct OpenOrders {
  std::size_t count = 0;
  std::int64_t amount_e4 = 0;
};

// An AP invoice approved for payment (posted to the journal) and due in a range.
struct ApCommitment {
  std::string invoice_id, currency;
  int due_day = 0;
  std::int64_t amount_e4 = 0;
};

struct CreditLimitChange {
  std::int64_t old_limit_e4 = 0, new_limit_e4 = 0;
};

class ReceivablesLedger {
 public:
  virtual ~ReceivablesLedger() = default;

  virtual Result<std::optional<ArInvoiceState>> ar_invoice(const std::string& invoice_id) = 0;
  virtual Result<CustomerArHistory> customer_history(const std::string& customer_id, int day,
                                                     int lookback_days) = 0;

  // Open invoices: of a customer (oldest due first); whose number key is `key` (any
  // customer, open or not); with exactly `outstanding_e4` left (any customer); all of
  // them after `after_invoice_id` in id order (the worklist and the forecast page through).
  virtual Result<std::vector<ArInvoiceState>> open_ar_of_customer(const std::string& customer_id,
                                                                  std::size_t limit) = 0;
  virtual Result<std::vector<ArInvoiceState>> ar_by_number_key(const std::string& key,
                                                               std::size_t limit) = 0;
  virtual Result<std::vector<ArInvoiceState>> open_ar_by_outstanding(std::int64_t outstanding_e4,
                                                                     std::size_t limit) = 0;
  virtual Result<std::vector<ArInvoiceState>> open_ar_page(const std::string& after_invoice_id,
                                                           std::size_t limit) = 0;

  // The late-payment model's view of an invoice (the worklist and the forecast read it).
  virtual Result<void> record_risk(const std::string& invoice_id, double p_late,
                                   double expected_days_late, double sd_days_late,
                                   const std::string& model_version, std::int64_t now_us) = 0;
  // Applies cash: every allocation or none. An allocation larger than what is left on an
  // open invoice, or to a closed one, is a conflict naming it. Re-running the same
  // payment's application is `already_applied`.
  virtual Result<ApplicationResult> apply(const PaymentApplication& application) = 0;
  // Records what cash application decided without applying anything (review, unapplied).
  virtual Result<void> set_payment_state(const PaymentApplication& decision) = 0;
  virtual Result<std::optional<PaymentState>> payment_state(const std::string& payment_id) = 0;
  // Payments whose cash is not (all) applied: in review, left unapplied, or applied with a
  // remainder (`status` "" = all three), newest first, after the page that ended at
  // (`before_us`, `before_id`).
  virtual Result<std::vector<PaymentState>> unapplied_payments(const std::string& status,
                                                               std::int64_t before_us,
                                                               const std::string& before_id,
                                                               std::size_t limit) = 0;
  // Closes what is left of an open invoice as a credit note or a write-off.
  virtual Result<ApplicationResult> close_invoice(const std::string& invoice_id,
                                                  const std::string& kind, int day,
                                                  const std::string& by,
                                                  const std::string& instance_id,
                                                  std::int64_t now_us) = 0;

  virtual Result<void> record_dunning(const std::string& invoice_id, const std::string& level,
                                      std::int64_t now_us) = 0;
  virtual Result<void> set_promise(const std::string& invoice_id, std::optional<int> day,
                                   std::int64_t now_us) = 0;
  // A dispute raised (again: a resolved one reopens) and a dispute resolved without a credit
  // note (the invoice is collected again).
  virtual Result<void> record_dispute(const std::string& invoice_id, int day,
                                      std::int64_t now_us) = 0;
  virtual Result<void> resolve_dispute(const std::string& invoice_id, int day,
                                       std::int64_t now_us) = 0;
};

class CreditLedger {
 public:
  virtual ~CreditLedger() = default;

  // Credit holds: placed by dunning for an invoice, released when the invoice closes (paid,
  // credited, written off or corrected: in the same transaction) or by the workflow; a
  // customer with any unreleased hold is on hold.
  virtual Result<void> place_credit_hold(const std::string& customer_id,
                                         const std::string& invoice_id, const std::string& by,
                                         std::int64_t now_us) = 0;
  virtual Result<std::size_t> release_credit_holds(const std::string& customer_id,
                                                   const std::string& invoice_id,
                                                   const std::string& by, std::int64_t now_us) = 0;
  virtual Result<std::vector<std::string>> customers_on_hold(std::size_t limit) = 0;

  // O2C: orders of the customer that arrived before `before_seq`, were placed in
  // [day - lookback, day], are not blocked and were not invoiced before `day`.
  virtual Result<OpenOrders> open_orders(const std::string& customer_id, std::int64_t before_seq,
                                         int day, int lookback_days) = 0;
  virtual Result<void> record_order_decision(const std::string& order_id, const std::string& status,
                                             const std::string& by, const std::string& instance_id,
                                             const std::string& reason, std::int64_t now_us) = 0;
  virtual Result<std::optional<std::string>> order_decision(const std::string& order_id) = 0;
  // Rewrites the customer record's credit_limit (the ERP stays master: a later import
  // overwrites it) and logs the change.
  virtual Result<CreditLimitChange> update_credit_limit(
      const std::string& customer_id, std::int64_t new_limit_e4, const std::string& by,
      const std::string& reason, const std::string& instance_id, std::int64_t now_us) = 0;

  // Cash forecast outflows: AP invoices posted to the journal, due in [from_day, to_day].
  virtual Result<std::vector<ApCommitment>> ap_commitments(int from_day, int to_day,
                                                           std::size_t limit) = 0;
};

class ArLedger : public ReceivablesLedger, public CreditLedger {};

}  // namespace ledgerflow::records
