// RecordStore: where business records live (docs/record_formats.md), and the lookups the
// finance actions make on them. The SQLite implementation (storage/sqlite/
// sqlite_record_store.h) shares the engine's database file.
//
// Records are upserted by key and never deleted. Every lookup is bounded by `limit` and
// served by an index (no scans): they run once per workflow step.
// Thread-safety: implementations are safe to use from many threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"
#include "plugins/finance/records/record_types.h"

namespace ledgerflow::records {

struct UpsertCounts {
  std::size_t inserted = 0;
  std::size_t updated = 0;
  std::size_t unchanged = 0;
  std::size_t removed = 0;  // invoice lines no longer in an invoice sent with inline lines
};

struct StoredRecord {
  std::int64_t seq = 0;  // arrival order (kept when the record is updated)
  nlohmann::json data;   // canonical (record_types.h)
};

// An AP invoice as duplicate detection sees it.
struct InvoiceRow {
  std::string invoice_id, vendor_id, invoice_number, po_number;
  int day = 0;  // invoice_date, days since 1970-01-01
  std::int64_t amount_e4 = 0;
  std::int64_t seq = 0;
};

struct BankChange {
  std::int64_t changed_at_us = 0;
  std::string iban;
  std::string changed_by;
};

struct JournalPosting {
  std::string idempotency_key;  // the action's key: a re-run posts once
  std::string instance_id;
  std::string document_type;  // "invoice", "payment"
  std::string document_id;
  std::int64_t amount_e4 = 0;
  std::string currency;
  nlohmann::json data;  // the entry's lines, references
  std::int64_t posted_at_us = 0;
};

struct JournalEntry {
  std::int64_t entry_id = 0;
  std::int64_t posted_at_us = 0;
  std::string instance_id;
  bool already_posted = false;  // an earlier run (same key) had posted it
};

class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Whether a record of `type` whose first key columns equal `key_prefix` exists.
  virtual Result<bool> exists(const RecordType& type,
                              const std::vector<std::string>& key_prefix) = 0;
  // Inserts or updates `batch` in one transaction: all of it or none. A record whose
  // canonical data is unchanged is left alone (its row is not rewritten). `user` is who
  // imports (recorded as the bank-detail changer when a vendor's IBAN changes and the
  // record does not say who changed it).
  virtual Result<UpsertCounts> upsert(const std::vector<Record>& batch, const std::string& user,
                                      std::int64_t now_us) = 0;
  virtual Result<std::optional<StoredRecord>> get(const RecordType& type,
                                                  const std::vector<std::string>& key) = 0;
  // Records whose first key columns equal `key_prefix`, in key order (PO lines of a PO,
  // lines of an invoice).
  virtual Result<std::vector<StoredRecord>> by_key_prefix(
      const RecordType& type, const std::vector<std::string>& key_prefix, std::size_t limit) = 0;
  virtual Result<std::vector<StoredRecord>> receipts_for(const std::string& po_number, int line_no,
                                                         std::size_t limit) = 0;

  // AP duplicate detection: a vendor's invoices with a normalised number, or dated in
  // [first_day, last_day]; vendors paid into one IBAN.
  virtual Result<std::vector<InvoiceRow>> invoices_by_number(const std::string& vendor_id,
                                                             const std::string& number_norm,
                                                             std::size_t limit) = 0;
  virtual Result<std::vector<InvoiceRow>> invoices_by_day(const std::string& vendor_id,
                                                          int first_day, int last_day,
                                                          std::size_t limit) = 0;
  virtual Result<std::vector<std::string>> vendors_by_iban(const std::string& iban,
                                                           std::size_t limit) = 0;
  // A vendor's invoices that arrived before `before_seq`: how many, and their total (e4).
  struct InvoiceTotals {
    std::int64_t count = 0;
    std::int64_t amount_e4 = 0;
  };
  virtual Result<InvoiceTotals> vendor_invoice_totals(const std::string& vendor_id,
                                                      std::int64_t before_seq) = 0;

  // Payment screening: a vendor's outgoing payments requested in [from_us, to_us), oldest
  // first; its bank-detail changes, oldest first.
  virtual Result<std::vector<StoredRecord>> payments_by_vendor(const std::string& vendor_id,
                                                               std::int64_t from_us,
                                                               std::int64_t to_us,
                                                               std::size_t limit) = 0;
  virtual Result<std::vector<BankChange>> bank_history(const std::string& vendor_id,
                                                       std::size_t limit) = 0;

  // Appends a journal entry, once per idempotency key and once per document: posting a
  // document a second time under another key is a conflict naming the first entry.
  virtual Result<JournalEntry> post(const JournalPosting& posting) = 0;
  virtual Result<std::size_t> journal_size() = 0;
};

}  // namespace ledgerflow::records
