// SqliteRecordStore's records::ArLedger, receivables side: invoice state, customer
// history, cash applications, payment decisions, dunning, promises and disputes (finance
// version 3, finance_schema.cpp). The credit side is sqlite_credit_ledger.cpp.
#include <algorithm>
#include <cmath>

#include "plugins/finance/records/ar_rules.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"

namespace ledgerflow::storage {
namespace {

using records::ArInvoiceState;

constexpr const char* kStateColumns =
    "SELECT s.invoice_id, s.customer_id, json_extract(r.data, '$.invoice_number'), s.currency, "
    "s.invoice_day, s.due_day, s.amount_e4, s.applied_e4, s.status, s.closed_day, "
    "s.disputed_day, s.promised_day, s.dunning_level, s.p_late, s.expected_days_late, "
    "s.sd_days_late, s.model_version, s.dispute_resolved_day FROM ar_invoice_state s JOIN "
    "rec_ar_invoices r ON r.invoice_id = s.invoice_id";

std::optional<int> opt_day(const Statement& s, int col) {
  if (s.column_is_null(col)) return std::nullopt;
  return static_cast<int>(s.column_int(col));
}

std::optional<double> opt_double(const Statement& s, int col) {
  if (s.column_is_null(col)) return std::nullopt;
  return s.column_double(col);
}

ArInvoiceState state_row(const Statement& s) {
  ArInvoiceState a;
  a.invoice_id = s.column_text(0);
  a.customer_id = s.column_text(1);
  a.invoice_number = s.column_text(2);
  a.currency = s.column_text(3);
  a.invoice_day = static_cast<int>(s.column_int(4));
  a.due_day = static_cast<int>(s.column_int(5));
  a.amount_e4 = s.column_int(6);
  a.applied_e4 = s.column_int(7);
  a.status = s.column_text(8);
  a.closed_day = opt_day(s, 9);
  a.disputed_day = opt_day(s, 10);
  a.promised_day = opt_day(s, 11);
  a.dunning_level = s.column_text(12);
  a.p_late = opt_double(s, 13);
  a.expected_days_late = opt_double(s, 14);
  a.sd_days_late = opt_double(s, 15);
  a.model_version = s.column_text(16);
  a.dispute_resolved_day = opt_day(s, 17);
  return a;
}

// Columns 0-7: payment_id, status, customer_id, flags, instance_id, applied_e4,
// unapplied_e4, updated_at_us.
records::PaymentState payment_state_row(const Statement& s) {
  records::PaymentState p;
  p.payment_id = s.column_text(0);
  p.status = s.column_text(1);
  p.customer_id = s.column_text(2);
  p.flags = s.column_text(3);
  p.instance_id = s.column_text(4);
  p.applied_e4 = s.column_int(5);
  p.unapplied_e4 = s.column_int(6);
  p.updated_at_us = s.column_int(7);
  return p;
}

}  // namespace

Result<std::optional<ArInvoiceState>> SqliteRecordStore::ar_invoice(const std::string& invoice_id) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query_one(std::string(kStateColumns) + " WHERE s.invoice_id = ?",
                               "reading AR invoice " + invoice_id, state_row, invoice_id);
}

Result<records::CustomerArHistory> SqliteRecordStore::customer_history(
    const std::string& customer_id, int day, int lookback_days) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  const std::string doing = "reading the AR history of customer " + customer_id;
  records::CustomerArHistory h;
  // One read transaction: the five reads see one state (an application committing in
  // between would count an invoice neither settled nor open).
  auto begun = db.exec("BEGIN", doing);
  if (!begun) return begun.error();
  struct EndRead {
    Connection& db;
    ~EndRead() { (void)db.exec("COMMIT", "ending a read"); }
  } end_read{db};

  // Payments in the lookback window (ar_state_customer_closed).
  {
    double total = 0, squares = 0;
    std::size_t late = 0;
    auto done = db.each(
        "SELECT closed_day - due_day FROM ar_invoice_state WHERE customer_id = ? AND closed_day "
        ">= ? AND closed_day < ? AND status = 'paid'",
        doing,
        [&](const Statement& r) {
          const double d = static_cast<double>(r.column_int(0));
          ++h.settled_count;
          total += d;
          squares += d * d;
          late += d > 0;
        },
        customer_id, day - lookback_days, day);
    if (!done) return done.error();
    if (h.settled_count > 0) {
      const double n = static_cast<double>(h.settled_count);
      h.avg_days_late = total / n;
      h.late_ratio = static_cast<double>(late) / n;
      if (h.settled_count > 1) {
        h.sd_days_late = std::sqrt(std::max(0.0, squares / n - h.avg_days_late * h.avg_days_late));
      }
    }
  }
  // The three latest payments at all.
  {
    double total = 0;
    auto done = db.each(
        "SELECT closed_day - due_day FROM ar_invoice_state WHERE customer_id = ? AND closed_day "
        "< ? AND status = 'paid' ORDER BY closed_day DESC, invoice_id DESC LIMIT 3",
        doing,
        [&](const Statement& r) {
          ++h.recent_count;
          total += static_cast<double>(r.column_int(0));
        },
        customer_id, day);
    if (!done) return done.error();
    if (h.recent_count > 0) h.recent_days_late = total / static_cast<double>(h.recent_count);
  }
  // Open at the start of `day`: open now (ar_state_customer_open) or closed since
  // (ar_state_customer_closed), issued before it; what was still unpaid that day (the
  // amount less what was applied before it, ar_applications_invoice).
  {
    auto done = db.each(
        "SELECT s.amount_e4 - coalesce((SELECT sum(a.amount_e4) FROM ar_applications a WHERE "
        "a.invoice_id = s.invoice_id AND a.applied_day < ?2), 0), s.due_day, s.disputed_day, "
        "s.dispute_resolved_day FROM ar_invoice_state s WHERE s.customer_id = ?1 AND s.status = "
        "'open' AND s.invoice_day < ?2 UNION ALL SELECT s.amount_e4 - coalesce((SELECT "
        "sum(a.amount_e4) FROM ar_applications a WHERE a.invoice_id = s.invoice_id AND "
        "a.applied_day < ?2), 0), s.due_day, s.disputed_day, s.dispute_resolved_day FROM "
        "ar_invoice_state s WHERE s.customer_id = ?1 AND s.closed_day >= ?2 AND s.invoice_day < "
        "?2",
        doing,
        [&](const Statement& r) {
          const std::int64_t amount = r.column_int(0);
          const int due = static_cast<int>(r.column_int(1));
          ++h.open_count;
          h.open_e4 += amount;
          if (due < day) h.overdue_e4 += amount;
          if (day - due > 30) ++h.overdue_30_count;
          if (!r.column_is_null(2) && r.column_int(2) < day &&
              (r.column_is_null(3) || r.column_int(3) >= day)) {
            ++h.disputed_open_count;
          }
        },
        customer_id, day);
    if (!done) return done.error();
  }
  // Issued and disputed in the window (ar_state_customer_issued, ar_state_customer_disputed).
  {
    auto done = db.each(
        "SELECT count(*), coalesce(sum(amount_e4), 0), (SELECT count(*) FROM ar_invoice_state "
        "WHERE customer_id = ?1 AND disputed_day >= ?2 AND disputed_day < ?3) FROM "
        "ar_invoice_state WHERE customer_id = ?1 AND invoice_day >= ?2 AND invoice_day < ?3",
        doing,
        [&](const Statement& r) {
          h.issued_count = static_cast<std::size_t>(r.column_int(0));
          if (h.issued_count > 0) {
            h.issued_mean_e4 = r.column_int(1) / static_cast<std::int64_t>(h.issued_count);
          }
          h.disputes = static_cast<std::size_t>(r.column_int(2));
        },
        customer_id, day - lookback_days, day);
    if (!done) return done.error();
  }
  auto hold = db.query_one(
      "SELECT 1 FROM credit_holds WHERE customer_id = ? AND released_at_us IS NULL LIMIT 1", doing,
      [](const Statement&) { return true; }, customer_id);
  if (!hold) return hold.error();
  h.on_credit_hold = hold->has_value();
  return h;
}

namespace {
template <typename... Args>
Result<std::vector<ArInvoiceState>> query_states(ReaderPool& readers, const std::string& where,
                                                 std::string_view doing, const Args&... args) {
  auto lease = readers.acquire();
  if (!lease) return lease.error();
  return lease->db().query(std::string(kStateColumns) + " " + where, doing, state_row, args...);
}
}  // namespace

Result<std::vector<ArInvoiceState>> SqliteRecordStore::open_ar_of_customer(
    const std::string& customer_id, std::size_t limit) {
  return query_states(
      readers_,
      "WHERE s.customer_id = ? AND s.status = 'open' ORDER BY s.due_day, s.invoice_id LIMIT ?",
      "reading the open invoices of customer " + customer_id, customer_id, limit);
}

Result<std::vector<ArInvoiceState>> SqliteRecordStore::ar_by_number_key(const std::string& key,
                                                                        std::size_t limit) {
  return query_states(readers_, "WHERE r.number_key = ? ORDER BY s.invoice_id LIMIT ?",
                      "finding AR invoices by number", key, limit);
}

Result<std::vector<ArInvoiceState>> SqliteRecordStore::open_ar_by_outstanding(
    std::int64_t outstanding_e4, std::size_t limit) {
  return query_states(readers_,
                      "WHERE s.status = 'open' AND s.amount_e4 - s.applied_e4 = ? ORDER BY "
                      "s.due_day, s.invoice_id LIMIT ?",
                      "finding open AR invoices by amount", outstanding_e4, limit);
}

Result<std::vector<ArInvoiceState>> SqliteRecordStore::open_ar_page(
    const std::string& after_invoice_id, std::size_t limit) {
  return query_states(readers_,
                      "WHERE s.status = 'open' AND s.invoice_id > ? ORDER BY s.invoice_id LIMIT ?",
                      "reading open AR invoices", after_invoice_id, limit);
}

Result<void> SqliteRecordStore::record_risk(const std::string& invoice_id, double p_late,
                                            double expected_days_late, double sd_days_late,
                                            const std::string& model_version, std::int64_t now_us) {
  return write_one(
      "recording the late-payment risk of AR invoice " + invoice_id,
      "UPDATE ar_invoice_state SET p_late = ?, expected_days_late = ?, sd_days_late = ?, "
      "model_version = ?, updated_at_us = ? WHERE invoice_id = ?",
      true, p_late, expected_days_late, sd_days_late, model_version, now_us, invoice_id);
}

Result<void> SqliteRecordStore::write_payment_state(const records::PaymentApplication& d) {
  std::int64_t applied = 0;
  for (const auto& a : d.allocations) {
    if (a.kind == "cash") applied += a.amount_e4;
  }
  return writer_->run(
      "INSERT INTO ar_payment_state (payment_id, status, customer_id, applied_e4, unapplied_e4, "
      "flags, instance_id, updated_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
      "(payment_id) DO UPDATE SET status = excluded.status, customer_id = excluded.customer_id, "
      "applied_e4 = excluded.applied_e4, unapplied_e4 = excluded.unapplied_e4, flags = "
      "excluded.flags, instance_id = excluded.instance_id, updated_at_us = excluded.updated_at_us",
      "recording payment " + d.payment_id, d.payment_id, d.status, d.customer_id, applied,
      d.unapplied_e4, d.flags, d.instance_id, d.now_us);
}

Result<records::ApplicationResult> SqliteRecordStore::apply(
    const records::PaymentApplication& application) {
  return in_write_transaction<records::ApplicationResult>(
      "applying payment " + application.payment_id, [&] { return apply_locked(application); });
}

Result<records::ApplicationResult> SqliteRecordStore::apply_locked(
    const records::PaymentApplication& p) {
  Connection& db = *writer_;
  const std::string doing = "applying payment " + p.payment_id;
  records::ApplicationResult out;
  for (std::size_t i = 0; i < p.allocations.size(); ++i) {
    const records::Allocation& a = p.allocations[i];
    auto acceptable = records::check_allocation(p, i, doing);
    if (!acceptable) return acceptable.error();
    // A re-run of this application finds its own rows: nothing more to do.
    auto seen = db.query_one(
        "SELECT 1 FROM ar_applications WHERE payment_id = ? AND invoice_id = ? AND kind = ?", doing,
        [](const Statement&) { return true; }, p.payment_id, a.invoice_id, a.kind);
    if (!seen) return seen.error();
    if (*seen) {
      if (i > 0) {
        return Error{ErrorCode::conflict,
                     doing + ": invoice " + a.invoice_id + " already has this payment"};
      }
      out.already_applied = true;
      break;
    }
    struct Invoice {
      std::int64_t amount, applied;
      std::string status;
    };
    auto invoice = db.query_one(
        "SELECT amount_e4, applied_e4, status FROM ar_invoice_state WHERE invoice_id = ?", doing,
        [](const Statement& r) {
          return Invoice{r.column_int(0), r.column_int(1), r.column_text(2)};
        },
        a.invoice_id);
    if (!invoice) return invoice.error();
    if (!*invoice) return Error{ErrorCode::not_found, doing + ": no AR invoice " + a.invoice_id};
    const std::int64_t amount = (*invoice)->amount, applied = (*invoice)->applied;
    auto closing = records::allocation_closes(a, amount, applied, (*invoice)->status, doing);
    if (!closing) return closing.error();
    const bool closes = *closing;
    auto recorded = db.run(
        "INSERT INTO ar_applications (payment_id, invoice_id, kind, amount_e4, applied_day, "
        "applied_at_us, applied_by, instance_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        doing, p.payment_id, a.invoice_id, a.kind, a.amount_e4, p.applied_day, p.now_us, p.by,
        p.instance_id);
    if (!recorded) return recorded.error();
    auto updated = db.run(
        "UPDATE ar_invoice_state SET applied_e4 = applied_e4 + ?, status = ?, closed_day = ?, "
        "promised_day = CASE WHEN ? THEN NULL ELSE promised_day END, updated_at_us = ? WHERE "
        "invoice_id = ?",
        doing, a.amount_e4, closes ? records::status_after(a.kind) : "open",
        closes ? std::optional<int>(p.applied_day) : std::nullopt, closes ? 1 : 0, p.now_us,
        a.invoice_id);
    if (!updated) return updated.error();
    if (closes) {
      // A closed invoice holds no customer on credit hold any more, whoever closed it.
      auto released = db.run(
          "UPDATE credit_holds SET released_at_us = ?, released_by = ? WHERE invoice_id = ? AND "
          "released_at_us IS NULL",
          doing, p.now_us, p.by + " (" + records::status_after(a.kind) + ")", a.invoice_id);
      if (!released) return released.error();
    }
    out.invoices.push_back({a.invoice_id, a.amount_e4, amount - applied - a.amount_e4, closes});
  }
  if (out.already_applied) {
    out.invoices.clear();
    for (const auto& a : p.allocations) {
      // As before: an invoice that cannot be read is left out of the repeated result.
      auto outstanding = db.query_one(
          "SELECT amount_e4 - applied_e4, status FROM ar_invoice_state WHERE invoice_id = ?", doing,
          [](const Statement& r) { return r.column_int(0); }, a.invoice_id);
      if (!outstanding || !*outstanding) continue;
      out.invoices.push_back({a.invoice_id, a.amount_e4, **outstanding, false});
    }
    return out;
  }
  // A credit note or a write-off (close_invoice) is no incoming payment; a bank's payment
  // id may contain anything, ':' included.
  const bool payment = std::any_of(p.allocations.begin(), p.allocations.end(), [](const auto& a) {
    return a.kind == "cash" || a.kind == "bank_charges";
  });
  if (payment) {
    auto written = write_payment_state(p);
    if (!written) return written.error();
  }
  return out;
}

Result<void> SqliteRecordStore::set_payment_state(const records::PaymentApplication& decision) {
  return in_write_transaction<void>("recording payment " + decision.payment_id,
                                    [&] { return write_payment_state(decision); });
}

Result<std::optional<records::PaymentState>> SqliteRecordStore::payment_state(
    const std::string& payment_id) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query_one(
      "SELECT payment_id, status, customer_id, flags, instance_id, applied_e4, unapplied_e4, "
      "updated_at_us FROM ar_payment_state WHERE payment_id = ?",
      "reading payment " + payment_id, payment_state_row, payment_id);
}

Result<std::vector<records::PaymentState>> SqliteRecordStore::unapplied_payments(
    const std::string& status, std::int64_t before_us, const std::string& before_id,
    std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  // Served by ar_payment_state_status (status, updated_at_us) for each status.
  const bool all = status.empty();
  return lease->db().query(
      "SELECT p.payment_id, p.status, p.customer_id, p.flags, p.instance_id, p.applied_e4, "
      "p.unapplied_e4, p.updated_at_us, json_extract(r.data, '$.currency'), "
      "json_extract(r.data, '$.reference'), json_extract(r.data, '$.received_at'), "
      "json_extract(r.data, '$.amount') FROM ar_payment_state p LEFT JOIN "
      "rec_incoming_payments r ON r.payment_id = p.payment_id WHERE p.status IN (?1, ?2, ?3) "
      "AND (p.updated_at_us, p.payment_id) < (?4, ?6) AND (p.status != 'applied' OR "
      "p.unapplied_e4 > 0) ORDER BY "
      "p.updated_at_us DESC, p.payment_id DESC LIMIT ?5",
      "listing unapplied payments",
      [](const Statement& r) {
        records::PaymentState p = payment_state_row(r);
        p.currency = r.column_text(8);
        p.reference = r.column_text(9);
        p.received_at = r.column_text(10);
        p.amount_e4 = records::parse_decimal_e4(r.column_text(11)).value_or(0);
        return p;
      },
      all ? std::string("review") : status, all ? std::string("unapplied") : status,
      all ? std::string("applied") : status, before_us, limit, before_id);
}

Result<records::ApplicationResult> SqliteRecordStore::close_invoice(const std::string& invoice_id,
                                                                    const std::string& kind,
                                                                    int day, const std::string& by,
                                                                    const std::string& instance_id,
                                                                    std::int64_t now_us) {
  if (kind != "credit_note" && kind != "write_off") {
    return Error::invalid("an invoice is closed by a credit_note or a write_off, not " + kind);
  }
  return in_write_transaction<records::ApplicationResult>(
      "closing AR invoice " + invoice_id, [&]() -> Result<records::ApplicationResult> {
        struct Open {
          std::int64_t outstanding;
          std::string status;
        };
        auto found = writer_->query_one(
            "SELECT amount_e4 - applied_e4, status FROM ar_invoice_state WHERE invoice_id = ?",
            "closing AR invoice " + invoice_id,
            [](const Statement& r) {
              return Open{r.column_int(0), r.column_text(1)};
            },
            invoice_id);
        if (!found) return found.error();
        if (!*found) return Error{ErrorCode::not_found, "no AR invoice " + invoice_id};
        const std::int64_t outstanding = (*found)->outstanding;
        const std::string& status = (*found)->status;
        records::PaymentApplication p;
        p.payment_id = kind + ":" + invoice_id;
        p.applied_day = day;
        p.now_us = now_us;
        p.by = by;
        p.instance_id = instance_id;
        p.allocations.push_back({invoice_id, outstanding, kind});
        // Closed by this very action before (a re-run): the same result.
        if (status != "open" || outstanding <= 0) {
          p.allocations.front().amount_e4 = std::max<std::int64_t>(outstanding, 1);
        }
        return apply_locked(p);
      });
}

Result<void> SqliteRecordStore::record_dunning(const std::string& invoice_id,
                                               const std::string& level, std::int64_t now_us) {
  return write_one(
      "recording dunning of AR invoice " + invoice_id,
      "UPDATE ar_invoice_state SET dunning_level = ?, dunning_at_us = ?, updated_at_us = ? WHERE "
      "invoice_id = ?",
      true, level, now_us, now_us, invoice_id);
}

Result<void> SqliteRecordStore::set_promise(const std::string& invoice_id, std::optional<int> day,
                                            std::int64_t now_us) {
  return write_one(
      "recording a promise to pay AR invoice " + invoice_id,
      "UPDATE ar_invoice_state SET promised_day = ?, updated_at_us = ? WHERE invoice_id = ?", true,
      day, now_us, invoice_id);
}

Result<void> SqliteRecordStore::record_dispute(const std::string& invoice_id, int day,
                                               std::int64_t now_us) {
  return write_one("recording a dispute of AR invoice " + invoice_id,
                   "UPDATE ar_invoice_state SET disputed_day = coalesce(disputed_day, ?1), "
                   "dispute_resolved_day = NULL, updated_at_us = ?2 WHERE invoice_id = ?3",
                   true, day, now_us, invoice_id);
}

Result<void> SqliteRecordStore::resolve_dispute(const std::string& invoice_id, int day,
                                                std::int64_t now_us) {
  return write_one(
      "resolving the dispute of AR invoice " + invoice_id,
      "UPDATE ar_invoice_state SET dispute_resolved_day = ?, updated_at_us = ? WHERE invoice_id = "
      "? AND disputed_day IS NOT NULL",
      true, day, now_us, invoice_id);
}

}  // namespace ledgerflow::storage
