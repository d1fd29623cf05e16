// SqliteRecordStore's records::ArLedger, credit side: credit holds, open orders, order
// decisions, credit-limit changes, and the approved AP invoices the cash forecast pays
// out (schema version 4, storage/sqlite/schema.cpp). The receivables side is
// sqlite_ar_ledger.cpp.
#include <sqlite3.h>

#include "plugins/finance/records/decimal.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"

namespace ledgerflow::storage {

Result<void> SqliteRecordStore::place_credit_hold(const std::string& customer_id,
                                                  const std::string& invoice_id,
                                                  const std::string& by, std::int64_t now_us) {
  return write_one(
      "placing a credit hold on customer " + customer_id,
      "INSERT INTO credit_holds (customer_id, invoice_id, placed_at_us, placed_by) VALUES (?, ?, "
      "?, ?) ON CONFLICT (customer_id, invoice_id) DO UPDATE SET placed_at_us = "
      "excluded.placed_at_us, placed_by = excluded.placed_by, released_at_us = NULL, released_by "
      "= NULL WHERE released_at_us IS NOT NULL",
      [&](Statement& s) {
        s.bind_text(1, customer_id);
        s.bind_text(2, invoice_id);
        s.bind_int(3, now_us);
        s.bind_text(4, by);
      },
      false);
}

Result<std::size_t> SqliteRecordStore::release_credit_holds(const std::string& customer_id,
                                                            const std::string& invoice_id,
                                                            const std::string& by,
                                                            std::int64_t now_us) {
  return in_write_transaction<std::size_t>(
      "releasing credit holds of customer " + customer_id, [&]() -> Result<std::size_t> {
        auto st = writer_->prepare(
            "UPDATE credit_holds SET released_at_us = ?, released_by = ? WHERE customer_id = ? "
            "AND (? = '' OR invoice_id = ?) AND released_at_us IS NULL");
        if (!st) return st.error();
        Statement& s = st->get();
        s.bind_int(1, now_us);
        s.bind_text(2, by);
        s.bind_text(3, customer_id);
        s.bind_text(4, invoice_id);
        s.bind_text(5, invoice_id);
        const int rc = s.step();
        if (rc != SQLITE_DONE) return writer_->error(rc, "releasing credit holds");
        return static_cast<std::size_t>(writer_->changes());
      });
}

Result<std::vector<std::string>> SqliteRecordStore::customers_on_hold(std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(
      "SELECT DISTINCT customer_id FROM credit_holds WHERE released_at_us IS NULL ORDER BY "
      "customer_id LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_int(1, static_cast<std::int64_t>(limit));
  std::vector<std::string> out;
  auto done = db.each_row(s, "reading credit holds",
                          [&](const Statement& r) { out.push_back(r.column_text(0)); });
  if (!done) return done.error();
  return out;
}

Result<records::OpenOrders> SqliteRecordStore::open_orders(const std::string& customer_id,
                                                           std::int64_t before_seq, int day,
                                                           int lookback_days) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(
      "SELECT count(*), coalesce(sum(o.amount_e4), 0) FROM rec_orders o WHERE o.customer_id = ? "
      "AND o.seq < ? AND o.order_day >= ? AND o.order_day <= ? AND NOT EXISTS (SELECT 1 FROM "
      "rec_ar_invoices i WHERE i.order_id = o.order_id AND i.order_id != '' AND i.invoice_day < "
      "?) AND NOT EXISTS "
      "(SELECT 1 FROM order_decisions d WHERE d.order_id = o.order_id AND d.status = "
      "'blocked')");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, customer_id);
  s.bind_int(2, before_seq);
  s.bind_int(3, day - lookback_days);
  s.bind_int(4, day);
  s.bind_int(5, day);
  const int rc = s.step();
  if (rc != SQLITE_ROW) return db.error(rc, "summing the open orders of customer " + customer_id);
  return records::OpenOrders{static_cast<std::size_t>(s.column_int(0)), s.column_int(1)};
}

Result<void> SqliteRecordStore::record_order_decision(
    const std::string& order_id, const std::string& status, const std::string& by,
    const std::string& instance_id, const std::string& reason, std::int64_t now_us) {
  if (status != "released" && status != "blocked") {
    return Error::invalid("an order is released or blocked, not " + status);
  }
  return write_one(
      "recording the decision on order " + order_id,
      "INSERT INTO order_decisions (order_id, status, decided_at_us, decided_by, instance_id, "
      "reason) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (order_id) DO UPDATE SET status = "
      "excluded.status, decided_at_us = excluded.decided_at_us, decided_by = "
      "excluded.decided_by, instance_id = excluded.instance_id, reason = excluded.reason",
      [&](Statement& s) {
        s.bind_text(1, order_id);
        s.bind_text(2, status);
        s.bind_int(3, now_us);
        s.bind_text(4, by);
        s.bind_text(5, instance_id);
        s.bind_text(6, reason);
      },
      false);
}

Result<std::optional<std::string>> SqliteRecordStore::order_decision(const std::string& order_id) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare("SELECT status FROM order_decisions WHERE order_id = ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_text(1, order_id);
  const int rc = s.step();
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return db.error(rc, "reading the decision on order " + order_id);
  return std::optional<std::string>(s.column_text(0));
}

Result<records::CreditLimitChange> SqliteRecordStore::update_credit_limit(
    const std::string& customer_id, std::int64_t new_limit_e4, const std::string& by,
    const std::string& reason, const std::string& instance_id, std::int64_t now_us) {
  if (new_limit_e4 < 0 || new_limit_e4 > records::kMaxAbsE4) {
    return Error::invalid("a credit limit must be between 0 and " +
                          records::format_e4(records::kMaxAbsE4));
  }
  return in_write_transaction<records::CreditLimitChange>(
      "changing the credit limit of customer " + customer_id,
      [&]() -> Result<records::CreditLimitChange> {
        const std::string doing = "changing the credit limit of customer " + customer_id;
        // A re-run of the same instance's change (after a crash) finds it: logged once.
        {
          auto st = writer_->prepare(
              "SELECT old_limit_e4, new_limit_e4 FROM credit_limit_changes WHERE instance_id = ? "
              "AND customer_id = ? AND new_limit_e4 = ? AND ? != '' LIMIT 1");
          if (!st) return st.error();
          Statement& s = st->get();
          s.bind_text(1, instance_id);
          s.bind_text(2, customer_id);
          s.bind_int(3, new_limit_e4);
          s.bind_text(4, instance_id);
          const int rc = s.step();
          if (rc == SQLITE_ROW) return records::CreditLimitChange{s.column_int(0), s.column_int(1)};
          if (rc != SQLITE_DONE) return writer_->error(rc, doing);
        }
        nlohmann::json data;
        {
          auto st = writer_->prepare("SELECT data FROM rec_customers WHERE customer_id = ?");
          if (!st) return st.error();
          Statement& s = st->get();
          s.bind_text(1, customer_id);
          const int rc = s.step();
          if (rc == SQLITE_DONE) return Error{ErrorCode::not_found, "no customer " + customer_id};
          if (rc != SQLITE_ROW) return writer_->error(rc, doing);
          data = nlohmann::json::parse(s.column_text(0));
        }
        records::CreditLimitChange change;
        change.old_limit_e4 =
            records::parse_decimal_e4(data.value("credit_limit", std::string("0"))).value_or(0);
        change.new_limit_e4 = new_limit_e4;
        data["credit_limit"] = records::format_e4(new_limit_e4);
        {
          auto st = writer_->prepare(
              "UPDATE rec_customers SET data = ?, updated_at_us = ? WHERE customer_id = ?");
          if (!st) return st.error();
          Statement& s = st->get();
          s.bind_text(1, data.dump());
          s.bind_int(2, now_us);
          s.bind_text(3, customer_id);
          const int rc = s.step();
          if (rc != SQLITE_DONE) return writer_->error(rc, doing);
        }
        auto st = writer_->prepare(
            "INSERT INTO credit_limit_changes (customer_id, old_limit_e4, new_limit_e4, "
            "changed_at_us, changed_by, reason, instance_id) VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!st) return st.error();
        Statement& s = st->get();
        s.bind_text(1, customer_id);
        s.bind_int(2, change.old_limit_e4);
        s.bind_int(3, new_limit_e4);
        s.bind_int(4, now_us);
        s.bind_text(5, by);
        s.bind_text(6, reason);
        s.bind_text(7, instance_id);
        const int rc = s.step();
        if (rc != SQLITE_DONE) return writer_->error(rc, doing);
        return change;
      });
}

Result<std::vector<records::ApCommitment>> SqliteRecordStore::ap_commitments(int from_day,
                                                                             int to_day,
                                                                             std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  Connection& db = lease->db();
  auto st = db.prepare(
      "SELECT i.invoice_id, json_extract(i.data, '$.currency'), i.due_day, i.amount_e4 FROM "
      "rec_invoices i WHERE i.due_day >= ? AND i.due_day <= ? AND EXISTS (SELECT 1 FROM journal "
      "j WHERE j.document_type = 'invoice' AND j.document_id = i.invoice_id) ORDER BY i.due_day, "
      "i.invoice_id LIMIT ?");
  if (!st) return st.error();
  Statement& s = st->get();
  s.bind_int(1, from_day);
  s.bind_int(2, to_day);
  s.bind_int(3, static_cast<std::int64_t>(limit));
  std::vector<records::ApCommitment> out;
  auto done = db.each_row(s, "reading approved AP invoices", [&](const Statement& r) {
    out.push_back(
        {r.column_text(0), r.column_text(1), static_cast<int>(r.column_int(2)), r.column_int(3)});
  });
  if (!done) return done.error();
  return out;
}

}  // namespace ledgerflow::storage
