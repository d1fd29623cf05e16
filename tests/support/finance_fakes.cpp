#include "support/finance_fakes.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <utility>

#include "engine/expr/timestamp.h"
#include "plugins/finance/records/ar_rules.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/records/journal_rules.h"
#include "plugins/finance/records/vendor_bank.h"

namespace finance_fakes {
namespace {

using ledgerflow::Error;
using ledgerflow::ErrorCode;
using records::RecordType;
using records::StoredRecord;
using records::StoredValue;
using Row = FakeFinanceStore::Row;
using Key = FakeFinanceStore::Key;
using State = FakeFinanceStore::State;
using Table = std::map<Key, Row>;

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

// Runs `work` on a copy of `state` under `mu`: the copy replaces the state only when the
// work succeeds (a transaction: all or nothing).
template <typename T, typename Work>
Result<T> transact(std::mutex& mu, State& state, const std::string& what, Work work) {
  std::lock_guard lock(mu);
  State next = state;
  Result<T> out = Error::io(what + " did not run");
  try {
    out = work(next);
  } catch (const std::exception& e) {
    out = Error::invalid(what + " failed: " + e.what());
  }
  if (out) state = std::move(next);
  return out;
}

Error no_table(std::string_view type) {
  return Error::invalid("no record table for type '" + std::string(type) + "'");
}

const RecordType& type_named(std::string_view name) {
  const RecordType* t = records::find_record_type(name);
  if (t == nullptr) std::terminate();  // the record-type table names every type used here
  return *t;
}

const Table* table_of(const State& s, std::string_view type) {
  auto it = s.tables.find(type);
  return it == s.tables.end() ? nullptr : &it->second;
}

// The value of `type`'s stored column `column` (a key or lookup column) for `row`.
StoredValue column_of(const RecordType& type, const Row& row, std::string_view column) {
  for (const auto& c : type.lookups) {
    if (c.column == column) return records::stored_value(row.data, c);
  }
  for (const auto& c : type.key_columns()) {
    if (c.column == column) return records::stored_value(row.data, c);
  }
  std::terminate();  // a column the table does not have: a bug in this fake
}

std::string text_of(const RecordType& type, const Row& row, std::string_view column) {
  return std::get<std::string>(column_of(type, row, column));
}

std::int64_t int_of(const RecordType& type, const Row& row, std::string_view column) {
  return std::get<std::int64_t>(column_of(type, row, column));
}

// A JSON field as json_extract + column_text read it ('' when absent).
std::string field_text(const nlohmann::json& data, std::string_view field) {
  if (!data.is_object()) return {};
  auto it = data.find(field);
  if (it == data.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

bool field_truthy(const nlohmann::json& data, std::string_view field) {
  auto it = data.find(field);
  if (it == data.end() || it->is_null()) return false;
  if (it->is_boolean()) return it->get<bool>();
  if (it->is_number()) return it->get<double>() != 0;
  return false;
}

// A date field's day (julianday - 2440587.5 in the schema's triggers); nullopt when absent
// or not a date.
std::optional<int> day_field(const nlohmann::json& data, std::string_view field) {
  const std::string text = field_text(data, field);
  if (text.empty()) return std::nullopt;
  auto us = ledgerflow::expr::parse_timestamp(text);
  if (!us) return std::nullopt;
  return static_cast<int>(*us / kMicrosPerDay);
}

Result<const std::vector<records::StoredColumn>*> key_for_prefix(
    const RecordType& type, std::size_t parts, std::vector<records::StoredColumn>& key) {
  if (type.table.empty()) return no_table(type.name);
  key = type.key_columns();
  if (parts == 0 || parts > key.size()) {
    return Error::invalid("a key prefix of 1.." + std::to_string(key.size()) + " parts");
  }
  return &key;
}

bool has_prefix(const Key& key, const Key& prefix) {
  return key.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), key.begin());
}

records::InvoiceRow invoice_row(const Row& r) {
  const RecordType& t = type_named("invoices");
  records::InvoiceRow out;
  out.invoice_id = text_of(t, r, "invoice_id");
  out.vendor_id = text_of(t, r, "vendor_id");
  out.invoice_number = field_text(r.data, "invoice_number");
  out.po_number = text_of(t, r, "po_number");
  out.day = static_cast<int>(int_of(t, r, "invoice_day"));
  out.amount_e4 = int_of(t, r, "amount_e4");
  out.seq = r.seq;
  return out;
}

template <typename T>
void cap(std::vector<T>& v, std::size_t limit) {
  if (v.size() > limit) v.resize(limit);
}

// The rows of `type` that `keep` keeps, ordered by `before` (all of them when the table
// is empty).
template <typename Keep, typename Before>
std::vector<const Row*> rows_where(const State& s, std::string_view type, Keep keep,
                                   Before before) {
  std::vector<const Row*> out;
  const Table* table = table_of(s, type);
  if (table == nullptr) return out;
  for (const auto& [key, row] : *table) {
    if (keep(row)) out.push_back(&row);
  }
  std::stable_sort(out.begin(), out.end(),
                   [&](const Row* a, const Row* b) { return before(*a, *b); });
  return out;
}

// The AR invoice record's data behind a state row (the number is read from it).
records::ArInvoiceState with_number(const State& s, const records::ArInvoiceState& st) {
  records::ArInvoiceState out = st;
  if (const Table* t = table_of(s, "ar_invoices")) {
    auto it = t->find(Key{st.invoice_id});
    if (it != t->end()) out.invoice_number = field_text(it->second.data, "invoice_number");
  }
  return out;
}

// The schema's triggers on rec_ar_invoices (finance_schema.cpp, version 3): a new AR
// invoice gets its state; a corrected one has its state follow the record.
void ar_invoice_inserted(State& s, const Row& row) {
  const RecordType& t = type_named("ar_invoices");
  records::ArInvoiceState st;
  st.invoice_id = text_of(t, row, "invoice_id");
  if (s.ar_state.count(st.invoice_id) != 0) return;  // ON CONFLICT DO NOTHING
  st.customer_id = text_of(t, row, "customer_id");
  st.currency = field_text(row.data, "currency");
  st.invoice_day = static_cast<int>(int_of(t, row, "invoice_day"));
  st.due_day = static_cast<int>(int_of(t, row, "due_day"));
  st.amount_e4 = int_of(t, row, "amount_e4");
  st.status = st.amount_e4 > 0 ? "open" : "paid";
  if (st.amount_e4 <= 0) st.closed_day = st.invoice_day;
  if (field_truthy(row.data, "disputed")) {
    st.disputed_day = day_field(row.data, "disputed_at").value_or(st.invoice_day);
  }
  s.ar_state.emplace(st.invoice_id, std::move(st));
}

void ar_invoice_updated(State& s, const Row& row) {
  const RecordType& t = type_named("ar_invoices");
  auto it = s.ar_state.find(text_of(t, row, "invoice_id"));
  if (it == s.ar_state.end()) return;
  records::ArInvoiceState& st = it->second;
  const std::int64_t amount = int_of(t, row, "amount_e4");
  const int updated_day = static_cast<int>(row.updated_at_us / kMicrosPerDay);
  if (st.status == "open" || st.status == "paid") {
    const bool covered = st.applied_e4 >= amount;
    st.status = covered ? "paid" : "open";
    st.closed_day =
        covered ? std::optional<int>(st.closed_day.value_or(updated_day)) : std::nullopt;
  }
  st.customer_id = text_of(t, row, "customer_id");
  st.currency = field_text(row.data, "currency");
  st.invoice_day = static_cast<int>(int_of(t, row, "invoice_day"));
  st.due_day = static_cast<int>(int_of(t, row, "due_day"));
  st.amount_e4 = amount;
  if (field_truthy(row.data, "disputed")) {
    auto at = day_field(row.data, "disputed_at");
    st.disputed_day = at ? *at : st.disputed_day.value_or(updated_day);
  }
  if (st.status != "open") {
    for (auto& [key, hold] : s.holds) {
      if (key.second == st.invoice_id && !hold.released_at_us) {
        hold.released_at_us = row.updated_at_us;
        hold.released_by = "correction";
      }
    }
  }
}

void write_payment_state(State& s, const records::PaymentApplication& d) {
  records::PaymentState p;
  p.payment_id = d.payment_id;
  p.status = d.status;
  p.customer_id = d.customer_id;
  p.flags = d.flags;
  p.instance_id = d.instance_id;
  for (const auto& a : d.allocations) {
    if (a.kind == "cash") p.applied_e4 += a.amount_e4;
  }
  p.unapplied_e4 = d.unapplied_e4;
  p.updated_at_us = d.now_us;
  s.payments[d.payment_id] = std::move(p);
}

// SqliteRecordStore::apply_locked on the fake's state.
Result<records::ApplicationResult> apply_to(State& s, const records::PaymentApplication& p) {
  const std::string doing = "applying payment " + p.payment_id;
  records::ApplicationResult out;
  for (std::size_t i = 0; i < p.allocations.size(); ++i) {
    const records::Allocation& a = p.allocations[i];
    auto acceptable = records::check_allocation(p, i, doing);
    if (!acceptable) return acceptable.error();
    if (s.applications.count({p.payment_id, a.invoice_id, a.kind}) != 0) {
      if (i > 0) {
        return Error{ErrorCode::conflict,
                     doing + ": invoice " + a.invoice_id + " already has this payment"};
      }
      out.already_applied = true;
      break;
    }
    auto it = s.ar_state.find(a.invoice_id);
    if (it == s.ar_state.end()) {
      return Error{ErrorCode::not_found, doing + ": no AR invoice " + a.invoice_id};
    }
    records::ArInvoiceState& st = it->second;
    const std::int64_t amount = st.amount_e4, applied = st.applied_e4;
    auto closing = records::allocation_closes(a, amount, applied, st.status, doing);
    if (!closing) return closing.error();
    const bool closes = *closing;
    s.applications[{p.payment_id, a.invoice_id, a.kind}] =
        FakeFinanceStore::ArApplication{a.amount_e4, p.applied_day, p.now_us, p.by, p.instance_id};
    st.applied_e4 += a.amount_e4;
    st.status = closes ? records::status_after(a.kind) : "open";
    st.closed_day = closes ? std::optional<int>(p.applied_day) : std::nullopt;
    if (closes) st.promised_day.reset();
    if (closes) {
      for (auto& [key, hold] : s.holds) {
        if (key.second == a.invoice_id && !hold.released_at_us) {
          hold.released_at_us = p.now_us;
          hold.released_by = p.by + " (" + records::status_after(a.kind) + ")";
        }
      }
    }
    out.invoices.push_back({a.invoice_id, a.amount_e4, amount - applied - a.amount_e4, closes});
  }
  if (out.already_applied) {
    out.invoices.clear();
    for (const auto& a : p.allocations) {
      auto it = s.ar_state.find(a.invoice_id);
      if (it == s.ar_state.end()) continue;
      out.invoices.push_back({a.invoice_id, a.amount_e4, it->second.outstanding_e4(), false});
    }
    return out;
  }
  const bool payment = std::any_of(p.allocations.begin(), p.allocations.end(), [](const auto& a) {
    return a.kind == "cash" || a.kind == "bank_charges";
  });
  if (payment) write_payment_state(s, p);
  return out;
}

// An UPDATE of one AR invoice's state row: not_found when there is none (or `when` says
// the row does not qualify).
template <typename Change>
Result<void> update_state(std::mutex& mu, State& state, const std::string& what,
                          const std::string& invoice_id, Change change) {
  return transact<void>(mu, state, what, [&](State& s) -> Result<void> {
    auto it = s.ar_state.find(invoice_id);
    if (it == s.ar_state.end() || !change(it->second)) {
      return Error{ErrorCode::not_found, what + ": no such record"};
    }
    return {};
  });
}

}  // namespace

// ---- records::RecordStore

Result<bool> FakeFinanceStore::exists(const RecordType& type,
                                      const std::vector<std::string>& key_prefix) {
  auto found = by_key_prefix(type, key_prefix, 1);
  if (!found) return found.error();
  return !found->empty();
}

Result<records::UpsertCounts> FakeFinanceStore::upsert(const std::vector<records::Record>& batch,
                                                       const std::string& user,
                                                       std::int64_t now_us) {
  return transact<records::UpsertCounts>(
      mu_, state_, "an import", [&](State& s) -> Result<records::UpsertCounts> {
        records::UpsertCounts counts;
        std::map<std::string_view, std::int64_t> next_seq;
        std::vector<records::BankAccountChange> bank_changes;
        for (const records::Record& record : batch) {
          const RecordType& type = *record.type;
          if (type.table.empty()) return no_table(type.name);
          Table& table = s.tables[std::string(type.name)];
          auto seq_it = next_seq.find(type.name);
          if (seq_it == next_seq.end()) {
            std::int64_t max = 0;
            for (const auto& [k, row] : table) max = std::max(max, row.seq);
            seq_it = next_seq.emplace(type.name, max + 1).first;
          }
          Key key;
          for (const auto& c : type.key_columns())
            key.push_back(records::stored_value(record.data, c));
          if (record.inline_line_nos) {
            Table& lines = s.tables["invoice_lines"];
            const auto& keep = *record.inline_line_nos;
            for (auto it = lines.begin(); it != lines.end();) {
              const bool of_invoice =
                  std::get<std::string>(it->first.front()) == record.key.front();
              const std::int64_t line = std::get<std::int64_t>(it->first.at(1));
              if (of_invoice && std::find(keep.begin(), keep.end(), line) == keep.end()) {
                it = lines.erase(it);
                ++counts.removed;
              } else {
                ++it;
              }
            }
          }
          const std::string text = record.data.dump();
          auto old = table.find(key);
          if (old != table.end() && old->second.text == text) {
            ++counts.unchanged;
            continue;
          }
          if (old == table.end()) {
            Row& row = table[key];
            row = Row{seq_it->second++, now_us, record.data, text};
            ++counts.inserted;
            if (auto change = records::bank_account_change(record, nullptr, user, now_us)) {
              bank_changes.push_back(std::move(*change));
            }
            if (type.name == "ar_invoices") ar_invoice_inserted(s, row);
          } else {
            const nlohmann::json before = old->second.data;
            old->second.updated_at_us = now_us;
            old->second.data = record.data;
            old->second.text = text;
            ++counts.updated;
            if (auto change = records::bank_account_change(record, &before, user, now_us)) {
              bank_changes.push_back(std::move(*change));
            }
            if (type.name == "ar_invoices") ar_invoice_updated(s, old->second);
          }
        }
        for (const auto& c : bank_changes) {
          s.bank_history.emplace(std::tuple{c.vendor_id, c.changed_at_us, c.iban}, c.changed_by);
        }
        return counts;
      });
}

Result<std::optional<StoredRecord>> FakeFinanceStore::get(const RecordType& type,
                                                          const std::vector<std::string>& key) {
  auto rows = by_key_prefix(type, key, 1);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<StoredRecord>();
  return std::optional<StoredRecord>(std::move(rows->front()));
}

Result<std::vector<StoredRecord>> FakeFinanceStore::by_key_prefix(
    const RecordType& type, const std::vector<std::string>& key_prefix, std::size_t limit) {
  std::vector<records::StoredColumn> columns;
  auto key = key_for_prefix(type, key_prefix.size(), columns);
  if (!key) return key.error();
  Key prefix;
  for (std::size_t i = 0; i < key_prefix.size(); ++i) {
    prefix.push_back(records::key_part_value(columns[i], key_prefix[i]));
  }
  std::lock_guard lock(mu_);
  std::vector<StoredRecord> out;
  const Table* table = table_of(state_, type.name);
  if (table == nullptr) return out;
  for (auto it = table->lower_bound(prefix); it != table->end() && out.size() < limit; ++it) {
    if (!has_prefix(it->first, prefix)) break;
    out.push_back({it->second.seq, it->second.data});
  }
  return out;
}

Result<std::vector<StoredRecord>> FakeFinanceStore::receipts_for(const std::string& po_number,
                                                                 int line_no, std::size_t limit) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("receipts");
  auto rows = rows_where(
      state_, t.name,
      [&](const Row& r) {
        return text_of(t, r, "po_number") == po_number && int_of(t, r, "line_no") == line_no;
      },
      [](const Row& a, const Row& b) { return a.seq < b.seq; });
  std::vector<StoredRecord> out;
  for (const Row* r : rows) out.push_back({r->seq, r->data});
  cap(out, limit);
  return out;
}

Result<std::vector<records::InvoiceRow>> FakeFinanceStore::invoices_by_number(
    const std::string& vendor_id, const std::string& number_norm, std::size_t limit) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("invoices");
  auto rows = rows_where(
      state_, t.name,
      [&](const Row& r) {
        return text_of(t, r, "vendor_id") == vendor_id &&
               text_of(t, r, "number_norm") == number_norm;
      },
      [](const Row& a, const Row& b) { return a.seq < b.seq; });
  std::vector<records::InvoiceRow> out;
  for (const Row* r : rows) out.push_back(invoice_row(*r));
  cap(out, limit);
  return out;
}

Result<std::vector<records::InvoiceRow>> FakeFinanceStore::invoices_by_day(
    const std::string& vendor_id, int first_day, int last_day, std::size_t limit) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("invoices");
  auto rows = rows_where(
      state_, t.name,
      [&](const Row& r) {
        const std::int64_t day = int_of(t, r, "invoice_day");
        return text_of(t, r, "vendor_id") == vendor_id && day >= first_day && day <= last_day;
      },
      [&](const Row& a, const Row& b) {
        return std::pair(int_of(t, a, "invoice_day"), a.seq) <
               std::pair(int_of(t, b, "invoice_day"), b.seq);
      });
  std::vector<records::InvoiceRow> out;
  for (const Row* r : rows) out.push_back(invoice_row(*r));
  cap(out, limit);
  return out;
}

Result<std::vector<std::string>> FakeFinanceStore::vendors_by_iban(const std::string& iban,
                                                                   std::size_t limit) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("vendors");
  std::vector<std::string> out;
  if (const Table* table = table_of(state_, t.name)) {
    for (const auto& [key, row] : *table) {  // in vendor_id order
      if (text_of(t, row, "iban") == iban) out.push_back(text_of(t, row, "vendor_id"));
    }
  }
  cap(out, limit);
  return out;
}

Result<records::RecordStore::InvoiceTotals> FakeFinanceStore::vendor_invoice_totals(
    const std::string& vendor_id, std::int64_t before_seq) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("invoices");
  InvoiceTotals totals;
  if (const Table* table = table_of(state_, t.name)) {
    for (const auto& [key, row] : *table) {
      if (text_of(t, row, "vendor_id") != vendor_id || row.seq >= before_seq) continue;
      ++totals.count;
      totals.amount_e4 += int_of(t, row, "amount_e4");
    }
  }
  return totals;
}

Result<std::vector<StoredRecord>> FakeFinanceStore::payments_by_vendor(const std::string& vendor_id,
                                                                       std::int64_t from_us,
                                                                       std::int64_t to_us,
                                                                       std::size_t limit) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("outgoing_payments");
  auto rows = rows_where(
      state_, t.name,
      [&](const Row& r) {
        const std::int64_t at = int_of(t, r, "requested_at_us");
        return text_of(t, r, "vendor_id") == vendor_id && at >= from_us && at < to_us;
      },
      [&](const Row& a, const Row& b) {
        return std::pair(int_of(t, a, "requested_at_us"), a.seq) <
               std::pair(int_of(t, b, "requested_at_us"), b.seq);
      });
  std::vector<StoredRecord> out;
  for (const Row* r : rows) out.push_back({r->seq, r->data});
  cap(out, limit);
  return out;
}

Result<std::vector<records::BankChange>> FakeFinanceStore::bank_history(
    const std::string& vendor_id, std::size_t limit) {
  std::lock_guard lock(mu_);
  std::vector<records::BankChange> out;
  for (const auto& [key, by] : state_.bank_history) {  // by vendor, then time
    const auto& [vendor, at, iban] = key;
    if (vendor == vendor_id && out.size() < limit) out.push_back({at, iban, by});
  }
  return out;
}

Result<records::JournalEntry> FakeFinanceStore::post(const records::JournalPosting& p) {
  return transact<records::JournalEntry>(
      mu_, state_, "a posting", [&](State& s) -> Result<records::JournalEntry> {
        for (const PostedEntry& e : s.journal) {
          if (e.posting.document_type == p.document_type &&
              e.posting.document_id == p.document_id) {
            return records::repost(p, e.entry, e.posting.idempotency_key);
          }
        }
        for (const PostedEntry& e : s.journal) {
          if (e.posting.idempotency_key == p.idempotency_key) {
            return Error{ErrorCode::conflict, "posting " + p.document_type + " " + p.document_id +
                                                  ": idempotency key " + p.idempotency_key +
                                                  " already posted entry " +
                                                  std::to_string(e.entry.entry_id)};
          }
        }
        records::JournalEntry entry{++s.last_entry_id, p.posted_at_us, p.instance_id, false};
        s.journal.push_back({entry, p});
        return entry;
      });
}

Result<std::size_t> FakeFinanceStore::journal_size() {
  std::lock_guard lock(mu_);
  return state_.journal.size();
}

// ---- records::ReceivablesLedger

Result<std::optional<records::ArInvoiceState>> FakeFinanceStore::ar_invoice(
    const std::string& invoice_id) {
  std::lock_guard lock(mu_);
  auto it = state_.ar_state.find(invoice_id);
  if (it == state_.ar_state.end()) return std::optional<records::ArInvoiceState>();
  return std::optional<records::ArInvoiceState>(with_number(state_, it->second));
}

Result<records::CustomerArHistory> FakeFinanceStore::customer_history(
    const std::string& customer_id, int day, int lookback_days) {
  std::lock_guard lock(mu_);
  records::CustomerArHistory h;
  std::vector<const records::ArInvoiceState*> mine;
  for (const auto& [id, st] : state_.ar_state) {
    if (st.customer_id == customer_id) mine.push_back(&st);
  }
  const auto paid = [](const records::ArInvoiceState& st) {
    return st.status == "paid" && st.closed_day.has_value();
  };
  // Payments in the lookback window.
  {
    double total = 0, squares = 0;
    std::size_t late = 0;
    for (const auto* st : mine) {
      if (!paid(*st) || *st->closed_day < day - lookback_days || *st->closed_day >= day) continue;
      const double d = static_cast<double>(*st->closed_day - st->due_day);
      ++h.settled_count;
      total += d;
      squares += d * d;
      late += d > 0;
    }
    if (h.settled_count > 0) {
      const double n = static_cast<double>(h.settled_count);
      h.avg_days_late = total / n;
      h.late_ratio = static_cast<double>(late) / n;
      if (h.settled_count > 1) {
        h.sd_days_late = std::sqrt(std::max(0.0, squares / n - h.avg_days_late * h.avg_days_late));
      }
    }
  }
  // The three latest payments at all (closed_day DESC, invoice_id DESC).
  {
    std::vector<const records::ArInvoiceState*> settled;
    for (const auto* st : mine) {
      if (paid(*st) && *st->closed_day < day) settled.push_back(st);
    }
    std::sort(settled.begin(), settled.end(), [](const auto* a, const auto* b) {
      return std::pair(*a->closed_day, a->invoice_id) > std::pair(*b->closed_day, b->invoice_id);
    });
    cap(settled, 3);
    double total = 0;
    for (const auto* st : settled) total += static_cast<double>(*st->closed_day - st->due_day);
    h.recent_count = settled.size();
    if (h.recent_count > 0) h.recent_days_late = total / static_cast<double>(h.recent_count);
  }
  // Open at the start of `day`: open now, or closed since; issued before it.
  for (const auto* st : mine) {
    if (st->invoice_day >= day) continue;
    const bool open_then = st->status == "open" || (st->closed_day && *st->closed_day >= day);
    if (!open_then) continue;
    std::int64_t amount = st->amount_e4;
    for (const auto& [key, a] : state_.applications) {
      if (std::get<1>(key) == st->invoice_id && a.applied_day < day) amount -= a.amount_e4;
    }
    ++h.open_count;
    h.open_e4 += amount;
    if (st->due_day < day) h.overdue_e4 += amount;
    if (day - st->due_day > 30) ++h.overdue_30_count;
    if (st->disputed_day && *st->disputed_day < day &&
        (!st->dispute_resolved_day || *st->dispute_resolved_day >= day)) {
      ++h.disputed_open_count;
    }
  }
  // Issued and disputed in the window.
  std::int64_t issued_total = 0;
  for (const auto* st : mine) {
    if (st->invoice_day >= day - lookback_days && st->invoice_day < day) {
      ++h.issued_count;
      issued_total += st->amount_e4;
    }
    if (st->disputed_day && *st->disputed_day >= day - lookback_days && *st->disputed_day < day) {
      ++h.disputes;
    }
  }
  if (h.issued_count > 0)
    h.issued_mean_e4 = issued_total / static_cast<std::int64_t>(h.issued_count);
  for (const auto& [key, hold] : state_.holds) {
    if (key.first == customer_id && !hold.released_at_us) h.on_credit_hold = true;
  }
  return h;
}

namespace {
// The state rows `keep` keeps, ordered by `before`, with their numbers, at most `limit`.
template <typename Keep, typename Before>
std::vector<records::ArInvoiceState> states_where(const State& s, std::size_t limit, Keep keep,
                                                  Before before) {
  std::vector<records::ArInvoiceState> out;
  for (const auto& [id, st] : s.ar_state) {
    if (keep(st)) out.push_back(with_number(s, st));
  }
  std::stable_sort(out.begin(), out.end(), before);
  cap(out, limit);
  return out;
}

bool by_due(const records::ArInvoiceState& a, const records::ArInvoiceState& b) {
  return std::pair(a.due_day, a.invoice_id) < std::pair(b.due_day, b.invoice_id);
}

bool by_id(const records::ArInvoiceState& a, const records::ArInvoiceState& b) {
  return a.invoice_id < b.invoice_id;
}
}  // namespace

Result<std::vector<records::ArInvoiceState>> FakeFinanceStore::open_ar_of_customer(
    const std::string& customer_id, std::size_t limit) {
  std::lock_guard lock(mu_);
  return states_where(
      state_, limit, [&](const auto& st) { return st.customer_id == customer_id && st.open(); },
      by_due);
}

Result<std::vector<records::ArInvoiceState>> FakeFinanceStore::ar_by_number_key(
    const std::string& key, std::size_t limit) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("ar_invoices");
  const Table* table = table_of(state_, t.name);
  return states_where(
      state_, limit,
      [&](const auto& st) {
        if (table == nullptr) return false;
        auto it = table->find(Key{st.invoice_id});
        return it != table->end() && text_of(t, it->second, "number_key") == key;
      },
      by_id);
}

Result<std::vector<records::ArInvoiceState>> FakeFinanceStore::open_ar_by_outstanding(
    std::int64_t outstanding_e4, std::size_t limit) {
  std::lock_guard lock(mu_);
  return states_where(
      state_, limit,
      [&](const auto& st) { return st.open() && st.outstanding_e4() == outstanding_e4; }, by_due);
}

Result<std::vector<records::ArInvoiceState>> FakeFinanceStore::open_ar_page(
    const std::string& after_invoice_id, std::size_t limit) {
  std::lock_guard lock(mu_);
  return states_where(
      state_, limit, [&](const auto& st) { return st.open() && st.invoice_id > after_invoice_id; },
      by_id);
}

Result<void> FakeFinanceStore::record_risk(const std::string& invoice_id, double p_late,
                                           double expected_days_late, double sd_days_late,
                                           const std::string& model_version, std::int64_t) {
  return update_state(mu_, state_, "recording the late-payment risk of AR invoice " + invoice_id,
                      invoice_id, [&](records::ArInvoiceState& st) {
                        st.p_late = p_late;
                        st.expected_days_late = expected_days_late;
                        st.sd_days_late = sd_days_late;
                        st.model_version = model_version;
                        return true;
                      });
}

Result<records::ApplicationResult> FakeFinanceStore::apply(
    const records::PaymentApplication& application) {
  return transact<records::ApplicationResult>(mu_, state_,
                                              "applying payment " + application.payment_id,
                                              [&](State& s) { return apply_to(s, application); });
}

Result<void> FakeFinanceStore::set_payment_state(const records::PaymentApplication& decision) {
  return transact<void>(mu_, state_, "recording payment " + decision.payment_id,
                        [&](State& s) -> Result<void> {
                          write_payment_state(s, decision);
                          return {};
                        });
}

Result<std::optional<records::PaymentState>> FakeFinanceStore::payment_state(
    const std::string& payment_id) {
  std::lock_guard lock(mu_);
  auto it = state_.payments.find(payment_id);
  if (it == state_.payments.end()) return std::optional<records::PaymentState>();
  return std::optional<records::PaymentState>(it->second);
}

Result<std::vector<records::PaymentState>> FakeFinanceStore::unapplied_payments(
    const std::string& status, std::int64_t before_us, const std::string& before_id,
    std::size_t limit) {
  std::lock_guard lock(mu_);
  const Table* incoming = table_of(state_, "incoming_payments");
  std::vector<records::PaymentState> out;
  for (const auto& [id, p] : state_.payments) {
    const bool wanted =
        status.empty() ? (p.status == "review" || p.status == "unapplied" || p.status == "applied")
                       : p.status == status;
    if (!wanted) continue;
    if (!(std::pair(p.updated_at_us, p.payment_id) < std::pair(before_us, before_id))) continue;
    if (p.status == "applied" && p.unapplied_e4 <= 0) continue;
    records::PaymentState row = p;
    if (incoming != nullptr) {
      auto it = incoming->find(Key{p.payment_id});
      if (it != incoming->end()) {
        const nlohmann::json& data = it->second.data;
        row.currency = field_text(data, "currency");
        row.reference = field_text(data, "reference");
        row.received_at = field_text(data, "received_at");
        row.amount_e4 = records::parse_decimal_e4(field_text(data, "amount")).value_or(0);
      }
    }
    out.push_back(std::move(row));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::pair(a.updated_at_us, a.payment_id) > std::pair(b.updated_at_us, b.payment_id);
  });
  cap(out, limit);
  return out;
}

Result<records::ApplicationResult> FakeFinanceStore::close_invoice(const std::string& invoice_id,
                                                                   const std::string& kind, int day,
                                                                   const std::string& by,
                                                                   const std::string& instance_id,
                                                                   std::int64_t now_us) {
  if (kind != "credit_note" && kind != "write_off") {
    return Error::invalid("an invoice is closed by a credit_note or a write_off, not " + kind);
  }
  return transact<records::ApplicationResult>(
      mu_, state_, "closing AR invoice " + invoice_id,
      [&](State& s) -> Result<records::ApplicationResult> {
        auto it = s.ar_state.find(invoice_id);
        if (it == s.ar_state.end()) {
          return Error{ErrorCode::not_found, "no AR invoice " + invoice_id};
        }
        const std::int64_t outstanding = it->second.outstanding_e4();
        records::PaymentApplication p;
        p.payment_id = kind + ":" + invoice_id;
        p.applied_day = day;
        p.now_us = now_us;
        p.by = by;
        p.instance_id = instance_id;
        p.allocations.push_back({invoice_id, outstanding, kind});
        if (it->second.status != "open" || outstanding <= 0) {
          p.allocations.front().amount_e4 = std::max<std::int64_t>(outstanding, 1);
        }
        return apply_to(s, p);
      });
}

Result<void> FakeFinanceStore::record_dunning(const std::string& invoice_id,
                                              const std::string& level, std::int64_t) {
  return update_state(mu_, state_, "recording dunning of AR invoice " + invoice_id, invoice_id,
                      [&](records::ArInvoiceState& st) {
                        st.dunning_level = level;
                        return true;
                      });
}

Result<void> FakeFinanceStore::set_promise(const std::string& invoice_id, std::optional<int> day,
                                           std::int64_t) {
  return update_state(mu_, state_, "recording a promise to pay AR invoice " + invoice_id,
                      invoice_id, [&](records::ArInvoiceState& st) {
                        st.promised_day = day;
                        return true;
                      });
}

Result<void> FakeFinanceStore::record_dispute(const std::string& invoice_id, int day,
                                              std::int64_t) {
  return update_state(mu_, state_, "recording a dispute of AR invoice " + invoice_id, invoice_id,
                      [&](records::ArInvoiceState& st) {
                        if (!st.disputed_day) st.disputed_day = day;
                        st.dispute_resolved_day.reset();
                        return true;
                      });
}

Result<void> FakeFinanceStore::resolve_dispute(const std::string& invoice_id, int day,
                                               std::int64_t) {
  return update_state(mu_, state_, "resolving the dispute of AR invoice " + invoice_id, invoice_id,
                      [&](records::ArInvoiceState& st) {
                        if (!st.disputed_day) return false;
                        st.dispute_resolved_day = day;
                        return true;
                      });
}

// ---- records::CreditLedger

Result<void> FakeFinanceStore::place_credit_hold(const std::string& customer_id,
                                                 const std::string& invoice_id,
                                                 const std::string& by, std::int64_t now_us) {
  return transact<void>(mu_, state_, "placing a credit hold on customer " + customer_id,
                        [&](State& s) -> Result<void> {
                          auto [it, inserted] = s.holds.try_emplace({customer_id, invoice_id});
                          if (inserted || it->second.released_at_us) {
                            it->second = Hold{now_us, by, std::nullopt, ""};
                          }
                          return {};
                        });
}

Result<std::size_t> FakeFinanceStore::release_credit_holds(const std::string& customer_id,
                                                           const std::string& invoice_id,
                                                           const std::string& by,
                                                           std::int64_t now_us) {
  return transact<std::size_t>(mu_, state_, "releasing credit holds of customer " + customer_id,
                               [&](State& s) -> Result<std::size_t> {
                                 std::size_t released = 0;
                                 for (auto& [key, hold] : s.holds) {
                                   if (key.first != customer_id ||
                                       (!invoice_id.empty() && key.second != invoice_id) ||
                                       hold.released_at_us) {
                                     continue;
                                   }
                                   hold.released_at_us = now_us;
                                   hold.released_by = by;
                                   ++released;
                                 }
                                 return released;
                               });
}

Result<std::vector<std::string>> FakeFinanceStore::customers_on_hold(std::size_t limit) {
  std::lock_guard lock(mu_);
  std::set<std::string> on_hold;
  for (const auto& [key, hold] : state_.holds) {
    if (!hold.released_at_us) on_hold.insert(key.first);
  }
  std::vector<std::string> out(on_hold.begin(), on_hold.end());
  cap(out, limit);
  return out;
}

Result<records::OpenOrders> FakeFinanceStore::open_orders(const std::string& customer_id,
                                                          std::int64_t before_seq, int day,
                                                          int lookback_days) {
  std::lock_guard lock(mu_);
  const RecordType& orders = type_named("orders");
  const RecordType& invoices = type_named("ar_invoices");
  const Table* invoice_table = table_of(state_, invoices.name);
  records::OpenOrders out;
  const Table* table = table_of(state_, orders.name);
  if (table == nullptr) return out;
  for (const auto& [key, row] : *table) {
    const std::string order_id = text_of(orders, row, "order_id");
    const std::int64_t order_day = int_of(orders, row, "order_day");
    if (text_of(orders, row, "customer_id") != customer_id || row.seq >= before_seq ||
        order_day < day - lookback_days || order_day > day) {
      continue;
    }
    bool invoiced = false;
    if (invoice_table != nullptr) {
      for (const auto& [ikey, inv] : *invoice_table) {
        const std::string of_order = text_of(invoices, inv, "order_id");
        if (of_order == order_id && !of_order.empty() &&
            int_of(invoices, inv, "invoice_day") < day) {
          invoiced = true;
          break;
        }
      }
    }
    auto decision = state_.order_decisions.find(order_id);
    const bool blocked = decision != state_.order_decisions.end() && decision->second == "blocked";
    if (invoiced || blocked) continue;
    ++out.count;
    out.amount_e4 += int_of(orders, row, "amount_e4");
  }
  return out;
}

Result<void> FakeFinanceStore::record_order_decision(const std::string& order_id,
                                                     const std::string& status, const std::string&,
                                                     const std::string&, const std::string&,
                                                     std::int64_t) {
  if (status != "released" && status != "blocked") {
    return Error::invalid("an order is released or blocked, not " + status);
  }
  return transact<void>(mu_, state_, "recording the decision on order " + order_id,
                        [&](State& s) -> Result<void> {
                          s.order_decisions[order_id] = status;
                          return {};
                        });
}

Result<std::optional<std::string>> FakeFinanceStore::order_decision(const std::string& order_id) {
  std::lock_guard lock(mu_);
  auto it = state_.order_decisions.find(order_id);
  if (it == state_.order_decisions.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

Result<records::CreditLimitChange> FakeFinanceStore::update_credit_limit(
    const std::string& customer_id, std::int64_t new_limit_e4, const std::string& by,
    const std::string& reason, const std::string& instance_id, std::int64_t now_us) {
  if (new_limit_e4 < 0 || new_limit_e4 > records::kMaxAbsE4) {
    return Error::invalid("a credit limit must be between 0 and " +
                          records::format_e4(records::kMaxAbsE4));
  }
  return transact<records::CreditLimitChange>(
      mu_, state_, "changing the credit limit of customer " + customer_id,
      [&](State& s) -> Result<records::CreditLimitChange> {
        if (!instance_id.empty()) {
          for (const auto& c : s.limit_changes) {
            if (c.instance_id == instance_id && c.customer_id == customer_id &&
                c.new_limit_e4 == new_limit_e4) {
              return records::CreditLimitChange{c.old_limit_e4, c.new_limit_e4};
            }
          }
        }
        Table& customers = s.tables["customers"];
        auto it = customers.find(Key{customer_id});
        if (it == customers.end()) return Error{ErrorCode::not_found, "no customer " + customer_id};
        Row& row = it->second;
        records::CreditLimitChange change;
        change.old_limit_e4 =
            records::parse_decimal_e4(row.data.value("credit_limit", std::string("0"))).value_or(0);
        change.new_limit_e4 = new_limit_e4;
        row.data["credit_limit"] = records::format_e4(new_limit_e4);
        row.text = row.data.dump();
        row.updated_at_us = now_us;
        s.limit_changes.push_back(
            {customer_id, change.old_limit_e4, new_limit_e4, now_us, by, reason, instance_id});
        return change;
      });
}

Result<std::vector<records::ApCommitment>> FakeFinanceStore::ap_commitments(int from_day,
                                                                            int to_day,
                                                                            std::size_t limit) {
  std::lock_guard lock(mu_);
  const RecordType& t = type_named("invoices");
  std::set<std::string> posted;
  for (const PostedEntry& e : state_.journal) {
    if (e.posting.document_type == "invoice") posted.insert(e.posting.document_id);
  }
  std::vector<records::ApCommitment> out;
  if (const Table* table = table_of(state_, t.name)) {
    for (const auto& [key, row] : *table) {
      const std::int64_t due = int_of(t, row, "due_day");
      const std::string id = text_of(t, row, "invoice_id");
      if (due < from_day || due > to_day || posted.count(id) == 0) continue;
      out.push_back({id, field_text(row.data, "currency"), static_cast<int>(due),
                     int_of(t, row, "amount_e4")});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::pair(a.due_day, a.invoice_id) < std::pair(b.due_day, b.invoice_id);
  });
  cap(out, limit);
  return out;
}

// ---- test hooks

std::size_t FakeFinanceStore::record_count(std::string_view type) const {
  std::lock_guard lock(mu_);
  const Table* table = table_of(state_, type);
  return table == nullptr ? 0 : table->size();
}

std::vector<PostedEntry> FakeFinanceStore::journal() const {
  std::lock_guard lock(mu_);
  return state_.journal;
}

std::vector<LoggedLimitChange> FakeFinanceStore::credit_limit_changes() const {
  std::lock_guard lock(mu_);
  return state_.limit_changes;
}

}  // namespace finance_fakes
