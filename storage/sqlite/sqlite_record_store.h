// SqliteRecordStore: records::RecordStore on the engine's SQLite file (tables rec_*,
// vendor_bank_history and journal of schema version 2, storage/sqlite/schema.cpp).
//
// It has its own write connection (guarded by a mutex: one import or journal posting at a
// time) and a small reader pool. The engine's SqliteStore must have opened the file first
// (it creates and migrates the schema); open() refuses an older schema. Record writes
// and the engine's group commits take turns on SQLite's write lock: an import holds it
// for the length of its transaction, so both use a generous busy timeout.
// Thread-safety: every method is thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "engine/records/record_store.h"
#include "storage/sqlite/connection.h"
#include "storage/sqlite/reader_pool.h"

namespace ledgerflow::storage {

struct RecordStoreOptions {
  std::string path;
  bool synchronous_full = true;
  std::int64_t busy_timeout_ms = 30000;
  std::size_t max_readers = 4;
};

class SqliteRecordStore final : public records::RecordStore {
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

 private:
  SqliteRecordStore(std::unique_ptr<Connection> writer, const RecordStoreOptions& options);
  Result<records::UpsertCounts> upsert_locked(const std::vector<records::Record>& batch,
                                              const std::string& user, std::int64_t now_us);
  Result<records::JournalEntry> post_locked(const records::JournalPosting& posting);
  // Runs `work` in one write transaction (under write_mu_): committed when it succeeds,
  // rolled back when it fails or throws.
  template <typename T, typename Work>
  Result<T> in_write_transaction(const std::string& what, Work work);

  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;
  ReaderPool readers_;
};

}  // namespace ledgerflow::storage
