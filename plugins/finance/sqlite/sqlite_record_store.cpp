#include "plugins/finance/sqlite/sqlite_record_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <map>

#include "engine/expr/timestamp.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/records/duplicate_rules.h"
#include "storage/sqlite/schema.h"

namespace ledgerflow::storage {
namespace {

using records::Record;
using records::RecordType;
using records::StoredRecord;

// How a table column is derived from a record's canonical data.
enum class Derive {
  text,      // the field's text ('' when absent)
  integer,   // the field's integer
  day,       // a date -> days since 1970-01-01
  micros,    // a timestamp -> microseconds since the epoch (UTC)
  e4,        // a decimal -> units of 1e-4
  inv_norm,  // an invoice number -> normalised (duplicate_rules.h)
  inv_key,   // an invoice number -> its letters and digits, upper case (duplicate_rules.h)
};

struct Column {
  const char* column;
  const char* field;
  Derive derive;
};

struct Table {
  const char* type;
  const char* table;
  std::vector<Column> key;
  std::vector<Column> extra;
};

const std::vector<Table>& tables() {
  using D = Derive;
  static const std::vector<Table> t = {
      {"vendors",
       "rec_vendors",
       {{"vendor_id", "vendor_id", D::text}},
       {{"iban", "iban", D::text}}},
      {"purchase_orders",
       "rec_purchase_orders",
       {{"po_number", "po_number", D::text}, {"line_no", "line_no", D::integer}},
       {{"vendor_id", "vendor_id", D::text}}},
      {"receipts",
       "rec_receipts",
       {{"receipt_id", "receipt_id", D::text}},
       {{"po_number", "po_number", D::text}, {"line_no", "line_no", D::integer}}},
      {"invoices",
       "rec_invoices",
       {{"invoice_id", "invoice_id", D::text}},
       {{"vendor_id", "vendor_id", D::text},
        {"number_norm", "invoice_number", D::inv_norm},
        {"invoice_day", "invoice_date", D::day},
        {"amount_e4", "amount", D::e4},
        {"po_number", "po_number", D::text},
        {"due_day", "due_date", D::day}}},
      {"invoice_lines",
       "rec_invoice_lines",
       {{"invoice_id", "invoice_id", D::text}, {"line_no", "line_no", D::integer}},
       {}},
      {"outgoing_payments",
       "rec_outgoing_payments",
       {{"payment_id", "payment_id", D::text}},
       {{"vendor_id", "vendor_id", D::text}, {"requested_at_us", "requested_at", D::micros}}},
      {"customers", "rec_customers", {{"customer_id", "customer_id", D::text}}, {}},
      {"ar_invoices",
       "rec_ar_invoices",
       {{"invoice_id", "invoice_id", D::text}},
       {{"customer_id", "customer_id", D::text},
        {"number_norm", "invoice_number", D::inv_norm},
        {"due_day", "due_date", D::day},
        {"amount_e4", "amount", D::e4},
        {"invoice_day", "invoice_date", D::day},
        {"order_id", "order_id", D::text},
        {"number_key", "invoice_number", D::inv_key}}},
      {"incoming_payments",
       "rec_incoming_payments",
       {{"payment_id", "payment_id", D::text}},
       {{"customer_id", "customer_id", D::text}, {"received_at_us", "received_at", D::micros}}},
      {"orders",
       "rec_orders",
       {{"order_id", "order_id", D::text}},
       {{"customer_id", "customer_id", D::text},
        {"order_day", "order_date", D::day},
        {"amount_e4", "amount", D::e4}}},
  };
  return t;
}

const Table* table_for(std::string_view type) {
  for (const auto& t : tables()) {
    if (type == t.type) return &t;
  }
  return nullptr;
}

std::string where_key(const Table& t, std::size_t parts) {
  std::string out;
  for (std::size_t i = 0; i < parts; ++i) {
    out.append(i == 0 ? " WHERE " : " AND ").append(t.key[i].column).append(" = ?");
  }
  return out;
}

std::string key_order(const Table& t) {
  std::string out;
  for (const auto& c : t.key) out.append(out.empty() ? " ORDER BY " : ", ").append(c.column);
  return out;
}

// SQL texts are built from the constant table above only (never from values).
struct Sql {
  std::string select_data, insert, update, max_seq;
};

const Sql& sql_for(const Table& t) {
  static std::map<std::string, Sql> cache = [] {
    std::map<std::string, Sql> m;
    for (const auto& tb : tables()) {
      Sql s;
      s.select_data = std::string("SELECT data FROM ") + tb.table + where_key(tb, tb.key.size());
      std::string cols, marks, sets;
      for (const auto& c : tb.key) {
        cols.append(cols.empty() ? "" : ", ").append(c.column);
        marks.append(marks.empty() ? "?" : ", ?");
      }
      for (const auto& c : tb.extra) {
        cols.append(", ").append(c.column);
        marks.append(", ?");
        sets.append(c.column).append(" = ?, ");
      }
      s.insert = std::string("INSERT INTO ") + tb.table + " (" + cols +
                 ", seq, updated_at_us, data) VALUES (" + marks + ", ?, ?, ?)";
      s.update = std::string("UPDATE ") + tb.table + " SET " + sets +
                 "updated_at_us = ?, data = ?" + where_key(tb, tb.key.size());
      s.max_seq = std::string("SELECT coalesce(max(seq), 0) FROM ") + tb.table;
      m.emplace(tb.type, std::move(s));
    }
    return m;
  }();
  return cache.at(t.type);
}

std::string field_text(const nlohmann::json& data, const char* field) {
  auto it = data.find(field);
  if (it == data.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::int64_t micros_of(const std::string& text) {
  return expr::parse_timestamp(text).value_or(0);
}

void bind_derived(Statement& s, int index, const nlohmann::json& data, const Column& c) {
  const std::string text = field_text(data, c.field);
  switch (c.derive) {
    case Derive::text:
      s.bind_text(index, text);
      return;
    case Derive::integer:
      s.bind_int(index, data.value(c.field, std::int64_t{0}));
      return;
    case Derive::day:
      s.bind_int(index, micros_of(text) / expr::kMicrosPerDay);
      return;
    case Derive::micros:
      s.bind_int(index, micros_of(text));
      return;
    case Derive::e4:
      s.bind_int(index, records::parse_decimal_e4(text).value_or(0));
      return;
    case Derive::inv_norm:
      s.bind_text(index, records::normalize_invoice_number(text));
      return;
    case Derive::inv_key:
      s.bind_text(index, records::invoice_number_key(text));
      return;
  }
}

Error no_table(std::string_view type) {
  return Error::invalid("no record table for type '" + std::string(type) + "'");
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

constexpr const char* kInvoiceColumns =
    "SELECT invoice_id, vendor_id, json_extract(data, '$.invoice_number'), po_number, "
    "invoice_day, amount_e4, seq FROM rec_invoices";

template <typename T, typename Row>
Result<std::vector<T>> collect(Connection& db, StatementRef ref, Row row, std::string_view doing) {
  std::vector<T> out;
  auto done = db.each_row(ref.get(), doing, [&](const Statement& s) { out.push_back(row(s)); });
  if (!done) return done.error();
  return out;
}

StoredRecord stored(const Statement& s) {
  return {s.column_int(0), nlohmann::json::parse(s.column_text(1), nullptr, false)};
}

// Removes the lines of `invoice_id` whose numbers are not in `keep`; how many.
Result<std::size_t> remove_other_lines(Connection& db, const std::string& invoice_id,
                                       const std::vector<std::int64_t>& keep) {
  const std::string doing = "replacing the lines of invoice " + invoice_id;
  std::vector<std::int64_t> on_file;
  {
    auto st = db.prepare("SELECT line_no FROM rec_invoice_lines WHERE invoice_id = ?");
    if (!st) return st.error();
    Statement& s = st->get();
    s.bind_text(1, invoice_id);
    for (;;) {
      const int rc = s.step();
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return db.error(rc, doing);
      on_file.push_back(s.column_int(0));
    }
  }
  std::size_t removed = 0;
  for (std::int64_t line : on_file) {
    if (std::find(keep.begin(), keep.end(), line) != keep.end()) continue;
    auto st = db.prepare("DELETE FROM rec_invoice_lines WHERE invoice_id = ? AND line_no = ?");
    if (!st) return st.error();
    Statement& s = st->get();
    s.bind_text(1, invoice_id);
    s.bind_int(2, line);
    const int rc = s.step();
    if (rc != SQLITE_DONE) return db.error(rc, doing);
    ++removed;
  }
  return removed;
}

}  // namespace

Result<std::unique_ptr<SqliteRecordStore>> SqliteRecordStore::open(const RecordStoreOptions& o) {
  auto db = Connection::open(o.path, Connection::Mode::read_write, o.busy_timeout_ms);
  if (!db) return db.error();
  auto version = (*db)->query_int("PRAGMA user_version", "reading the schema version");
  if (!version) return version.error();
  if (*version < 2) {
    return Error{ErrorCode::unavailable,
                 o.path + ": the record tables need schema version 2 (found " +
                     std::to_string(*version) + "); open the engine store first to migrate"};
  }
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
  const Table* t = table_for(type.name);
  if (t == nullptr) return no_table(type.name);
  if (key_prefix.empty() || key_prefix.size() > t->key.size()) {
    return Error::invalid("a key prefix of 1.." + std::to_string(t->key.size()) + " parts");
  }
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(std::string("SELECT 1 FROM ") + t->table + where_key(*t, key_prefix.size()) +
                       " LIMIT 1");
  if (!st) return st.error();
  Statement& s = st->get();
  for (std::size_t i = 0; i < key_prefix.size(); ++i) {
    if (t->key[i].derive == Derive::integer) {
      s.bind_int(static_cast<int>(i + 1), std::atoll(key_prefix[i].c_str()));
    } else {
      s.bind_text(static_cast<int>(i + 1), key_prefix[i]);
    }
  }
  const int rc = s.step();
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return db.error(rc, "looking up a " + std::string(type.singular));
}

Result<records::UpsertCounts> SqliteRecordStore::upsert(const std::vector<Record>& batch,
                                                        const std::string& user,
                                                        std::int64_t now_us) {
  return in_write_transaction<records::UpsertCounts>(
      "an import", [&] { return upsert_locked(batch, user, now_us); });
}

Result<records::UpsertCounts> SqliteRecordStore::upsert_locked(const std::vector<Record>& batch,
                                                               const std::string& user,
                                                               std::int64_t now_us) {
  records::UpsertCounts counts;
  std::map<std::string, std::int64_t> next_seq;  // table -> next seq
  Connection& db = *writer_;
  const std::string doing = "importing records";
  for (const Record& record : batch) {
    const Table* t = table_for(record.type->name);
    if (t == nullptr) return no_table(record.type->name);
    const Sql& sql = sql_for(*t);
    auto seq_it = next_seq.find(t->table);
    if (seq_it == next_seq.end()) {
      auto max = db.query_int(sql.max_seq.c_str(), doing);
      if (!max) return max.error();
      seq_it = next_seq.emplace(t->table, *max + 1).first;
    }
    const std::string data = record.data.dump();
    std::optional<std::string> old;
    {
      auto st = db.prepare(sql.select_data);
      if (!st) return st.error();
      Statement& s = st->get();
      for (std::size_t i = 0; i < t->key.size(); ++i) {
        bind_derived(s, static_cast<int>(i + 1), record.data, t->key[i]);
      }
      const int rc = s.step();
      if (rc == SQLITE_ROW) {
        old = s.column_text(0);
      } else if (rc != SQLITE_DONE) {
        return db.error(rc, doing);
      }
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
        for (const auto& c : t->key) bind_derived(s, index++, record.data, c);
      }
      for (const auto& c : t->extra) bind_derived(s, index++, record.data, c);
      if (!old) s.bind_int(index++, seq_it->second++);
      s.bind_int(index++, now_us);
      s.bind_text(index++, data);
      if (old) {
        for (const auto& c : t->key) bind_derived(s, index++, record.data, c);
      }
      const int rc = s.step();
      if (rc != SQLITE_DONE) return db.error(rc, doing + " (" + record.key_text() + ")");
    }
    ++(old ? counts.updated : counts.inserted);

    // A vendor's bank account: remember every account it had, who set it and when.
    if (record.type->name == "vendors") {
      const std::string iban = field_text(record.data, "iban");
      std::string old_iban;
      if (old) old_iban = field_text(nlohmann::json::parse(*old, nullptr, false), "iban");
      if (old_iban != iban) {
        // When: as the record says (bank_changed_at; a new vendor without one has had its
        // account since created_at), else now. Who: as the record says, else the importer.
        std::string at = field_text(record.data, "bank_changed_at");
        if (at.empty() && !old) at = field_text(record.data, "created_at");
        const std::int64_t at_us = at.empty() ? now_us : micros_of(at);
        std::string by = field_text(record.data, "bank_changed_by");
        if (by.empty()) by = user;
        auto st = db.prepare(
            "INSERT OR IGNORE INTO vendor_bank_history (vendor_id, changed_at_us, iban, "
            "changed_by) VALUES (?, ?, ?, ?)");
        if (!st) return st.error();
        Statement& s = st->get();
        s.bind_text(1, field_text(record.data, "vendor_id"));
        s.bind_int(2, at_us);
        s.bind_text(3, iban);
        s.bind_text(4, by);
        const int rc = s.step();
        if (rc != SQLITE_DONE) return db.error(rc, doing);
      }
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
  const Table* t = table_for(type.name);
  if (t == nullptr) return no_table(type.name);
  if (key_prefix.empty() || key_prefix.size() > t->key.size()) {
    return Error::invalid("a key prefix of 1.." + std::to_string(t->key.size()) + " parts");
  }
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(std::string("SELECT seq, data FROM ") + t->table +
                       where_key(*t, key_prefix.size()) + key_order(*t) + " LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  int index = 1;
  for (std::size_t i = 0; i < key_prefix.size(); ++i, ++index) {
    if (t->key[i].derive == Derive::integer) {
      s.bind_int(index, std::atoll(key_prefix[i].c_str()));
    } else {
      s.bind_text(index, key_prefix[i]);
    }
  }
  s.bind_int(index, static_cast<std::int64_t>(limit));
  return collect<StoredRecord>(db, std::move(*st), stored, "reading " + std::string(type.name));
}

Result<std::vector<StoredRecord>> SqliteRecordStore::receipts_for(const std::string& po_number,
                                                                  int line_no, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(
      "SELECT seq, data FROM rec_receipts WHERE po_number = ? AND line_no = ? ORDER BY seq "
      "LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, po_number);
  s.bind_int(2, line_no);
  s.bind_int(3, static_cast<std::int64_t>(limit));
  return collect<StoredRecord>(db, std::move(*st), stored, "reading receipts");
}

Result<std::vector<records::InvoiceRow>> SqliteRecordStore::invoices_by_number(
    const std::string& vendor_id, const std::string& number_norm, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(std::string(kInvoiceColumns) +
                       " WHERE vendor_id = ? AND number_norm = ? ORDER BY seq LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, vendor_id);
  s.bind_text(2, number_norm);
  s.bind_int(3, static_cast<std::int64_t>(limit));
  return collect<records::InvoiceRow>(db, std::move(*st), invoice_row, "finding invoices");
}

Result<std::vector<records::InvoiceRow>> SqliteRecordStore::invoices_by_day(
    const std::string& vendor_id, int first_day, int last_day, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(std::string(kInvoiceColumns) +
                       " WHERE vendor_id = ? AND invoice_day BETWEEN ? AND ? ORDER BY "
                       "invoice_day, seq LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, vendor_id);
  s.bind_int(2, first_day);
  s.bind_int(3, last_day);
  s.bind_int(4, static_cast<std::int64_t>(limit));
  return collect<records::InvoiceRow>(db, std::move(*st), invoice_row, "finding invoices");
}

Result<std::vector<std::string>> SqliteRecordStore::vendors_by_iban(const std::string& iban,
                                                                    std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st =
      db.prepare("SELECT vendor_id FROM rec_vendors WHERE iban = ? ORDER BY vendor_id LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, iban);
  s.bind_int(2, static_cast<std::int64_t>(limit));
  return collect<std::string>(
      db, std::move(*st), [](const Statement& r) { return r.column_text(0); }, "finding vendors");
}

Result<records::RecordStore::InvoiceTotals> SqliteRecordStore::vendor_invoice_totals(
    const std::string& vendor_id, std::int64_t before_seq) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  // Served by the covering index rec_invoices_vendor_seq (schema v3): no table reads.
  auto st = db.prepare(
      "SELECT count(*), coalesce(sum(amount_e4), 0) FROM rec_invoices WHERE vendor_id = ? AND "
      "seq < ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, vendor_id);
  s.bind_int(2, before_seq);
  const int rc = s.step();
  if (rc != SQLITE_ROW) return db.error(rc, "summing a vendor's invoices");
  return InvoiceTotals{s.column_int(0), s.column_int(1)};
}

Result<std::vector<StoredRecord>> SqliteRecordStore::payments_by_vendor(
    const std::string& vendor_id, std::int64_t from_us, std::int64_t to_us, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(
      "SELECT seq, data FROM rec_outgoing_payments WHERE vendor_id = ? AND requested_at_us >= ? "
      "AND requested_at_us < ? ORDER BY requested_at_us, seq LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, vendor_id);
  s.bind_int(2, from_us);
  s.bind_int(3, to_us);
  s.bind_int(4, static_cast<std::int64_t>(limit));
  return collect<StoredRecord>(db, std::move(*st), stored, "reading payments");
}

Result<std::vector<records::BankChange>> SqliteRecordStore::bank_history(
    const std::string& vendor_id, std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(
      "SELECT changed_at_us, iban, changed_by FROM vendor_bank_history WHERE vendor_id = ? "
      "ORDER BY changed_at_us LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, vendor_id);
  s.bind_int(2, static_cast<std::int64_t>(limit));
  return collect<records::BankChange>(
      db, std::move(*st),
      [](const Statement& r) {
        return records::BankChange{r.column_int(0), r.column_text(1), r.column_text(2)};
      },
      "reading bank history");
}

Result<records::JournalEntry> SqliteRecordStore::post(const records::JournalPosting& posting) {
  return in_write_transaction<records::JournalEntry>("a posting",
                                                     [&] { return post_locked(posting); });
}

Result<records::JournalEntry> SqliteRecordStore::post_locked(const records::JournalPosting& p) {
  Connection& db = *writer_;
  const std::string doing = "posting " + p.document_type + " " + p.document_id;
  // Already posted: by this key (a re-run: the same entry) or by another (a conflict).
  {
    auto st = db.prepare(
        "SELECT entry_id, posted_at_us, instance_id, idempotency_key FROM journal WHERE "
        "document_type = ? AND document_id = ?");
    if (!st) return st.error();
    Statement& s = st->get();
    s.bind_text(1, p.document_type);
    s.bind_text(2, p.document_id);
    const int rc = s.step();
    if (rc == SQLITE_ROW) {
      records::JournalEntry e{s.column_int(0), s.column_int(1), s.column_text(2), true};
      if (s.column_text(3) == p.idempotency_key) return e;
      return Error{ErrorCode::conflict,
                   p.document_type + " " + p.document_id + " is already posted (journal entry " +
                       std::to_string(e.entry_id) + " by instance " + e.instance_id + ")"};
    }
    if (rc != SQLITE_DONE) return db.error(rc, doing);
  }
  auto st = db.prepare(
      "INSERT INTO journal (idempotency_key, posted_at_us, instance_id, document_type, "
      "document_id, amount_e4, currency, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, p.idempotency_key);
  s.bind_int(2, p.posted_at_us);
  s.bind_text(3, p.instance_id);
  s.bind_text(4, p.document_type);
  s.bind_text(5, p.document_id);
  s.bind_int(6, p.amount_e4);
  s.bind_text(7, p.currency);
  s.bind_text(8, p.data.dump());
  const int rc = s.step();
  if (rc != SQLITE_DONE) return db.error(rc, doing);
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
