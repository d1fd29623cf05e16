// FakeFinanceStore: an in-memory records::FinanceStore (RecordStore + ReceivablesLedger +
// CreditLedger) for tests whose subject is the finance actions, matchers and workflows,
// not SQLite. No file, no temporary directory, no migrations.
//
// What it models, with the semantics of storage::SqliteRecordStore (plugins/finance/
// sqlite) — tests/unit/plugins/finance/records/store_contract_test.cpp runs the same
// assertions against both so the two cannot drift:
//  - records: upsert by key (inserted / updated / unchanged by canonical JSON text,
//    invoice lines removed by an invoice sent with inline lines), arrival seq kept on
//    update, the next seq of a table one past its largest; get, key-prefix lookups in
//    key order (line numbers numerically); the lookup columns derived by the production
//    records::stored_value (records/stored_columns.h): invoices by normalised number or
//    by day, vendors by IBAN, a vendor's invoice count/total before a seq, receipts of a
//    PO line, a vendor's payments by request time;
//  - the vendor bank history, derived by the production records::bank_account_change
//    (records/vendor_bank.h), recorded once per (vendor, time, IBAN);
//  - the journal: the production posting rule records::repost (records/journal_rules.h),
//    entry ids that only grow, a key reused for another document refused as a conflict;
//  - the AR ledger: invoice state created and corrected on import as the finance
//    schema's triggers do (plugins/finance/sqlite/finance_schema.cpp, version 3; SQL
//    there, so re-stated here), cash application with its refusals by the production
//    rules (records/ar_rules.h) and idempotent re-runs, payment decisions and the
//    unapplied worklist, credit notes and write-offs, dunning, promises, disputes,
//    customer history as of a day, credit holds (released when their invoice closes),
//    open orders, order decisions, credit-limit changes (logged once per instance),
//    AP commitments.
// Every write is all or nothing: it runs on a copy of the state that replaces the state
// only when the write succeeds.
//
// What it does not model: durability, concurrent readers seeing a snapshot while a
// write runs (one mutex serialises everything), SQLite's error messages (the error codes
// match; messages are the fake's own), schema versions, busy timeouts, or corrupt data.
// Floating-point sums in customer_history may differ from SQLite's in the last bits
// (another summation order).
//
// Test hooks (not part of the interface): record counts, the journal's entries and the
// credit-limit change log, to check what was written without SQL.
// Thread-safety: every method is thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "plugins/finance/records/finance_store.h"
#include "plugins/finance/records/stored_columns.h"

namespace finance_fakes {

namespace records = ledgerflow::records;
template <typename T>
using Result = ledgerflow::Result<T>;

// One journal entry as posted (the journal table's columns).
struct PostedEntry {
  records::JournalEntry entry;
  records::JournalPosting posting;
};

// One logged credit-limit change (the credit_limit_changes table's columns).
struct LoggedLimitChange {
  std::string customer_id;
  std::int64_t old_limit_e4 = 0, new_limit_e4 = 0;
  std::int64_t changed_at_us = 0;
  std::string changed_by, reason, instance_id;
};

class FakeFinanceStore final : public records::FinanceStore {
 public:
  // records::RecordStore
  Result<bool> exists(const records::RecordType& type,
                      const std::vector<std::string>& key_prefix) override;
  Result<records::UpsertCounts> upsert(const std::vector<records::Record>& batch,
                                       const std::string& user, std::int64_t now_us) override;
  Result<std::optional<records::StoredRecord>> get(const records::RecordType& type,
                                                   const std::vector<std::string>& key) override;
  Result<std::vector<records::StoredRecord>> by_key_prefix(
      const records::RecordType& type, const std::vector<std::string>& key_prefix,
      std::size_t limit) override;
  Result<std::vector<records::StoredRecord>> receipts_for(const std::string& po_number, int line_no,
                                                          std::size_t limit) override;
  Result<std::vector<records::InvoiceRow>> invoices_by_number(const std::string& vendor_id,
                                                              const std::string& number_norm,
                                                              std::size_t limit) override;
  Result<std::vector<records::InvoiceRow>> invoices_by_day(const std::string& vendor_id,
                                                           int first_day, int last_day,
                                                           std::size_t limit) override;
  Result<std::vector<std::string>> vendors_by_iban(const std::string& iban,
                                                   std::size_t limit) override;
  Result<InvoiceTotals> vendor_invoice_totals(const std::string& vendor_id,
                                              std::int64_t before_seq) override;
  Result<std::vector<records::StoredRecord>> payments_by_vendor(const std::string& vendor_id,
                                                                std::int64_t from_us,
                                                                std::int64_t to_us,
                                                                std::size_t limit) override;
  Result<std::vector<records::BankChange>> bank_history(const std::string& vendor_id,
                                                        std::size_t limit) override;
  Result<records::JournalEntry> post(const records::JournalPosting& posting) override;
  Result<std::size_t> journal_size() override;

  // records::ReceivablesLedger
  Result<std::optional<records::ArInvoiceState>> ar_invoice(const std::string& invoice_id) override;
  Result<records::CustomerArHistory> customer_history(const std::string& customer_id, int day,
                                                      int lookback_days) override;
  Result<std::vector<records::ArInvoiceState>> open_ar_of_customer(const std::string& customer_id,
                                                                   std::size_t limit) override;
  Result<std::vector<records::ArInvoiceState>> ar_by_number_key(const std::string& key,
                                                                std::size_t limit) override;
  Result<std::vector<records::ArInvoiceState>> open_ar_by_outstanding(std::int64_t outstanding_e4,
                                                                      std::size_t limit) override;
  Result<std::vector<records::ArInvoiceState>> open_ar_page(const std::string& after_invoice_id,
                                                            std::size_t limit) override;
  Result<void> record_risk(const std::string& invoice_id, double p_late, double expected_days_late,
                           double sd_days_late, const std::string& model_version,
                           std::int64_t now_us) override;
  Result<records::ApplicationResult> apply(const records::PaymentApplication& application) override;
  Result<void> set_payment_state(const records::PaymentApplication& decision) override;
  Result<std::optional<records::PaymentState>> payment_state(
      const std::string& payment_id) override;
  Result<std::vector<records::PaymentState>> unapplied_payments(const std::string& status,
                                                                std::int64_t before_us,
                                                                const std::string& before_id,
                                                                std::size_t limit) override;
  Result<records::ApplicationResult> close_invoice(const std::string& invoice_id,
                                                   const std::string& kind, int day,
                                                   const std::string& by,
                                                   const std::string& instance_id,
                                                   std::int64_t now_us) override;
  Result<void> record_dunning(const std::string& invoice_id, const std::string& level,
                              std::int64_t now_us) override;
  Result<void> set_promise(const std::string& invoice_id, std::optional<int> day,
                           std::int64_t now_us) override;
  Result<void> record_dispute(const std::string& invoice_id, int day, std::int64_t now_us) override;
  Result<void> resolve_dispute(const std::string& invoice_id, int day,
                               std::int64_t now_us) override;

  // records::CreditLedger
  Result<void> place_credit_hold(const std::string& customer_id, const std::string& invoice_id,
                                 const std::string& by, std::int64_t now_us) override;
  Result<std::size_t> release_credit_holds(const std::string& customer_id,
                                           const std::string& invoice_id, const std::string& by,
                                           std::int64_t now_us) override;
  Result<std::vector<std::string>> customers_on_hold(std::size_t limit) override;
  Result<records::OpenOrders> open_orders(const std::string& customer_id, std::int64_t before_seq,
                                          int day, int lookback_days) override;
  Result<void> record_order_decision(const std::string& order_id, const std::string& status,
                                     const std::string& by, const std::string& instance_id,
                                     const std::string& reason, std::int64_t now_us) override;
  Result<std::optional<std::string>> order_decision(const std::string& order_id) override;
  Result<records::CreditLimitChange> update_credit_limit(
      const std::string& customer_id, std::int64_t new_limit_e4, const std::string& by,
      const std::string& reason, const std::string& instance_id, std::int64_t now_us) override;
  Result<std::vector<records::ApCommitment>> ap_commitments(int from_day, int to_day,
                                                            std::size_t limit) override;

  // Test hooks: how many records of a type are stored ("invoices"); the journal in entry
  // order; the credit-limit change log in order.
  std::size_t record_count(std::string_view type) const;
  std::vector<PostedEntry> journal() const;
  std::vector<LoggedLimitChange> credit_limit_changes() const;

  // The state; public so the implementation's helpers (finance_fakes.cpp) can take it.
  // Tests use the interface and the hooks above.
  struct Row {
    std::int64_t seq = 0;
    std::int64_t updated_at_us = 0;
    nlohmann::json data;
    std::string text;  // data as stored (its dump): "unchanged" compares this
  };
  using Key = std::vector<records::StoredValue>;
  struct Hold {
    std::int64_t placed_at_us = 0;
    std::string placed_by;
    std::optional<std::int64_t> released_at_us;
    std::string released_by;
  };
  struct ArApplication {
    std::int64_t amount_e4 = 0;
    int applied_day = 0;
    std::int64_t applied_at_us = 0;
    std::string applied_by, instance_id;
  };
  struct State {
    std::map<std::string, std::map<Key, Row>, std::less<>> tables;  // by record type name
    // (vendor_id, changed_at_us, iban) -> changed_by
    std::map<std::tuple<std::string, std::int64_t, std::string>, std::string> bank_history;
    std::vector<PostedEntry> journal;
    std::int64_t last_entry_id = 0;
    std::map<std::string, records::ArInvoiceState> ar_state;  // the number comes from the record
    // (payment_id, invoice_id, kind)
    std::map<std::tuple<std::string, std::string, std::string>, ArApplication> applications;
    std::map<std::string, records::PaymentState> payments;
    std::map<std::pair<std::string, std::string>, Hold> holds;  // (customer, invoice)
    std::map<std::string, std::string> order_decisions;         // order -> status
    std::vector<LoggedLimitChange> limit_changes;
  };

 private:
  mutable std::mutex mu_;
  State state_;
};

}  // namespace finance_fakes
