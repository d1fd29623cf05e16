// The business records gen-data produces, in memory: one struct per record type of
// docs/record_formats.md, with the same field names. Money is integer cents (written as
// decimal strings with 2 decimals), dates are days since 1970-01-01, timestamps seconds
// since the epoch (UTC) plus the offset they are shown with. Fields after "generator
// only" are not written to the record files: they describe what was injected, for the
// features, labels and tests.
// Thread-safety: plain values.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ledgerflow::datagen {

// The period generated records fall in: 2024-01-01 to 2025-12-31 (master data such as
// vendors and customers may be older).
inline constexpr int kDataFirstDay = 19723;  // 2024-01-01, days since 1970-01-01
inline constexpr int kDataLastDay = 20453;   // 2025-12-31

// One generated file: its name in the output directory, its text and its data rows.
struct GeneratedFile {
  std::string name;
  std::string contents;
  std::size_t rows = 0;
};

// ---- accounts payable and payments

struct BankChange {
  std::int64_t at = 0;  // UTC seconds
  std::string iban;     // the account from then on
};

struct Vendor {
  std::string vendor_id, name, country, iban, tax_id;  // iban: the current master data
  std::int64_t created_at = 0;
  std::optional<std::int64_t> bank_changed_at;  // the latest change
  // generator only: the account history, oldest first; the first entry is the account
  // at creation (its `at` is created_at).
  std::vector<BankChange> bank_history;
};

struct PurchaseOrderLine {
  std::string po_number, vendor_id;
  int line_no = 1;
  std::string item;
  std::int64_t qty = 0;
  std::int64_t unit_price_cents = 0;
  std::string currency;
};

struct Receipt {
  std::string receipt_id, po_number;
  int line_no = 1;
  std::int64_t qty_received = 0;
  std::int64_t received_at = 0;
};

enum class ApPattern {
  none,
  exact_duplicate,
  near_duplicate,
  resubmission,
  cross_vendor_duplicate,
  split,
  price_mismatch,
  quantity_mismatch,
};

struct InvoiceLine {
  int line_no = 1;
  std::optional<int> po_line_no;
  std::int64_t qty = 0;
  std::int64_t unit_price_cents = 0;
};

// Invoices are kept in arrival order (the order AP entered them); invoice_id follows it.
struct Invoice {
  std::string invoice_id, vendor_id, invoice_number;
  int invoice_date = 0, due_date = 0;
  std::string currency;
  std::int64_t amount_cents = 0;  // = sum of its lines
  std::string po_number, submitted_by;
  std::string label_duplicate_of;  // the earlier invoice this one duplicates
  bool label_error = false;        // mismatches its PO or receipt beyond tolerance
  std::vector<InvoiceLine> lines;
  // generator only
  ApPattern pattern = ApPattern::none;
  std::int64_t arrived_at = 0;
};

struct OutgoingPayment {
  std::string payment_id, vendor_id;
  std::int64_t amount_cents = 0;
  std::string currency, iban, requested_by;
  std::int64_t requested_at = 0;  // UTC seconds
  int offset_minutes = 60;        // requested_at is written in the requester's local time
  bool label_fraud = false;
  // generator only: "bank_change", "diverted_iban", "inflated_amount" or empty
  std::string pattern;
};

// ---- accounts receivable and order-to-cash

enum class PaymentBehaviour { punctual, chronic_late, deteriorating, disputer };

struct Customer {
  std::string customer_id, name, country;
  std::int64_t credit_limit_cents = 0;
  std::string currency;
  int payment_terms_days = 30;
  std::int64_t created_at = 0;
  // generator only
  PaymentBehaviour behaviour = PaymentBehaviour::punctual;
  std::optional<int> default_day;  // o2c: the day the customer stopped paying
};

// In invoice-date order (ties in issue order); invoice_id follows it.
struct ArInvoice {
  std::string invoice_id, customer_id, invoice_number;
  int invoice_date = 0, due_date = 0;
  std::string currency;
  std::int64_t amount_cents = 0;
  bool disputed = false;
  std::optional<int> label_days_late;  // empty: never settled
  // generator only
  std::optional<int> settled_on;  // due_date + days late
  int disputed_on = 0;            // when the dispute was raised (if disputed)
  std::string order_id;           // o2c: the order it bills
};

struct IncomingPayment {
  std::string payment_id, customer_id;  // customer_id may be empty
  std::int64_t amount_cents = 0;
  std::string currency;
  std::int64_t received_at = 0;
  std::string reference;
  // generator only: the invoices it settles
  std::vector<std::string> invoice_ids;
};

struct Order {
  std::string order_id, customer_id;
  int order_date = 0;
  std::string currency;
  std::int64_t amount_cents = 0;
  bool label_default = false;
  // generator only: the day it was invoiced
  int invoiced_on = 0;
};

}  // namespace ledgerflow::datagen
