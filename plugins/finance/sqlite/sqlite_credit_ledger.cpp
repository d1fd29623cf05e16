// SqliteRecordStore's records::ArLedger, credit side: credit holds, open orders, order
// decisions, credit-limit changes, and the approved AP invoices the cash forecast pays
// out (finance schema version 3, finance_schema.cpp). The receivables side is
// sqlite_ar_ledger.cpp.
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
      false, customer_id, invoice_id, now_us, by);
}

Result<std::size_t> SqliteRecordStore::release_credit_holds(const std::string& customer_id,
                                                            const std::string& invoice_id,
                                                            const std::string& by,
                                                            std::int64_t now_us) {
  return in_write_transaction<std::size_t>(
      "releasing credit holds of customer " + customer_id, [&]() -> Result<std::size_t> {
        auto released = writer_->run(
            "UPDATE credit_holds SET released_at_us = ?1, released_by = ?2 WHERE customer_id = "
            "?3 AND (?4 = '' OR invoice_id = ?4) AND released_at_us IS NULL",
            "releasing credit holds", now_us, by, customer_id, invoice_id);
        if (!released) return released.error();
        return static_cast<std::size_t>(writer_->changes());
      });
}

Result<std::vector<std::string>> SqliteRecordStore::customers_on_hold(std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(
      "SELECT DISTINCT customer_id FROM credit_holds WHERE released_at_us IS NULL ORDER BY "
      "customer_id LIMIT ?",
      "reading credit holds", [](const Statement& r) { return r.column_text(0); }, limit);
}

Result<records::OpenOrders> SqliteRecordStore::open_orders(const std::string& customer_id,
                                                           std::int64_t before_seq, int day,
                                                           int lookback_days) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  const std::string doing = "summing the open orders of customer " + customer_id;
  auto open = lease->db().query_one(
      "SELECT count(*), coalesce(sum(o.amount_e4), 0) FROM rec_orders o WHERE o.customer_id = ?1 "
      "AND o.seq < ?2 AND o.order_day >= ?3 AND o.order_day <= ?4 AND NOT EXISTS (SELECT 1 FROM "
      "rec_ar_invoices i WHERE i.order_id = o.order_id AND i.order_id != '' AND i.invoice_day < "
      "?4) AND NOT EXISTS "
      "(SELECT 1 FROM order_decisions d WHERE d.order_id = o.order_id AND d.status = "
      "'blocked')",
      doing,
      [](const Statement& r) {
        return records::OpenOrders{static_cast<std::size_t>(r.column_int(0)), r.column_int(1)};
      },
      customer_id, before_seq, day - lookback_days, day);
  if (!open) return open.error();
  if (!*open) return Error::io(doing + ": no result");  // an aggregate always has a row
  return **open;
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
      false, order_id, status, now_us, by, instance_id, reason);
}

Result<std::optional<std::string>> SqliteRecordStore::order_decision(const std::string& order_id) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query_one(
      "SELECT status FROM order_decisions WHERE order_id = ?",
      "reading the decision on order " + order_id,
      [](const Statement& r) { return r.column_text(0); }, order_id);
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
        Connection& db = *writer_;
        const std::string doing = "changing the credit limit of customer " + customer_id;
        // A re-run of the same instance's change (after a crash) finds it: logged once.
        auto earlier = db.query_one(
            "SELECT old_limit_e4, new_limit_e4 FROM credit_limit_changes WHERE instance_id = ?1 "
            "AND customer_id = ?2 AND new_limit_e4 = ?3 AND ?1 != '' LIMIT 1",
            doing,
            [](const Statement& r) {
              return records::CreditLimitChange{r.column_int(0), r.column_int(1)};
            },
            instance_id, customer_id, new_limit_e4);
        if (!earlier) return earlier.error();
        if (*earlier) return **earlier;
        auto stored = db.query_one(
            "SELECT data FROM rec_customers WHERE customer_id = ?", doing,
            [](const Statement& r) { return r.column_text(0); }, customer_id);
        if (!stored) return stored.error();
        if (!*stored) return Error{ErrorCode::not_found, "no customer " + customer_id};
        nlohmann::json data = nlohmann::json::parse(**stored);
        records::CreditLimitChange change;
        change.old_limit_e4 =
            records::parse_decimal_e4(data.value("credit_limit", std::string("0"))).value_or(0);
        change.new_limit_e4 = new_limit_e4;
        data["credit_limit"] = records::format_e4(new_limit_e4);
        auto updated =
            db.run("UPDATE rec_customers SET data = ?, updated_at_us = ? WHERE customer_id = ?",
                   doing, data.dump(), now_us, customer_id);
        if (!updated) return updated.error();
        auto logged = db.run(
            "INSERT INTO credit_limit_changes (customer_id, old_limit_e4, new_limit_e4, "
            "changed_at_us, changed_by, reason, instance_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            doing, customer_id, change.old_limit_e4, new_limit_e4, now_us, by, reason, instance_id);
        if (!logged) return logged.error();
        return change;
      });
}

Result<std::vector<records::ApCommitment>> SqliteRecordStore::ap_commitments(int from_day,
                                                                             int to_day,
                                                                             std::size_t limit) {
  auto lease = readers_.acquire();
  if (!lease) return lease.error();
  return lease->db().query(
      "SELECT i.invoice_id, json_extract(i.data, '$.currency'), i.due_day, i.amount_e4 FROM "
      "rec_invoices i WHERE i.due_day >= ? AND i.due_day <= ? AND EXISTS (SELECT 1 FROM journal "
      "j WHERE j.document_type = 'invoice' AND j.document_id = i.invoice_id) ORDER BY i.due_day, "
      "i.invoice_id LIMIT ?",
      "reading approved AP invoices",
      [](const Statement& r) {
        return records::ApCommitment{r.column_text(0), r.column_text(1),
                                     static_cast<int>(r.column_int(2)), r.column_int(3)};
      },
      from_day, to_day, limit);
}

}  // namespace ledgerflow::storage
