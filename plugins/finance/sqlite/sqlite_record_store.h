// SqliteRecordStore: the finance package's records::FinanceStore on the engine's SQLite
// file: records::RecordStore on the tables rec_*, vendor_bank_history and journal, and
// records::ArLedger on the AR/O2C tables (sqlite_ar_ledger.cpp for receivables,
// sqlite_credit_ledger.cpp for credit and orders). The tables are the finance
// component's own migration list (finance_schema.h); the rec_* statements and bindings
// are built from the record-type table (records/record_types.h).
//
// It has its own write connection (guarded by a mutex: one import or journal posting at a
// time) and a small reader pool. The engine's SqliteStore must have opened the file first
// (it creates and migrates the engine's schema; open() refuses an older one); open() then
// migrates the finance tables. Record writes and the engine's group commits take turns on
// SQLite's write lock: an import holds it for the length of its transaction, so both use a
// generous busy timeout.
// Thread-safety: every method is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "plugins/finance/records/finance_store.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/reader_pool.h"

namespace ledgerflow::storage {

struct RecordStoreOptions {
  std::string path;
  bool synchronous_full = true;
  std::int64_t busy_timeout_ms = 30000;
  std::size_t max_readers = 4;
};

class SqliteRecordStore final : public records::FinanceStore {
 public:
  static Result<std::unique_ptr<SqliteRecordStore>> open(const RecordStoreOptions& options);
  ~SqliteRecordStore() override;

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

  // records::ArLedger (sqlite_ar_ledger.cpp)
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

 private:
  SqliteRecordStore(std::unique_ptr<Connection> writer, const RecordStoreOptions& options);
  // Called for every record written (not for unchanged ones) with the data stored before
  // it (nullptr for a new record): the import's finance steps hook in here.
  using OnWritten = std::function<void(const records::Record&, const nlohmann::json* before)>;
  // Writes `batch` by the record-type table (record_types.h), in the caller's transaction.
  Result<records::UpsertCounts> upsert_locked(const std::vector<records::Record>& batch,
                                              std::int64_t now_us, const OnWritten& on_written);
  Result<records::JournalEntry> post_locked(const records::JournalPosting& posting);
  Result<records::ApplicationResult> apply_locked(const records::PaymentApplication& application);
  Result<void> write_payment_state(const records::PaymentApplication& decision);
  // One UPDATE/INSERT statement with `args` bound (Connection::run) in its own write
  // transaction; fails with not_found when it changed no row and `must_change` is set.
  template <typename... Args>
  Result<void> write_one(const std::string& what, const char* sql, bool must_change,
                         const Args&... args);
  // Runs `work` in one write transaction (under write_mu_): committed when it succeeds,
  // rolled back when it fails or throws.
  template <typename T, typename Work>
  Result<T> in_write_transaction(const std::string& what, Work work);

  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  ReaderPool readers_;
};

template <typename T, typename Work>
Result<T> SqliteRecordStore::in_write_transaction(const std::string& what, Work work) {
  std::lock_guard lock(write_mu_);
  auto begun = writer_->exec("BEGIN IMMEDIATE", "starting " + what);
  if (!begun) return begun.error();
  // Anything thrown while the transaction is open (e.g. by JSON encoding) must roll it
  // back: an open transaction would hold SQLite's write lock for good.
  Result<T> out = Error::io(what + " did not run");
  try {
    out = work();
  } catch (const std::exception& e) {
    out = Error::invalid(what + " failed: " + e.what());
  }
  if (out) {
    auto committed = writer_->exec("COMMIT", "committing " + what);
    if (committed) return out;
    out = committed.error();
  }
  if (writer_->in_transaction()) (void)writer_->exec("ROLLBACK", "rolling back " + what);
  return out;
}

template <typename... Args>
Result<void> SqliteRecordStore::write_one(const std::string& what, const char* sql,
                                          bool must_change, const Args&... args) {
  return in_write_transaction<void>(what, [&]() -> Result<void> {
    auto done = writer_->run(sql, what, args...);
    if (!done) return done.error();
    if (must_change && writer_->changes() == 0) {
      return Error{ErrorCode::not_found, what + ": no such record"};
    }
    return {};
  });
}

}  // namespace ledgerflow::storage
