#include "plugins/finance/sqlite/sqlite_record_store.h"

#include <algorithm>
#include <map>
#include <variant>

#include "plugins/finance/records/journal_rules.h"
#include "plugins/finance/records/stored_columns.h"
#include "plugins/finance/records/vendor_bank.h"
#include "plugins/finance/sqlite/finance_schema.h"
#include "storage/sqlite/schema.h"

namespace ledgerflow::storage {
namespace {

using records::Record;
using records::RecordType;
using records::StoredColumn;
using records::StoredRecord;

std::string where_key(const std::vector<StoredColumn>& key, std::size_t parts) {
  std::string out;
  for (std::size_t i = 0; i < parts; ++i) {
    out.append(i == 0 ? " WHERE " : " AND ").append(key[i].column).append(" = ?");
  }
  return out;
}

std::string key_order(const std::vector<StoredColumn>& key) {
  std::string out;
  for (const auto& c : key) out.append(out.empty() ? " ORDER BY " : ", ").append(c.column);
  return out;
}

// The statements of one record table, built from its RecordType (record_types.cpp) only:
// never from values. Parameters: insert = key, lookups, seq, updated_at_us, data;
// update = lookups, updated_at_us, data, key.
struct TableSql {
  std::string table;
  std::vector<StoredColumn> key, lookups;
  std::string select_data, insert, update, max_seq;
};

TableSql build_sql(const RecordType& t) {
  TableSql s;
  s.table = t.table;
  s.key = t.key_columns();
  s.lookups = t.lookups;
  const std::string& table = s.table;
  s.select_data = "SELECT data FROM " + table + where_key(s.key, s.key.size());
  std::string cols, marks, sets;
  for (const auto& c : s.key) {
    cols.append(cols.empty() ? "" : ", ").append(c.column);
    marks.append(marks.empty() ? "?" : ", ?");
  }
  for (const auto& c : t.lookups) {
    cols.append(", ").append(c.column);
    marks.append(", ?");
    sets.append(c.column).append(" = ?, ");
  }
  s.insert = "INSERT INTO " + table + " (" + cols + ", seq, updated_at_us, data) VALUES (" + marks +
             ", ?, ?, ?)";
  s.update = "UPDATE " + table + " SET " + sets + "updated_at_us = ?, data = ?" +
             where_key(s.key, s.key.size());
  s.max_seq = "SELECT coalesce(max(seq), 0) FROM " + table;
  return s;
}

Error no_table(std::string_view type) {
  return Error::invalid("no record table for type '" + std::string(type) + "'");
}

// The statements of `type`'s table; no_table for a type without one.
Result<const TableSql*> sql_for(const RecordType& type) {
  static const std::map<std::string_view, TableSql> cache = [] {
    std::map<std::string_view, TableSql> m;
    for (const auto& t : records::record_types()) {
      if (!t.table.empty()) m.emplace(t.name, build_sql(t));
    }
    return m;
  }();
  auto it = cache.find(type.name);
  if (it == cache.end()) return no_table(type.name);
  return &it->second;
}

// sql_for, for a lookup by the first `parts` key columns (1..all).
Result<const TableSql*> sql_for_prefix(const RecordType& type, std::size_t parts) {
  auto sql = sql_for(type);
  if (!sql) return sql.error();
  const std::size_t size = (*sql)->key.size();
  if (parts == 0 || parts > size) {
    return Error::invalid("a key prefix of 1.." + std::to_string(size) + " parts");
  }
  return sql;
}

void bind_value(Statement& s, int index, const records::StoredValue& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) {
    s.bind_int(index, *n);
  } else {
    s.bind_text(index, std::get<std::string>(v));
  }
}

void bind_derived(Statement& s, int index, const nlohmann::json& data, const StoredColumn& c) {
  bind_value(s, index, records::stored_value(data, c));
}

// A key (prefix) given as text, bound by its column's type.
void bind_key(Statement& s, const std::vector<StoredColumn>& key,
              const std::vector<std::string>& parts) {
  for (std::size_t i = 0; i < parts.size(); ++i) {
    bind_value(s, static_cast<int>(i + 1), records::key_part_value(key[i], parts[i]));
  }
}

records::InvoiceRow invoice_row(const Statement& s) {
  records::InvoiceRow r;
  r.invoice_id = s.column_text(0);
  r.vendor_id = s.column_text(1);
  r.invoice_number = s.column_text(2);
  r.po_number = s.column_text(3);
  r.day = static_cast<int>(s.column_int(4));
  r.amount_e4 = s.column_int(5);
  r.seq = s.column_int(6);
  return r;
}

constexpr std::string_view kInvoiceColumns =
    "SELECT invoice_id, vendor_id, json_extract(data, '$.invoice_number'), po_number, "
    "invoice_day, amount_e4, seq FROM rec_invoices";

StoredRecord stored(const Statement& s) {
  return {s.column_int(0), nlohmann::json::parse(s.column_text(1), nullptr, false)};
}

// Removes the lines of `invoice_id` whose numbers are not in `keep`; how many.
Result<std::size_t> remove_other_lines(Connection& db, const std::string& invoice_id,
                                       const std::vector<std::int64_t>& keep) {
  const std::string doing = "replacing the lines of invoice " + invoice_id;
  auto on_file = db.query(
      "SELECT line_no FROM rec_invoice_lines WHERE invoice_id = ?", doing,
      [](const Statement& r) { return r.column_int(0); }, invoice_id);
  if (!on_file) return on_file.error();
  std::size_t removed = 0;
  for (std::int64_t line : *on_file) {
    if (std::find(keep.begin(), keep.end(), line) != keep.end()) continue;
    auto deleted = db.run("DELETE FROM rec_invoice_lines WHERE invoice_id = ? AND line_no = ?",
                          doing, invoice_id, line);
    if (!deleted) return deleted.error();
    ++removed;
  }
  return removed;
}

// The import's finance step after its records are written: the vendors' bank history.
Result<void> record_bank_changes(Connection& db, const std::vector<records::BankAccountChange>& c) {
  for (const auto& change : c) {
    auto inserted = db.run(
        "INSERT OR IGNORE INTO vendor_bank_history (vendor_id, changed_at_us, iban, changed_by) "
        "VALUES (?, ?, ?, ?)",
        "recording the bank history of vendor " + change.vendor_id, change.vendor_id,
        change.changed_at_us, change.iban, change.changed_by);
    if (!inserted) return inserted.error();
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::open(const RecordStoreOptions& o) {
  auto db = Connection::open(o.path, Connection::Mode::read_write, o.busy_timeout_ms);
  if (!db) return db.error();
  auto version = (*db)->query_int("PRAGMA user_version", "reading the schema version");
  if (!version) return version.error();
  if (*version < schema_version()) {
    return Error{ErrorCode::unavailable,
                 o.path + ": the finance tables need the engine's schema version " +
                     std::to_string(schema_version()) + " (found " + std::to_string(*version) +
                     "); open the engine store first to migrate"};
  }
  auto migrated = migrate_finance(**db);
  if (!migrated) return migrated.error();
  auto sync =
      (*db)->exec(o.synchronous_full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                  "setting synchronous");
  if (!sync) return sync.error();
  auto temp = (*db)->exec("PRAGMA temp_store = MEMORY", "keeping temporary data in memory");
  if (!temp) return temp.error();
  return std::unique_ptr<SqliteRecordStore>(new SqliteRecordStore(std::move(*db), o));
}

SqliteRecordStore::SqliteRecordStore(std::unique_ptr<Connection> writer,
                                     const RecordStoreOptions& o)
    : writer_(std::move(writer)), readers_(o.path, "", o.busy_timeout_ms, o.max_readers) {}

SqliteRecordStore::~SqliteRecordStore() = default;

Result<bool> SqliteRecordStore::exists(const RecordType& type,
                                       const std::vector<std::string>& key_prefix) {
  auto sql = sql_for_prefix(type, key_prefix.size());
  if (!sql) return sql.error();
  const auto& key = (*sql)->key;
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st =
      db.prepare("SELECT 1 FROM " + (*sql)->table + where_key(key, key_prefix.size()) + " LIMIT 1");
  if (!st) return st.error();
  bind_key(st->get(), key, key_prefix);
  bool found = false;
  auto done = db.each_row(st->get(), "looking up a " + std::string(type.singular),
                          [&](const Statement&) { found = true; });
  if (!done) return done.error();
  return found;
}

Result<records::UpsertCounts> SqliteRecordStore::upsert(const std::vector<Record>& batch,
                                                        const std::string& user,
                                                        std::int64_t now_us) {
  return in_write_transaction<records::UpsertCounts>(
      "an import", [&]() -> Result<records::UpsertCounts> {
        std::vector<records::BankAccountChange> bank_changes;
        auto counts = upsert_locked(batch, now_us, [&](const Record& r, const nlohmann::json* old) {
          auto change = records::bank_account_change(r, old, user, now_us);
          if (change) bank_changes.push_back(std::move(*change));
        });
        if (!counts) return counts.error();
        auto recorded = record_bank_changes(*writer_, bank_changes);
        if (!recorded) return recorded.error();
        return counts;
      });
}

Result<records::UpsertCounts> SqliteRecordStore::upsert_locked(const std::vector<Record>& batch,
                                                               std::int64_t now_us,
                                                               const OnWritten& on_written) {
  records::UpsertCounts counts;
  std::map<std::string_view, std::int64_t> next_seq;  // table -> next seq
  Connection& db = *writer_;
  const std::string doing = "importing records";
  for (const Record& record : batch) {
    auto sql_found = sql_for(*record.type);
    if (!sql_found) return sql_found.error();
    const TableSql& sql = **sql_found;
    auto seq_it = next_seq.find(sql.table);
    if (seq_it == next_seq.end()) {
      auto max = db.query_int(sql.max_seq.c_str(), doing);
      if (!max) return max.error();
      seq_it = next_seq.emplace(sql.table, *max + 1).first;
    }
    const std::string data = record.data.dump();
    std::optional<std::string> old;
    {
      auto st = db.prepare(sql.select_data);
      if (!st) return st.error();
      Statement& s = st->get();
      for (std::size_t i = 0; i < sql.key.size(); ++i) {
        bind_derived(s, static_cast<int>(i + 1), record.data, sql.key[i]);
      }
      auto read = db.each_row(s, doing, [&](const Statement& r) { old = r.column_text(0); });
      if (!read) return read.error();
    }
    if (record.inline_line_nos) {
      auto removed = remove_other_lines(db, record.key.front(), *record.inline_line_nos);
      if (!removed) return removed.error();
      counts.removed += *removed;
    }
    if (old && *old == data) {
      ++counts.unchanged;
      continue;
    }
    {
      auto st = db.prepare(old ? sql.update : sql.insert);
      if (!st) return st.error();
      Statement& s = st->get();
      int index = 1;
      if (!old) {
        for (const auto& c : sql.key) bind_derived(s, index++, record.data, c);
      }
      for (const auto& c : sql.lookups) bind_derived(s, index++, record.data, c);
      if (!old) s.bind_int(index++, seq_it->second++);
      s.bind_int(index++, now_us);
      s.bind_text(index++, data);
      if (old) {
        for (const auto& c : sql.key) bind_derived(s, index++, record.data, c);
      }
      auto written =
          db.each_row(s, doing + " (" + record.key_text() + ")", [](const Statement&) {});
      if (!written) return written.error();
    }
    ++(old ? counts.updated : counts.inserted);
    if (old) {
      const auto before = nlohmann::json::parse(*old, nullptr, false);
      on_written(record, &before);
    } else {
      on_written(record, nullptr);
    }
  }
  return counts;
}

Result<std::optional<StoredRecord>> SqliteRecordStore::get(const RecordType& type,
                                                           const std::vector<std::string>& key) {
  auto rows = by_key_prefix(type, key, 1);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<StoredRecord>();
  return std::optional<StoredRecord>(std::move(rows->front()));
}

Result<std::vector<StoredRecord>> SqliteRecordStore::by_key_prefix(
    const RecordType& type, const std::vector<std::string>& key_prefix, std::size_t limit) {
  auto sql = sql_for_prefix(type, key_prefix.size());
  if (!sql) return sql.error();
  const auto& key = (*sql)->key;
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare("SELECT seq, data FROM " + (*sql)->table +
                       where_key(key, key_prefix.size()) + key_order(key) + " LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  bind_key(s, key, key_prefix);
  s.bind(static_cast<int>(key_prefix.size() + 1), limit);
  std::vector<StoredRecord> out;
  auto done = db.each_row(s, "reading " + std::string(type.name),
                          [&](const Statement& r) { out.push_back(stored(r)); });
  if (!done) return done.error();
  return out;
}

Result<std::vector<StoredRecord>> SqliteRecordStore::receipts_for(const std::string& po_number,
                                                                  int line_no, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(
      "SELECT seq, data FROM rec_receipts WHERE po_number = ? AND line_no = ? ORDER BY seq "
      "LIMIT ?",
      "reading receipts", stored, po_number, line_no, limit);
}

Result<std::vector<records::InvoiceRow>> SqliteRecordStore::invoices_by_number(
    const std::string& vendor_id, const std::string& number_norm, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(std::string(kInvoiceColumns) +
                               " WHERE vendor_id = ? AND number_norm = ? ORDER BY seq LIMIT ?",
                           "finding invoices", invoice_row, vendor_id, number_norm, limit);
}

Result<std::vector<records::InvoiceRow>> SqliteRecordStore::invoices_by_day(
    const std::string& vendor_id, int first_day, int last_day, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(std::string(kInvoiceColumns) +
                               " WHERE vendor_id = ? AND invoice_day BETWEEN ? AND ? ORDER BY "
                               "invoice_day, seq LIMIT ?",
                           "finding invoices", invoice_row, vendor_id, first_day, last_day, limit);
}

Result<std::vector<std::string>> SqliteRecordStore::vendors_by_iban(const std::string& iban,
                                                                    std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(
      "SELECT vendor_id FROM rec_vendors WHERE iban = ? ORDER BY vendor_id LIMIT ?",
      "finding vendors", [](const Statement& r) { return r.column_text(0); }, iban, limit);
}

Result<records::RecordStore::InvoiceTotals> SqliteRecordStore::vendor_invoice_totals(
    const std::string& vendor_id, std::int64_t before_seq) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  // Served by the covering index rec_invoices_vendor_seq (finance v2): no table reads.
  const std::string doing = "summing a vendor's invoices";
  auto totals = lease->db().query_one(
      "SELECT count(*), coalesce(sum(amount_e4), 0) FROM rec_invoices WHERE vendor_id = ? AND "
      "seq < ?",
      doing,
      [](const Statement& r) {
        return InvoiceTotals{r.column_int(0), r.column_int(1)};
      },
      vendor_id, before_seq);
  if (!totals) return totals.error();
  if (!*totals) return Error::io(doing + ": no result");  // an aggregate always has a row
  return **totals;
}

Result<std::vector<StoredRecord>> SqliteRecordStore::payments_by_vendor(
    const std::string& vendor_id, std::int64_t from_us, std::int64_t to_us, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(
      "SELECT seq, data FROM rec_outgoing_payments WHERE vendor_id = ? AND requested_at_us >= ? "
      "AND requested_at_us < ? ORDER BY requested_at_us, seq LIMIT ?",
      "reading payments", stored, vendor_id, from_us, to_us, limit);
}

Result<std::vector<records::BankChange>> SqliteRecordStore::bank_history(
    const std::string& vendor_id, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(
      "SELECT changed_at_us, iban, changed_by FROM vendor_bank_history WHERE vendor_id = ? "
      "ORDER BY changed_at_us LIMIT ?",
      "reading bank history",
      [](const Statement& r) {
        return records::BankChange{r.column_int(0), r.column_text(1), r.column_text(2)};
      },
      vendor_id, limit);
}

Result<records::JournalEntry> SqliteRecordStore::post(const records::JournalPosting& posting) {
  return in_write_transaction<records::JournalEntry>("a posting",
                                                     [&] { return post_locked(posting); });
}

Result<records::JournalEntry> SqliteRecordStore::post_locked(const records::JournalPosting& p) {
  Connection& db = *writer_;
  const std::string doing = "posting " + p.document_type + " " + p.document_id;
  // Already posted: by this key (a re-run: the same entry) or by another (a conflict).
  struct Posted {
    records::JournalEntry entry;
    std::string idempotency_key;
  };
  auto posted = db.query_one(
      "SELECT entry_id, posted_at_us, instance_id, idempotency_key FROM journal WHERE "
      "document_type = ? AND document_id = ?",
      doing,
      [](const Statement& r) {
        return Posted{{r.column_int(0), r.column_int(1), r.column_text(2), true}, r.column_text(3)};
      },
      p.document_type, p.document_id);
  if (!posted) return posted.error();
  if (*posted) return records::repost(p, (*posted)->entry, (*posted)->idempotency_key);
  auto inserted = db.run(
      "INSERT INTO journal (idempotency_key, posted_at_us, instance_id, document_type, "
      "document_id, amount_e4, currency, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      doing, p.idempotency_key, p.posted_at_us, p.instance_id, p.document_type, p.document_id,
      p.amount_e4, p.currency, p.data.dump());
  if (!inserted) return inserted.error();
  auto id = db.query_int("SELECT last_insert_rowid()", doing);
  if (!id) return id.error();
  return records::JournalEntry{*id, p.posted_at_us, p.instance_id, false};
}

Result<std::size_t> SqliteRecordStore::journal_size() {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  auto n = lease->db().query_int("SELECT count(*) FROM journal", "counting journal entries");
  if (!n) return n.error();
  return static_cast<std::size_t>(*n);
}

}  // namespace ledgerflow::storage
