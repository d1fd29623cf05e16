// The SQLite records::ArLedger (plugins/finance/sqlite/sqlite_ar_ledger.cpp, schema version 4):
// the state the triggers keep beside imported AR invoices, a customer's history at a
// point in time, cash application (partial, exact, over-allocation and closed invoices
// refused atomically, idempotent re-runs, bank charges), credit notes and write-offs,
// promises, dunning, disputes, credit holds, open orders, credit-limit changes, the AP
// commitments of the cash forecast, paging, and the migration from a version-3 file.
#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "engine/expr/timestamp.h"
#include "plugins/finance/records/decimal.h"
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;
namespace expr = ledgerflow::expr;
using records::kE4;

namespace {

// One text value read straight from the file (bypassing the store).
std::string raw_text(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  const int rc = sqlite3_step(stmt);
  std::string value;
  if (rc == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  INFO(sql);
  REQUIRE(rc == SQLITE_ROW);
  return value;
}

int day(const std::string& date) {
  auto us = expr::parse_timestamp(date);
  REQUIRE(us);
  return static_cast<int>(*us / expr::kMicrosPerDay);
}

const char* kCustomersCsv =
    "customer_id,name,country,credit_limit,currency,payment_terms_days,created_at\n"
    "C1,Contoso AG,DE,10000,EUR,30,2024-01-01T00:00:00Z\n"
    "C2,Fabrikam Ltd,GB,5000,EUR,30,2024-01-01T00:00:00Z\n"
    "C3,Northwind SA,FR,0,EUR,14,2024-01-01T00:00:00Z\n";

const char* kArHeader =
    "invoice_id,customer_id,invoice_number,invoice_date,due_date,currency,amount,disputed\n";

std::string ar(const std::string& id, const std::string& customer, const std::string& number,
               const std::string& issued, const std::string& due, const std::string& amount,
               int disputed = 0, const std::string& currency = "EUR") {
  return id + "," + customer + "," + number + "," + issued + "," + due + "," + currency + "," +
         amount + "," + std::to_string(disputed) + "\n";
}

records::ArInvoiceState state_of(RecordDb& db, const std::string& id) {
  auto s = db.store->ar_invoice(id);
  REQUIRE(s);
  REQUIRE(s->has_value());
  return **s;
}

records::PaymentApplication payment(const std::string& id, const std::string& customer,
                                    std::vector<records::Allocation> allocations,
                                    const std::string& applied_on) {
  records::PaymentApplication p;
  p.payment_id = id;
  p.customer_id = customer;
  p.allocations = std::move(allocations);
  p.applied_day = day(applied_on);
  p.now_us = kNowUs;
  p.by = "system";
  p.instance_id = "inst-" + id;
  return p;
}

records::ApplicationResult apply_ok(RecordDb& db, const records::PaymentApplication& p) {
  auto r = db.store->apply(p);
  if (!r) FAIL(p.payment_id << ": " << r.error().message);
  return *r;
}

// C1's history (see the customer_history case for the figures each date yields).
void seed_history(RecordDb& db) {
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("A0", "C1", "SI-0", "2025-01-01", "2025-01-31", "1000") +
                ar("A1", "C1", "SI-1", "2026-01-01", "2026-01-31", "100") +
                ar("A2", "C1", "SI-2", "2026-02-01", "2026-03-03", "200") +
                ar("A3", "C1", "SI-3", "2026-03-01", "2026-03-31", "300") +
                ar("A4", "C1", "SI-4", "2026-04-01", "2026-05-01", "400") +
                ar("A5", "C1", "SI-5", "2026-05-10", "2026-06-09", "500", 1) +
                ar("A6", "C1", "SI-6", "2026-06-01", "2026-07-01", "600") +
                ar("A7", "C1", "SI-7", "2026-05-01", "2026-05-20", "700") +
                ar("A8", "C1", "SI-8", "2026-02-15", "2026-03-15", "800") +
                ar("B1", "C2", "SI-9", "2026-01-15", "2026-02-14", "999"));
  apply_ok(db, payment("P-A0", "C1", {{"A0", 1000 * kE4}}, "2025-02-10"));  // 10 late
  apply_ok(db, payment("P-A1", "C1", {{"A1", 100 * kE4}}, "2026-02-05"));   // 5 late
  apply_ok(db, payment("P-A2", "C1", {{"A2", 200 * kE4}}, "2026-03-01"));   // 2 early
  apply_ok(db, payment("P-A3", "C1", {{"A3", 300 * kE4}}, "2026-04-15"));   // 15 late
  apply_ok(db, payment("P-A7", "C1", {{"A7", 700 * kE4}}, "2026-06-10"));   // after 06-01
  // Another customer's payment never shows in C1's history.
  apply_ok(db, payment("P-B1", "C2", {{"B1", 999 * kE4}}, "2026-03-01"));
  auto credited =
      db.store->close_invoice("A8", "credit_note", day("2026-03-20"), "fay", "i-8", kNowUs);
  REQUIRE(credited);
}

records::CustomerArHistory history(RecordDb& db, const std::string& customer,
                                   const std::string& as_of, int lookback = 365) {
  auto h = db.store->customer_history(customer, day(as_of), lookback);
  if (!h) FAIL(h.error().message);
  return *h;
}

}  // namespace

TEST_CASE("ArLedger: schema version 4 and its tables on a fresh database", "[unit][ar]") {
  RecordDb db;
  // Version 4 brought the AR state; later versions keep it.
  CHECK(ledgerflow::storage::SqliteStore::schema_version() >= 4);
  CHECK(storage_test::raw_int(db.path, "PRAGMA user_version") ==
        ledgerflow::storage::SqliteStore::schema_version());
  for (const char* table : {"ar_invoice_state", "ar_applications", "ar_payment_state",
                            "credit_holds", "credit_limit_changes", "order_decisions"}) {
    INFO(table);
    CHECK(storage_test::raw_int(db.path, std::string("SELECT count(*) FROM sqlite_schema WHERE "
                                                     "type = 'table' AND name = '") +
                                             table + "'") == 1);
    CHECK(db.count(table) == 0);
  }
  CHECK(storage_test::raw_int(db.path,
                              "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name "
                              "LIKE 'rec_ar_invoices_state_%'") == 2);
}

TEST_CASE("ArLedger: imports create the invoice state, re-imports follow it and keep the cash",
          "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C1", "SI-2026/0001", "2026-01-10", "2026-02-09", "1000.50") +
                ar("I2", "C2", "si 2026 0002", "2026-01-11", "2026-02-10", "20", 1, "USD"));
  CHECK(db.count("ar_invoice_state") == 2);

  const auto i1 = state_of(db, "I1");
  CHECK(i1.customer_id == "C1");
  CHECK(i1.invoice_number == "SI-2026/0001");
  CHECK(i1.currency == "EUR");
  CHECK(i1.invoice_day == day("2026-01-10"));
  CHECK(i1.due_day == day("2026-02-09"));
  CHECK(i1.amount_e4 == 10'005'000);
  CHECK(i1.applied_e4 == 0);
  CHECK(i1.outstanding_e4() == 10'005'000);
  CHECK(i1.status == "open");
  CHECK(i1.open());
  CHECK_FALSE(i1.closed_day);
  CHECK_FALSE(i1.disputed_day);
  CHECK_FALSE(i1.promised_day);
  CHECK(i1.dunning_level.empty());
  CHECK_FALSE(i1.p_late);
  CHECK(i1.model_version.empty());
  // Imported as disputed: disputed since its invoice date.
  const auto i2 = state_of(db, "I2");
  CHECK(i2.currency == "USD");
  CHECK(i2.disputed_day == day("2026-01-11"));
  // The number key is what bank references are matched against.
  auto by_key = db.store->ar_by_number_key("SI20260001", 10);
  REQUIRE(by_key);
  REQUIRE(by_key->size() == 1);
  CHECK(by_key->front().invoice_id == "I1");
  auto by_key2 = db.store->ar_by_number_key("SI20260002", 10);
  REQUIRE(by_key2);
  REQUIRE(by_key2->size() == 1);
  CHECK(by_key2->front().invoice_id == "I2");
  auto none = db.store->ar_invoice("NOPE");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());

  // Cash on I1, then the ERP corrects the invoice: amount, dates and customer follow the
  // record, the cash stays applied; a disputed flag sets a dispute day.
  apply_ok(db, payment("P1", "C1", {{"I1", 400 * kE4}}, "2026-02-01"));
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "1200", 1) +
                ar("I2", "C2", "si 2026 0002", "2026-01-11", "2026-02-10", "20", 0, "USD"));
  CHECK(db.count("ar_invoice_state") == 2);
  const auto corrected = state_of(db, "I1");
  CHECK(corrected.customer_id == "C2");
  CHECK(corrected.amount_e4 == 1200 * kE4);
  CHECK(corrected.applied_e4 == 400 * kE4);
  CHECK(corrected.outstanding_e4() == 800 * kE4);
  CHECK(corrected.invoice_day == day("2026-01-12"));
  CHECK(corrected.due_day == day("2026-02-28"));
  CHECK(corrected.status == "open");
  // Flagged by a re-import without a disputed_at: disputed since the ledger learned of it.
  CHECK(corrected.disputed_day == day("2026-01-01"));
  // A dispute is never cleared by a re-import.
  CHECK(state_of(db, "I2").disputed_day == day("2026-01-11"));
  // The same file again changes nothing.
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "1200", 1));
  CHECK(state_of(db, "I1").applied_e4 == 400 * kE4);

  // A correction the cash already covers closes the invoice (paid, that day); raising it
  // again opens it; a credited invoice stays credited whatever the ERP sends.
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "350", 1));
  auto lowered = state_of(db, "I1");
  CHECK(lowered.status == "paid");
  CHECK(lowered.outstanding_e4() == -50 * kE4);  // a credit balance
  REQUIRE(lowered.closed_day);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "500", 1));
  auto raised = state_of(db, "I1");
  CHECK(raised.status == "open");
  CHECK_FALSE(raised.closed_day);
  CHECK(raised.outstanding_e4() == 100 * kE4);
  REQUIRE(db.store->close_invoice("I1", "credit_note", day("2026-03-01"), "fay", "i-1", kNowUs));
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "900", 1));
  CHECK(state_of(db, "I1").status == "credited");
}

TEST_CASE("ArLedger: a customer's history as of the start of a day", "[unit][ar]") {
  RecordDb db;
  seed_history(db);

  SECTION("as of 2026-06-01, a year back") {
    const auto h = history(db, "C1", "2026-06-01");
    // Paid in [2025-06-01, 2026-06-01): A1 +5, A2 -2, A3 +15 (A0 paid before the window,
    // A7 after the day, A8 credited).
    CHECK(h.settled_count == 3);
    CHECK(h.avg_days_late == Approx(6.0));
    CHECK(h.late_ratio == Approx(2.0 / 3.0));
    CHECK(h.sd_days_late == Approx(std::sqrt(146.0 / 3.0)));
    CHECK(h.recent_count == 3);
    CHECK(h.recent_days_late == Approx(6.0));
    // Open at the start of the day: A4 (31 days overdue), A5 (disputed, not yet due), A7
    // (paid later, 12 days overdue); A6 is issued on the day.
    CHECK(h.open_count == 3);
    CHECK(h.open_e4 == 1600 * kE4);
    CHECK(h.overdue_e4 == 1100 * kE4);
    CHECK(h.overdue_30_count == 1);
    CHECK(h.disputed_open_count == 1);
    // Issued in the window: A1..A5, A7, A8; disputed in it: A5.
    CHECK(h.issued_count == 7);
    CHECK(h.issued_mean_e4 == 3000 * kE4 / 7);
    CHECK(h.disputes == 1);
    CHECK_FALSE(h.on_credit_hold);
  }
  SECTION("a longer lookback takes in older payments") {
    const auto h = history(db, "C1", "2026-06-01", 600);
    CHECK(h.settled_count == 4);  // + A0, 10 late
    CHECK(h.avg_days_late == Approx(28.0 / 4.0));
    CHECK(h.late_ratio == Approx(0.75));
    CHECK(h.recent_count == 3);  // still the three latest
    CHECK(h.recent_days_late == Approx(6.0));
    CHECK(h.issued_count == 8);
  }
  SECTION("as of 2026-03-02: A2, paid on 03-01, is settled; A3 and A8 are open") {
    const auto h = history(db, "C1", "2026-03-02");
    CHECK(h.settled_count == 2);
    CHECK(h.avg_days_late == Approx(1.5));
    CHECK(h.late_ratio == Approx(0.5));
    CHECK(h.sd_days_late == Approx(3.5));
    // The latest three payments whenever they were: A0 +10, A1 +5, A2 -2.
    CHECK(h.recent_count == 3);
    CHECK(h.recent_days_late == Approx(13.0 / 3.0));
    CHECK(h.open_count == 2);
    CHECK(h.open_e4 == 1100 * kE4);
    CHECK(h.overdue_e4 == 0);
    CHECK(h.overdue_30_count == 0);
    CHECK(h.disputed_open_count == 0);
    CHECK(h.disputes == 0);
  }
  SECTION("as of 2026-03-01: A2 is paid that day, so still open at its start") {
    const auto h = history(db, "C1", "2026-03-01");
    CHECK(h.settled_count == 1);
    CHECK(h.avg_days_late == Approx(5.0));
    CHECK(h.sd_days_late == 0);  // fewer than two settlements
    CHECK(h.recent_count == 2);  // A0 and A1 (A2 is paid on the day)
    CHECK(h.recent_days_late == Approx(7.5));
    CHECK(h.open_count == 2);  // A2 and A8; A3 is issued on the day
    CHECK(h.open_e4 == 1000 * kE4);
  }
  SECTION("the day a dispute is raised does not count it yet") {
    const auto h = history(db, "C1", "2026-05-10");
    CHECK(h.disputed_open_count == 0);
    CHECK(h.disputes == 0);
    const auto next = history(db, "C1", "2026-05-11");
    CHECK(next.disputed_open_count == 1);
    CHECK(next.disputes == 1);
  }
  SECTION("a customer without invoices") {
    const auto h = history(db, "C3", "2026-06-01");
    CHECK(h.settled_count == 0);
    CHECK(h.avg_days_late == 0);
    CHECK(h.recent_count == 0);
    CHECK(h.open_count == 0);
    CHECK(h.issued_count == 0);
    CHECK(h.issued_mean_e4 == 0);
  }
  SECTION("a credit hold is now, whatever the day") {
    REQUIRE(db.store->place_credit_hold("C1", "A4", "system", kNowUs));
    CHECK(history(db, "C1", "2025-01-01").on_credit_hold);
    CHECK(history(db, "C1", "2026-06-01").on_credit_hold);
    CHECK_FALSE(history(db, "C2", "2026-06-01").on_credit_hold);
  }
}

TEST_CASE("ArLedger: applying cash", "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("B1", "C2", "INV-1", "2026-01-01", "2026-01-31", "100") +
                ar("B2", "C2", "INV-2", "2026-01-02", "2026-02-01", "200") +
                ar("B3", "C2", "INV-3", "2026-01-03", "2026-02-02", "300"));

  // Partial: the invoice stays open.
  const auto partial = apply_ok(db, payment("P1", "C2", {{"B1", 40 * kE4}}, "2026-01-20"));
  CHECK_FALSE(partial.already_applied);
  REQUIRE(partial.invoices.size() == 1);
  CHECK(partial.invoices[0].invoice_id == "B1");
  CHECK(partial.invoices[0].applied_e4 == 40 * kE4);
  CHECK(partial.invoices[0].outstanding_e4 == 60 * kE4);
  CHECK_FALSE(partial.invoices[0].closed);
  auto b1 = state_of(db, "B1");
  CHECK(b1.status == "open");
  CHECK(b1.applied_e4 == 40 * kE4);
  CHECK_FALSE(b1.closed_day);
  auto p1 = db.store->payment_state("P1");
  REQUIRE(p1);
  REQUIRE(p1->has_value());
  CHECK((*p1)->status == "applied");
  CHECK((*p1)->customer_id == "C2");
  CHECK((*p1)->applied_e4 == 40 * kE4);
  CHECK((*p1)->instance_id == "inst-P1");
  auto by_amount = db.store->open_ar_by_outstanding(60 * kE4, 10);
  REQUIRE(by_amount);
  REQUIRE(by_amount->size() == 1);
  CHECK(by_amount->front().invoice_id == "B1");

  // An exact close: paid on the payment's day; an open promise goes with it.
  REQUIRE(db.store->set_promise("B1", day("2026-02-10"), kNowUs));
  const auto exact = apply_ok(db, payment("P2", "C2", {{"B1", 60 * kE4}}, "2026-02-03"));
  REQUIRE(exact.invoices.size() == 1);
  CHECK(exact.invoices[0].closed);
  CHECK(exact.invoices[0].outstanding_e4 == 0);
  b1 = state_of(db, "B1");
  CHECK(b1.status == "paid");
  CHECK_FALSE(b1.open());
  CHECK(b1.applied_e4 == 100 * kE4);
  CHECK(b1.closed_day == day("2026-02-03"));
  CHECK_FALSE(b1.promised_day);

  const auto rows_before = db.count("ar_applications");
  const auto payments_before = db.count("ar_payment_state");

  SECTION("more than is open on one of several invoices: a conflict, nothing written") {
    auto r =
        db.store->apply(payment("P3", "C2", {{"B2", 200 * kE4}, {"B3", 301 * kE4}}, "2026-02-03"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK_THAT(r.error().message, Catch::Contains("B3") && Catch::Contains("300.00"));
    CHECK(state_of(db, "B2").applied_e4 == 0);
    CHECK(state_of(db, "B2").status == "open");
    CHECK(db.count("ar_applications") == rows_before);
    CHECK(db.count("ar_payment_state") == payments_before);
    auto p3 = db.store->payment_state("P3");
    REQUIRE(p3);
    CHECK_FALSE(p3->has_value());
  }
  SECTION("a closed invoice among the allocations: a conflict, nothing written") {
    auto r =
        db.store->apply(payment("P4", "C2", {{"B2", 10 * kE4}, {"B1", 1 * kE4}}, "2026-02-03"));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::conflict);
    CHECK_THAT(r.error().message, Catch::Contains("B1") && Catch::Contains("paid"));
    CHECK(state_of(db, "B2").applied_e4 == 0);
    CHECK(db.count("ar_applications") == rows_before);
  }
  SECTION("an unknown invoice, a non-positive amount, the same invoice twice, a bad kind") {
    auto unknown = db.store->apply(payment("P5", "C2", {{"B2", kE4}, {"NOPE", kE4}}, "2026-02-03"));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == ErrorCode::not_found);
    auto zero = db.store->apply(payment("P5", "C2", {{"B2", 0}}, "2026-02-03"));
    REQUIRE_FALSE(zero);
    CHECK(zero.error().code == ErrorCode::invalid_argument);
    auto negative = db.store->apply(payment("P5", "C2", {{"B2", -kE4}}, "2026-02-03"));
    REQUIRE_FALSE(negative);
    CHECK(negative.error().code == ErrorCode::invalid_argument);
    auto twice = db.store->apply(payment("P5", "C2", {{"B2", kE4}, {"B2", kE4}}, "2026-02-03"));
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code == ErrorCode::invalid_argument);
    auto kind = db.store->apply(payment("P5", "C2", {{"B2", kE4, "gift"}}, "2026-02-03"));
    REQUIRE_FALSE(kind);
    CHECK(kind.error().code == ErrorCode::invalid_argument);
    CHECK(state_of(db, "B2").applied_e4 == 0);
    CHECK(db.count("ar_applications") == rows_before);
  }
  SECTION("re-running an application is already_applied and applies nothing more") {
    const auto again = apply_ok(db, payment("P2", "C2", {{"B1", 60 * kE4}}, "2026-02-03"));
    CHECK(again.already_applied);
    REQUIRE(again.invoices.size() == 1);
    CHECK(again.invoices[0].invoice_id == "B1");
    CHECK(again.invoices[0].outstanding_e4 == 0);
    CHECK(state_of(db, "B1").applied_e4 == 100 * kE4);
    CHECK(db.count("ar_applications") == rows_before);
    // A two-invoice application re-run as a whole.
    apply_ok(db, payment("P6", "C2", {{"B2", 50 * kE4}, {"B3", 50 * kE4}}, "2026-02-04"));
    const auto twice =
        apply_ok(db, payment("P6", "C2", {{"B2", 50 * kE4}, {"B3", 50 * kE4}}, "2026-02-04"));
    CHECK(twice.already_applied);
    REQUIRE(twice.invoices.size() == 2);
    CHECK(twice.invoices[1].outstanding_e4 == 250 * kE4);
    CHECK(state_of(db, "B2").applied_e4 == 50 * kE4);
    CHECK(state_of(db, "B3").applied_e4 == 50 * kE4);
  }
  SECTION("a short payment closes the invoice with bank charges") {
    const auto r = apply_ok(
        db, payment("P7", "C2", {{"B2", 190 * kE4, "cash"}, {"B2", 10 * kE4, "bank_charges"}},
                    "2026-02-05"));
    REQUIRE(r.invoices.size() == 2);
    CHECK_FALSE(r.invoices[0].closed);
    CHECK(r.invoices[1].closed);
    const auto b2 = state_of(db, "B2");
    CHECK(b2.status == "paid");
    CHECK(b2.applied_e4 == 200 * kE4);
    CHECK(b2.closed_day == day("2026-02-05"));
    auto p7 = db.store->payment_state("P7");
    REQUIRE(p7);
    REQUIRE(p7->has_value());
    CHECK((*p7)->applied_e4 == 190 * kE4);  // cash only
    CHECK(storage_test::raw_int(db.path,
                                "SELECT amount_e4 FROM ar_applications WHERE payment_id = 'P7' "
                                "AND kind = 'bank_charges'") == 10 * kE4);
  }
  SECTION("a bank's payment id may contain colons: its state is recorded all the same") {
    apply_ok(db, payment("BANK:2026:0017", "C2", {{"B2", 20 * kE4}}, "2026-02-05"));
    auto ps = db.store->payment_state("BANK:2026:0017");
    REQUIRE(ps);
    REQUIRE(ps->has_value());
    CHECK((*ps)->status == "applied");
    CHECK((*ps)->applied_e4 == 20 * kE4);
  }
  SECTION("a decision without cash: review, then unapplied") {
    records::PaymentApplication d;
    d.payment_id = "P8";
    d.customer_id = "C2";
    d.status = "review";
    d.unapplied_e4 = 123 * kE4;
    d.flags = "reference_other_customer,customer_inferred";
    d.instance_id = "inst-8";
    d.now_us = kNowUs;
    REQUIRE(db.store->set_payment_state(d));
    auto p8 = db.store->payment_state("P8");
    REQUIRE(p8);
    REQUIRE(p8->has_value());
    CHECK((*p8)->status == "review");
    CHECK((*p8)->applied_e4 == 0);
    CHECK((*p8)->unapplied_e4 == 123 * kE4);
    CHECK((*p8)->flags == "reference_other_customer,customer_inferred");
    d.status = "unapplied";
    d.now_us = kNowUs + 1;
    REQUIRE(db.store->set_payment_state(d));
    p8 = db.store->payment_state("P8");
    CHECK((*p8)->status == "unapplied");
    CHECK((*p8)->updated_at_us == kNowUs + 1);
    CHECK(db.count("ar_applications") == rows_before);
  }
}

TEST_CASE("ArLedger: credit notes and write-offs close what is left", "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("B1", "C2", "INV-1", "2026-01-01", "2026-01-31", "100") +
                ar("B2", "C2", "INV-2", "2026-01-02", "2026-02-01", "200") +
                ar("B3", "C2", "INV-3", "2026-01-03", "2026-02-02", "300"));

  auto credited =
      db.store->close_invoice("B1", "credit_note", day("2026-02-10"), "fay", "i-1", kNowUs);
  REQUIRE(credited);
  CHECK_FALSE(credited->already_applied);
  REQUIRE(credited->invoices.size() == 1);
  CHECK(credited->invoices[0].applied_e4 == 100 * kE4);
  CHECK(credited->invoices[0].closed);
  auto b1 = state_of(db, "B1");
  CHECK(b1.status == "credited");
  CHECK(b1.closed_day == day("2026-02-10"));
  CHECK(b1.outstanding_e4() == 0);
  CHECK(raw_text(db.path,
                 "SELECT applied_by FROM ar_applications WHERE payment_id = "
                 "'credit_note:B1'") == "fay");
  // No payment record for a credit note.
  CHECK(db.count("ar_payment_state") == 0);

  // Again: the same result, nothing more.
  auto again =
      db.store->close_invoice("B1", "credit_note", day("2026-02-11"), "fay", "i-1", kNowUs);
  REQUIRE(again);
  CHECK(again->already_applied);
  CHECK(state_of(db, "B1").closed_day == day("2026-02-10"));
  CHECK(db.count("ar_applications") == 1);

  // A write-off after a partial payment writes off what is left.
  apply_ok(db, payment("P1", "C2", {{"B2", 50 * kE4}}, "2026-02-01"));
  auto written =
      db.store->close_invoice("B2", "write_off", day("2026-05-01"), "carol", "i-2", kNowUs);
  REQUIRE(written);
  REQUIRE(written->invoices.size() == 1);
  CHECK(written->invoices[0].applied_e4 == 150 * kE4);
  const auto b2 = state_of(db, "B2");
  CHECK(b2.status == "written_off");
  CHECK(b2.applied_e4 == 200 * kE4);
  CHECK(b2.closed_day == day("2026-05-01"));

  // An invoice paid in cash cannot be credited; a credited one cannot be written off.
  apply_ok(db, payment("P2", "C2", {{"B3", 300 * kE4}}, "2026-02-01"));
  auto paid = db.store->close_invoice("B3", "credit_note", day("2026-05-01"), "fay", "i-3", kNowUs);
  REQUIRE_FALSE(paid);
  CHECK(paid.error().code == ErrorCode::conflict);
  auto cross =
      db.store->close_invoice("B1", "write_off", day("2026-05-01"), "carol", "i-4", kNowUs);
  REQUIRE_FALSE(cross);
  CHECK(cross.error().code == ErrorCode::conflict);
  CHECK(state_of(db, "B1").status == "credited");

  auto kind = db.store->close_invoice("B3", "cash", day("2026-05-01"), "fay", "i-3", kNowUs);
  REQUIRE_FALSE(kind);
  CHECK(kind.error().code == ErrorCode::invalid_argument);
  auto unknown = db.store->close_invoice("NOPE", "write_off", day("2026-05-01"), "x", "i", kNowUs);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::not_found);
}

TEST_CASE("ArLedger: promises, dunning, disputes and the recorded risk", "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("B1", "C2", "INV-1", "2026-01-01", "2026-01-31", "100"));

  REQUIRE(db.store->set_promise("B1", day("2026-02-15"), kNowUs));
  CHECK(state_of(db, "B1").promised_day == day("2026-02-15"));
  REQUIRE(db.store->set_promise("B1", std::nullopt, kNowUs));
  CHECK_FALSE(state_of(db, "B1").promised_day);

  REQUIRE(db.store->record_dunning("B1", "reminder", kNowUs));
  CHECK(state_of(db, "B1").dunning_level == "reminder");
  REQUIRE(db.store->record_dunning("B1", "first_notice", kNowUs));
  CHECK(state_of(db, "B1").dunning_level == "first_notice");

  REQUIRE(db.store->record_dispute("B1", day("2026-02-03"), kNowUs));
  CHECK(state_of(db, "B1").disputed_day == day("2026-02-03"));
  REQUIRE(db.store->record_dispute("B1", day("2026-02-09"), kNowUs));
  CHECK(state_of(db, "B1").disputed_day == day("2026-02-03"));  // the first dispute day

  REQUIRE(db.store->record_risk("B1", 0.7, 12.5, 4.0, "ar_late_payment@3", kNowUs));
  const auto s = state_of(db, "B1");
  CHECK(s.p_late == Approx(0.7));
  CHECK(s.expected_days_late == Approx(12.5));
  CHECK(s.sd_days_late == Approx(4.0));
  CHECK(s.model_version == "ar_late_payment@3");

  for (auto r : {db.store->set_promise("NOPE", 1, kNowUs),
                 db.store->record_dunning("NOPE", "reminder", kNowUs),
                 db.store->record_dispute("NOPE", 1, kNowUs),
                 db.store->record_risk("NOPE", 0.1, 0, 1, "m", kNowUs)}) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::not_found);
  }
}

TEST_CASE("ArLedger: credit holds per invoice and per customer", "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);

  REQUIRE(db.store->place_credit_hold("C1", "A4", "system", kNowUs));
  REQUIRE(db.store->place_credit_hold("C1", "A7", "system", kNowUs));
  REQUIRE(db.store->place_credit_hold("C1", "A7", "system", kNowUs + 5));  // again: one hold
  REQUIRE(db.store->place_credit_hold("C2", "B1", "system", kNowUs));
  CHECK(db.count("credit_holds") == 3);
  auto on_hold = db.store->customers_on_hold(10);
  REQUIRE(on_hold);
  CHECK(*on_hold == std::vector<std::string>{"C1", "C2"});
  auto one = db.store->customers_on_hold(1);
  REQUIRE(one);
  CHECK(one->size() == 1);

  // Per invoice: one of C1's two holds; C1 stays on hold.
  auto released = db.store->release_credit_holds("C1", "A4", "erin", kNowUs + 10);
  REQUIRE(released);
  CHECK(*released == 1);
  CHECK(history(db, "C1", "2026-06-01").on_credit_hold);
  // All of them.
  released = db.store->release_credit_holds("C1", "", "dave", kNowUs + 20);
  REQUIRE(released);
  CHECK(*released == 1);
  CHECK_FALSE(history(db, "C1", "2026-06-01").on_credit_hold);
  CHECK(raw_text(db.path, "SELECT released_by FROM credit_holds WHERE invoice_id = 'A7'") ==
        "dave");
  released = db.store->release_credit_holds("C1", "", "dave", kNowUs + 30);
  REQUIRE(released);
  CHECK(*released == 0);
  on_hold = db.store->customers_on_hold(10);
  CHECK(*on_hold == std::vector<std::string>{"C2"});

  // Placed again after a release: on hold again.
  REQUIRE(db.store->place_credit_hold("C1", "A4", "system", kNowUs + 40));
  CHECK(history(db, "C1", "2026-06-01").on_credit_hold);
  CHECK(storage_test::raw_int(db.path,
                              "SELECT count(*) FROM credit_holds WHERE customer_id = "
                              "'C1' AND released_at_us IS NULL") == 1);
}

TEST_CASE("ArLedger: open orders before an order's arrival", "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "orders",
            "order_id,customer_id,order_date,currency,amount\n"
            "O3,C1,2025-01-01,EUR,50\n"    // beyond the lookback
            "O1,C1,2026-05-01,EUR,1000\n"  //
            "O2,C1,2026-05-20,EUR,2000\n"  //
            "O4,C1,2026-05-25,EUR,300\n"   // invoiced on 05-28
            "O5,C1,2026-05-26,EUR,400\n"   // blocked
            "O6,C1,2026-06-01,EUR,60\n"    // on the day
            "OX,C2,2026-05-02,EUR,7777\n"  // another customer
            "O7,C1,2026-06-01,EUR,5\n");   // the order being checked
  import_ok(*db.store, "ar_invoices",
            "invoice_id,customer_id,invoice_number,invoice_date,due_date,currency,amount,disputed,"
            "order_id\n"
            "I4,C1,SI-4,2026-05-28,2026-06-27,EUR,300,0,O4\n");
  REQUIRE(db.store->record_order_decision("O5", "blocked", "dave", "i-5", "over limit", kNowUs));
  const auto& orders = *records::find_record_type("orders");
  auto seq_of = [&](const std::string& id) {
    auto r = db.store->get(orders, {id});
    REQUIRE(r);
    REQUIRE(r->has_value());
    return (*r)->seq;
  };
  const std::int64_t o7 = seq_of("O7");

  auto open = db.store->open_orders("C1", o7, day("2026-06-01"), 365);
  REQUIRE(open);
  CHECK(open->count == 3);  // O1, O2, O6
  CHECK(open->amount_e4 == 3060 * kE4);
  // Before O4 was invoiced it is open.
  open = db.store->open_orders("C1", o7, day("2026-05-27"), 365);
  REQUIRE(open);
  CHECK(open->count == 3);  // O1, O2, O4
  CHECK(open->amount_e4 == 3300 * kE4);
  // Only what arrived before O2.
  open = db.store->open_orders("C1", seq_of("O2"), day("2026-06-01"), 365);
  REQUIRE(open);
  CHECK(open->count == 1);
  CHECK(open->amount_e4 == 1000 * kE4);
  // A longer lookback reaches O3.
  open = db.store->open_orders("C1", o7, day("2026-06-01"), 600);
  REQUIRE(open);
  CHECK(open->count == 4);
  // Released again: counted again.
  REQUIRE(db.store->record_order_decision("O5", "released", "dave", "i-5", "", kNowUs));
  auto decision = db.store->order_decision("O5");
  REQUIRE(decision);
  CHECK(*decision == std::optional<std::string>("released"));
  open = db.store->open_orders("C1", o7, day("2026-06-01"), 365);
  REQUIRE(open);
  CHECK(open->count == 4);
  CHECK(open->amount_e4 == 3460 * kE4);

  auto none = db.store->order_decision("O1");
  REQUIRE(none);
  CHECK_FALSE(none->has_value());
  auto bad = db.store->record_order_decision("O1", "maybe", "dave", "i", "", kNowUs);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  auto empty = db.store->open_orders("C3", o7, day("2026-06-01"), 365);
  REQUIRE(empty);
  CHECK(empty->count == 0);
  CHECK(empty->amount_e4 == 0);
}

TEST_CASE("ArLedger: a credit-limit change rewrites the customer and is logged", "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  const auto& customers = *records::find_record_type("customers");

  auto change =
      db.store->update_credit_limit("C1", 250'005'000, "carol", "good payer", "i-1", kNowUs);
  REQUIRE(change);
  CHECK(change->old_limit_e4 == 10000 * kE4);
  CHECK(change->new_limit_e4 == 250'005'000);
  auto c1 = db.store->get(customers, {"C1"});
  REQUIRE(c1);
  REQUIRE(c1->has_value());
  CHECK((*c1)->data["credit_limit"] == records::format_e4(250'005'000));
  CHECK((*c1)->data["name"] == "Contoso AG");
  CHECK(db.count("credit_limit_changes") == 1);
  CHECK(raw_text(db.path,
                 "SELECT changed_by || '|' || reason || '|' || "
                 "instance_id FROM credit_limit_changes") == "carol|good payer|i-1");

  // From zero.
  auto from_zero = db.store->update_credit_limit("C3", 500 * kE4, "carol", "", "i-2", kNowUs);
  REQUIRE(from_zero);
  CHECK(from_zero->old_limit_e4 == 0);

  auto negative = db.store->update_credit_limit("C1", -1, "carol", "", "i", kNowUs);
  REQUIRE_FALSE(negative);
  CHECK(negative.error().code == ErrorCode::invalid_argument);
  auto unknown = db.store->update_credit_limit("NOPE", kE4, "carol", "", "i", kNowUs);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::not_found);
  CHECK(db.count("credit_limit_changes") == 2);

  // The ERP stays master: the next import of the customer puts its limit back.
  import_ok(*db.store, "customers", kCustomersCsv);
  c1 = db.store->get(customers, {"C1"});
  CHECK((*c1)->data["credit_limit"] == records::format_e4(10000 * kE4));
}

TEST_CASE("ArLedger: AP commitments are posted AP invoices due in the range", "[unit][ar]") {
  RecordDb db;
  seed_ap(*db.store);
  import_ok(*db.store, "invoices",
            "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,"
            "submitted_by\n"
            "I1,V1,N1,2026-06-01,2026-07-01,EUR,100,alice\n"
            "I2,V1,N2,2026-06-01,2026-07-31,USD,200,alice\n"
            "I3,V1,N3,2026-06-01,2026-07-10,EUR,300,alice\n"    // not posted
            "I4,V2,N4,2026-06-01,2026-08-01,EUR,400,alice\n"    // posted, after the range
            "I5,V2,N5,2026-06-01,2026-06-30,EUR,500,alice\n");  // posted, before the range
  auto post = [&](const std::string& type, const std::string& id, std::int64_t amount) {
    records::JournalPosting p;
    p.idempotency_key = "k-" + type + "-" + id;
    p.instance_id = "i-" + id;
    p.document_type = type;
    p.document_id = id;
    p.amount_e4 = amount;
    p.currency = "EUR";
    p.data = nlohmann::json::object();
    p.posted_at_us = kNowUs;
    REQUIRE(db.store->post(p));
  };
  post("invoice", "I1", 100 * kE4);
  post("invoice", "I2", 200 * kE4);
  post("invoice", "I4", 400 * kE4);
  post("invoice", "I5", 500 * kE4);
  post("payment", "I3", 300 * kE4);  // another document type with the same id

  auto c = db.store->ap_commitments(day("2026-07-01"), day("2026-07-31"), 100);
  REQUIRE(c);
  REQUIRE(c->size() == 2);
  CHECK((*c)[0].invoice_id == "I1");
  CHECK((*c)[0].currency == "EUR");
  CHECK((*c)[0].due_day == day("2026-07-01"));
  CHECK((*c)[0].amount_e4 == 100 * kE4);
  CHECK((*c)[1].invoice_id == "I2");
  CHECK((*c)[1].currency == "USD");
  auto limited = db.store->ap_commitments(day("2026-06-01"), day("2026-08-31"), 2);
  REQUIRE(limited);
  REQUIRE(limited->size() == 2);
  CHECK((*limited)[0].invoice_id == "I5");  // by due day
  CHECK((*limited)[1].invoice_id == "I1");
}

TEST_CASE("ArLedger: open invoices by customer, by amount and page by page", "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("K5", "C1", "N-5", "2026-01-01", "2026-03-01", "50") +
                ar("K1", "C1", "N-1", "2026-01-01", "2026-02-15", "10") +
                ar("K4", "C2", "N-4", "2026-01-01", "2026-02-01", "40") +
                ar("K2", "C1", "N-2", "2026-01-01", "2026-02-01", "10") +
                ar("K3", "C2", "N-3", "2026-01-01", "2026-02-01", "30"));
  apply_ok(db, payment("P1", "C2", {{"K3", 30 * kE4}}, "2026-01-20"));

  auto ids = [](const std::vector<records::ArInvoiceState>& rows) {
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.invoice_id);
    return out;
  };
  auto page1 = db.store->open_ar_page("", 2);
  REQUIRE(page1);
  CHECK(ids(*page1) == std::vector<std::string>{"K1", "K2"});
  auto page2 = db.store->open_ar_page(page1->back().invoice_id, 2);
  REQUIRE(page2);
  CHECK(ids(*page2) == std::vector<std::string>{"K4", "K5"});  // K3 is paid
  auto page3 = db.store->open_ar_page(page2->back().invoice_id, 2);
  REQUIRE(page3);
  CHECK(page3->empty());

  auto c1 = db.store->open_ar_of_customer("C1", 10);
  REQUIRE(c1);
  CHECK(ids(*c1) == std::vector<std::string>{"K2", "K1", "K5"});  // oldest due first
  auto c1_short = db.store->open_ar_of_customer("C1", 1);
  REQUIRE(c1_short);
  CHECK(ids(*c1_short) == std::vector<std::string>{"K2"});
  auto tens = db.store->open_ar_by_outstanding(10 * kE4, 10);
  REQUIRE(tens);
  CHECK(ids(*tens) == std::vector<std::string>{"K2", "K1"});
  auto thirty = db.store->open_ar_by_outstanding(30 * kE4, 10);
  REQUIRE(thirty);
  CHECK(thirty->empty());  // paid
  // By number: open or not.
  auto n3 = db.store->ar_by_number_key("N3", 10);
  REQUIRE(n3);
  REQUIRE(n3->size() == 1);
  CHECK(n3->front().status == "paid");
}

TEST_CASE("ArLedger: a version-3 database is migrated with its AR invoices", "[unit][ar]") {
  storage_test::TempDir dir;
  const std::string path = dir.path("v3.db");
  {
    auto engine = storage_test::open_store(path);
    auto store = RecordDb::open_records(path);
    seed_ap(*store);
    import_ok(*store, "customers", kCustomersCsv);
    import_ok(*store, "orders",
              "order_id,customer_id,order_date,currency,amount\nO1,C1,2026-05-01,EUR,1234.5\n");
    import_ok(*store, "ar_invoices",
              "invoice_id,customer_id,invoice_number,invoice_date,due_date,currency,amount,"
              "disputed,order_id\n"
              "I1,C1,SI-2026/00.1,2026-05-02,2026-06-01,EUR,1234.5,0,O1\n"
              "I2,C2,inv #7,2026-05-03,2026-06-02,USD,99,1,\n");
    import_ok(*store, "invoices",
              "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,"
              "submitted_by\n"
              "AP1,V1,N1,2026-06-01,2026-07-01,EUR,100,alice\n");
  }
  // Back to what version 3 of the combined list had: no AR state, none of version 4's
  // columns, no schema_components (the finance version is read from the tables).
  storage_test::raw_exec(path,
                         "DROP TABLE schema_components;"
                         "DROP TRIGGER rec_ar_invoices_state_insert;"
                         "DROP TRIGGER rec_ar_invoices_state_update;"
                         "DROP TABLE ar_invoice_state; DROP TABLE ar_applications;"
                         "DROP TABLE ar_payment_state; DROP TABLE credit_holds;"
                         "DROP TABLE credit_limit_changes; DROP TABLE order_decisions;"
                         "DROP INDEX rec_ar_invoices_number_key; DROP INDEX rec_ar_invoices_order;"
                         "DROP INDEX rec_orders_customer_seq; DROP INDEX rec_invoices_due;"
                         "ALTER TABLE rec_ar_invoices DROP COLUMN invoice_day;"
                         "ALTER TABLE rec_ar_invoices DROP COLUMN order_id;"
                         "ALTER TABLE rec_ar_invoices DROP COLUMN number_key;"
                         "ALTER TABLE rec_orders DROP COLUMN amount_e4;"
                         "ALTER TABLE rec_invoices DROP COLUMN due_day;"
                         "PRAGMA user_version = 3;");
  CHECK(storage_test::raw_int(path, "PRAGMA user_version") == 3);

  auto engine = storage_test::open_store(path);  // migrates
  CHECK(storage_test::raw_int(path, "PRAGMA user_version") ==
        ledgerflow::storage::SqliteStore::schema_version());
  auto store = RecordDb::open_records(path);
  auto i1 = store->ar_invoice("I1");
  REQUIRE(i1);
  REQUIRE(i1->has_value());
  CHECK((*i1)->customer_id == "C1");
  CHECK((*i1)->invoice_number == "SI-2026/00.1");
  CHECK((*i1)->invoice_day == day("2026-05-02"));
  CHECK((*i1)->due_day == day("2026-06-01"));
  CHECK((*i1)->amount_e4 == 12'345'000);
  CHECK((*i1)->status == "open");
  CHECK_FALSE((*i1)->disputed_day);
  auto i2 = store->ar_invoice("I2");
  REQUIRE(i2);
  REQUIRE(i2->has_value());
  CHECK((*i2)->currency == "USD");
  CHECK((*i2)->disputed_day == day("2026-05-03"));
  // Backfilled lookup columns.
  CHECK(raw_text(path,
                 "SELECT number_key FROM rec_ar_invoices WHERE invoice_id "
                 "= 'I1'") == "SI2026001");
  CHECK(raw_text(path,
                 "SELECT number_key FROM rec_ar_invoices WHERE invoice_id "
                 "= 'I2'") == "INV7");
  CHECK(raw_text(path,
                 "SELECT order_id FROM rec_ar_invoices WHERE invoice_id = "
                 "'I1'") == "O1");
  CHECK(storage_test::raw_int(path, "SELECT amount_e4 FROM rec_orders WHERE order_id = 'O1'") ==
        12'345'000);
  CHECK(storage_test::raw_int(path, "SELECT due_day FROM rec_invoices WHERE invoice_id = 'AP1'") ==
        day("2026-07-01"));
  auto by_key = store->ar_by_number_key("SI2026001", 10);
  REQUIRE(by_key);
  CHECK(by_key->size() == 1);
  // The migrated database works like a new one: orders, cash, new imports.
  auto open = store->open_orders("C1", 1'000'000, day("2026-05-01"), 30);
  REQUIRE(open);
  CHECK(open->count == 1);
  CHECK(open->amount_e4 == 12'345'000);
  auto applied = store->apply(payment("P1", "C1", {{"I1", 12'345'000}}, "2026-05-20"));
  REQUIRE(applied);
  CHECK((*store->ar_invoice("I1"))->status == "paid");
  import_ok(*store, "ar_invoices",
            std::string(kArHeader) + ar("I3", "C1", "SI-3", "2026-05-04", "2026-06-03", "5"));
  auto i3 = store->ar_invoice("I3");
  REQUIRE(i3);
  CHECK(i3->has_value());
  CHECK(storage_test::raw_int(path, "SELECT count(*) FROM ar_invoice_state") == 3);
}

TEST_CASE("ArLedger: closing an invoice releases its credit hold, zero invoices, disputes",
          "[unit][ar]") {
  RecordDb db;
  import_ok(*db.store, "customers", kCustomersCsv);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("H1", "C1", "SI-H1", "2026-01-01", "2026-01-31", "100") +
                ar("H2", "C1", "SI-H2", "2026-01-01", "2026-01-31", "200") +
                ar("H3", "C2", "SI-H3", "2026-01-01", "2026-01-31", "300") +
                ar("Z1", "C1", "SI-Z1", "2026-01-05", "2026-02-04", "0"));
  // Held by H1 and H2: paying H1 releases H1's hold only; a credit note on H2 the other.
  REQUIRE(db.store->place_credit_hold("C1", "H1", "system", kNowUs));
  REQUIRE(db.store->place_credit_hold("C1", "H2", "system", kNowUs));
  apply_ok(db, payment("PH1", "C1", {{"H1", 100 * kE4}}, "2026-04-01"));
  CHECK(history(db, "C1", "2026-06-01").on_credit_hold);
  REQUIRE(db.store->close_invoice("H2", "credit_note", day("2026-04-02"), "fay", "i-2", kNowUs));
  CHECK_FALSE(history(db, "C1", "2026-06-01").on_credit_hold);
  // A correction that the cash covers closes H3 and releases its hold too.
  REQUIRE(db.store->place_credit_hold("C2", "H3", "system", kNowUs));
  apply_ok(db, payment("PH3", "C2", {{"H3", 250 * kE4}}, "2026-04-01"));
  CHECK(history(db, "C2", "2026-06-01").on_credit_hold);
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("H3", "C2", "SI-H3", "2026-01-01", "2026-01-31", "250"));
  CHECK(state_of(db, "H3").status == "paid");
  CHECK_FALSE(history(db, "C2", "2026-06-01").on_credit_hold);

  // An invoice of nothing is paid on its invoice day: never dunned, never worked.
  const auto z = state_of(db, "Z1");
  CHECK(z.status == "paid");
  CHECK(z.closed_day == day("2026-01-05"));

  // A dispute resolved without a credit note: collected again, not counted as disputed
  // from that day on (but it was before).
  import_ok(*db.store, "ar_invoices",
            std::string(kArHeader) + ar("D1", "C1", "SI-D1", "2026-03-01", "2026-03-31", "500"));
  REQUIRE(db.store->record_dispute("D1", day("2026-03-05"), kNowUs));
  CHECK(state_of(db, "D1").in_dispute());
  REQUIRE(db.store->resolve_dispute("D1", day("2026-03-20"), kNowUs));
  CHECK_FALSE(state_of(db, "D1").in_dispute());
  CHECK(history(db, "C1", "2026-03-10").disputed_open_count == 1);
  CHECK(history(db, "C1", "2026-03-25").disputed_open_count == 0);
  // Raised again: in dispute again.
  REQUIRE(db.store->record_dispute("D1", day("2026-04-01"), kNowUs));
  CHECK(state_of(db, "D1").in_dispute());
  // Resolving an invoice that was never disputed names it.
  auto never = db.store->resolve_dispute("H1", day("2026-04-01"), kNowUs);
  CHECK_FALSE(never);

  // A credit-limit change re-run by the same instance is logged once.
  auto first = db.store->update_credit_limit("C1", 20000 * kE4, "carol", "order", "i-9", kNowUs);
  auto again = db.store->update_credit_limit("C1", 20000 * kE4, "carol", "order", "i-9", kNowUs);
  REQUIRE(first);
  REQUIRE(again);
  CHECK(again->old_limit_e4 == first->old_limit_e4);
  CHECK(db.count("credit_limit_changes") == 1);
}
