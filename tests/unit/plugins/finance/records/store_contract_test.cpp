// The finance store contract: the same assertions against the SQLite store
// (plugins/finance/sqlite) and the in-memory fake the action tests use
// (tests/support/finance_fakes.h), so the fake cannot drift from what it stands in for.
// Only the records::FinanceStore interface is used here; what only SQLite has (the
// schema, triggers, raw rows, durability) is tested in tests/unit/plugins/finance/sqlite.
#include <catch2/catch.hpp>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <thread>

#include "engine/expr/timestamp.h"
#include "plugins/finance/records/decimal.h"
#include "support/finance_fakes.h"
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;
using records::kE4;
namespace expr = ledgerflow::expr;

namespace {

// The two implementations under one face.
struct SqliteBackend {
  RecordDb db;
  records::FinanceStore& store() { return *db.store; }
};

struct FakeBackend {
  finance_fakes::FakeFinanceStore fake;
  records::FinanceStore& store() { return fake; }
};

const records::RecordType& type(const char* name) {
  return *records::find_record_type(name);
}

int day(const std::string& date) {
  auto us = expr::parse_timestamp(date);
  REQUIRE(us);
  return static_cast<int>(*us / expr::kMicrosPerDay);
}

constexpr std::int64_t kLatest = std::numeric_limits<std::int64_t>::max();

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

records::ArInvoiceState state_of(records::FinanceStore& s, const std::string& id) {
  auto st = s.ar_invoice(id);
  REQUIRE(st);
  REQUIRE(st->has_value());
  return **st;
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

records::ApplicationResult apply_ok(records::FinanceStore& s,
                                    const records::PaymentApplication& p) {
  auto r = s.apply(p);
  if (!r) FAIL(p.payment_id << ": " << r.error().message);
  return *r;
}

records::CustomerArHistory history(records::FinanceStore& s, const std::string& customer,
                                   const std::string& as_of, int lookback = 365) {
  auto h = s.customer_history(customer, day(as_of), lookback);
  if (!h) FAIL(h.error().message);
  return *h;
}

records::JournalPosting posting(const std::string& key, const std::string& type,
                                const std::string& document, std::int64_t amount_e4 = 100 * kE4) {
  records::JournalPosting p;
  p.idempotency_key = key;
  p.instance_id = key.substr(0, key.find('/'));
  p.document_type = type;
  p.document_id = document;
  p.amount_e4 = amount_e4;
  p.currency = "EUR";
  p.data = {{"debit", "expenses"}};
  p.posted_at_us = kNowUs;
  return p;
}

std::vector<std::string> ids(const std::vector<records::ArInvoiceState>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.invoice_id);
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("store contract: upsert counts, arrival order, key lookups",
                   "[unit][records][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  auto first = import_ok(s, "vendors", kVendorsCsv);
  CHECK(first.counts.inserted == 2);
  CHECK(first.counts.updated == 0);
  auto same = import_ok(s, "vendors", kVendorsCsv);
  CHECK(same.counts.inserted == 0);
  CHECK(same.counts.unchanged == 2);
  const auto v1_seq = s.get(type("vendors"), {"V1"}).value()->seq;
  auto changed = import_ok(s, "vendors",
                           "vendor_id,name,country,iban,tax_id,created_at\n"
                           "V1,Acme AG,DE,DE89370400440532013000,DE111,2024-01-01T00:00:00Z\n"
                           "V9,Zeta,DE,NL91ABNA0417164300,DE999,2024-01-01T00:00:00Z\n");
  CHECK(changed.counts.inserted == 1);
  CHECK(changed.counts.updated == 1);
  auto v1 = s.get(type("vendors"), {"V1"});
  REQUIRE(v1);
  REQUIRE(v1->has_value());
  CHECK((*v1)->data["name"] == "Acme AG");
  CHECK((*v1)->seq == v1_seq);  // an update keeps the arrival order
  CHECK(s.get(type("vendors"), {"V9"}).value()->seq == 3);
  CHECK_FALSE(s.get(type("vendors"), {"V7"}).value().has_value());

  import_ok(s, "purchase_orders",
            "po_number,vendor_id,line_no,item,qty,unit_price,currency\n"
            "PO1,V1,10,Washers,1,1,EUR\n"
            "PO1,V1,2,Nuts,5,20,EUR\n"
            "PO2,V2,1,Bolts,10,100.00,EUR\n");
  auto& po = type("purchase_orders");
  CHECK(s.exists(po, {"PO1"}).value());
  CHECK(s.exists(po, {"PO1", "2"}).value());
  CHECK_FALSE(s.exists(po, {"PO1", "3"}).value());
  CHECK_FALSE(s.exists(po, {"PO3"}).value());
  auto no_parts = s.exists(po, {});
  REQUIRE_FALSE(no_parts);
  CHECK(no_parts.error().code == ErrorCode::invalid_argument);
  CHECK_FALSE(s.exists(po, {"PO1", "1", "x"}).ok());
  auto lines = s.by_key_prefix(po, {"PO1"}, 10);
  REQUIRE(lines);
  REQUIRE(lines->size() == 2);
  CHECK((*lines)[0].data["line_no"] == 2);  // line numbers in numeric order
  CHECK((*lines)[1].data["line_no"] == 10);
  CHECK((*lines)[0].seq > (*lines)[1].seq);  // arrival order is the file's
  CHECK(s.by_key_prefix(po, {"PO1"}, 1).value().size() == 1);
  auto line = s.get(po, {"PO1", "2"});
  REQUIRE(line);
  REQUIRE(line->has_value());
  CHECK((*line)->data["unit_price"] == "20.00");

  // A type without a table is refused, and the whole batch with it.
  static const records::RecordType widgets{
      "widgets", "widget", {{"id", records::ColumnKind::id}}, {"id"}, {}};
  records::Record widget;
  widget.type = &widgets;
  widget.key = {"W1"};
  widget.data = {{"id", "W1"}};
  records::Record vendor;
  vendor.type = &type("vendors");
  vendor.key = {"V5"};
  vendor.data = {{"vendor_id", "V5"}, {"iban", kIbanC}};
  auto refused = s.upsert({vendor, widget}, "importer", kNowUs);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message, Catch::Contains("widgets"));
  CHECK_FALSE(s.get(type("vendors"), {"V5"}).value().has_value());
  CHECK(s.bank_history("V5", 10).value().empty());
}

TEMPLATE_TEST_CASE("store contract: inline invoice lines replace the lines on file",
                   "[unit][records][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  seed_ap(s);
  const std::string json = R"([
    {"invoice_id": "J1", "vendor_id": "V1", "invoice_number": "1", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": 1, "submitted_by": "a",
     "lines": [{"line_no": 1, "qty": 1, "unit_price": 1}, {"line_no": 2, "qty": 2, "unit_price": 1},
               {"line_no": 3, "qty": 3, "unit_price": 1}]}])";
  auto first = import_ok(s, "invoices", json, records::PayloadFormat::json);
  CHECK(first.counts.inserted == 4);
  const std::string fewer = R"([
    {"invoice_id": "J1", "vendor_id": "V1", "invoice_number": "1", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": 1, "submitted_by": "a",
     "lines": [{"line_no": 2, "qty": 5, "unit_price": 1}]}])";
  auto second = import_ok(s, "invoices", fewer, records::PayloadFormat::json);
  CHECK(second.counts.removed == 2);
  CHECK(second.counts.updated == 1);
  CHECK(second.counts.unchanged == 1);  // the invoice itself
  auto left = s.by_key_prefix(type("invoice_lines"), {"J1"}, 10);
  REQUIRE(left);
  REQUIRE(left->size() == 1);
  CHECK(left->front().data["line_no"] == 2);
  CHECK(records::parse_decimal_e4(left->front().data["qty"].get<std::string>()) == 5 * kE4);
}

TEMPLATE_TEST_CASE("store contract: AP lookups by number, day, IBAN, seq, PO line and time",
                   "[unit][records][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  seed_ap(s);
  import_ok(s, "receipts",
            "receipt_id,po_number,line_no,qty_received,received_at\n"
            "R2,PO1,1,4,2026-02-21T10:00:00Z\n"
            "R1,PO1,1,6,2026-02-20T10:00:00Z\n"
            "R3,PO1,2,5,2026-02-20T10:00:00Z\n");
  auto receipts = s.receipts_for("PO1", 1, 10);
  REQUIRE(receipts);
  REQUIRE(receipts->size() == 2);
  CHECK((*receipts)[0].data["receipt_id"] == "R2");  // arrival order
  CHECK(s.receipts_for("PO1", 1, 1).value().size() == 1);
  CHECK(s.receipts_for("PO1", 3, 10).value().empty());

  import_ok(s, "invoices",
            "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,"
            "submitted_by,po_number\n"
            "I1,V1,inv-000123,2026-03-01,2026-03-31,EUR,100.5,a,PO1\n"
            "I2,V1,INV 123,2026-03-05,2026-03-31,EUR,7,a,\n"
            "I3,V2,INV123,2026-03-01,2026-03-31,EUR,7,a,\n"
            "I4,V1,X-9,2026-02-27,2026-03-31,EUR,1,a,\n");
  auto by_number = s.invoices_by_number("V1", "INV123", 10);
  REQUIRE(by_number);
  REQUIRE(by_number->size() == 2);
  CHECK((*by_number)[0].invoice_id == "I1");
  CHECK((*by_number)[0].vendor_id == "V1");
  CHECK((*by_number)[0].invoice_number == "inv-000123");
  CHECK((*by_number)[0].po_number == "PO1");
  CHECK((*by_number)[0].amount_e4 == 1'005'000);
  CHECK((*by_number)[0].day == 20'513);
  CHECK((*by_number)[1].invoice_id == "I2");
  CHECK((*by_number)[1].po_number.empty());
  CHECK((*by_number)[0].seq < (*by_number)[1].seq);
  auto by_day = s.invoices_by_day("V1", 20'510, 20'517, 10);
  REQUIRE(by_day);
  REQUIRE(by_day->size() == 3);
  CHECK((*by_day)[0].invoice_id == "I4");  // by day, then arrival
  CHECK((*by_day)[1].invoice_id == "I1");
  CHECK((*by_day)[2].invoice_id == "I2");
  CHECK(s.invoices_by_day("V1", 20'513, 20'513, 10).value().size() == 1);
  CHECK(s.invoices_by_day("V1", 20'510, 20'517, 2).value().size() == 2);

  const auto i3_seq = s.get(type("invoices"), {"I3"}).value()->seq;
  auto totals = s.vendor_invoice_totals("V1", i3_seq);
  REQUIRE(totals);
  CHECK(totals->count == 2);  // I1 and I2 arrived before I3
  CHECK(totals->amount_e4 == 1'075'000);
  CHECK(s.vendor_invoice_totals("V1", 1'000'000).value().count == 3);
  CHECK(s.vendor_invoice_totals("V9", 1'000'000).value().amount_e4 == 0);

  import_ok(s, "vendors",
            "vendor_id,name,country,iban,tax_id,created_at\n"
            "V3,Acme 2,DE,DE89370400440532013000,DE333,2024-01-01T00:00:00Z\n");
  CHECK(s.vendors_by_iban(kIbanA, 10).value() == std::vector<std::string>{"V1", "V3"});
  CHECK(s.vendors_by_iban(kIbanA, 1).value() == std::vector<std::string>{"V1"});
  CHECK(s.vendors_by_iban("DE00", 10).value().empty());

  import_ok(s, "outgoing_payments",
            "payment_id,vendor_id,amount,currency,iban,requested_by,requested_at\n"
            "P3,V1,30,EUR,DE89370400440532013000,u,2026-01-03T00:00:00Z\n"
            "P1,V1,10,EUR,DE89370400440532013000,u,2026-01-01T00:00:00Z\n"
            "P2,V1,20,EUR,DE89370400440532013000,u,2026-01-02T01:00:00+01:00\n"
            "P4,V2,40,EUR,GB82WEST12345698765432,u,2026-01-02T00:00:00Z\n");
  const std::int64_t a_day = 86'400'000'000;
  auto p = s.payments_by_vendor("V1", kNowUs, kNowUs + 2 * a_day, 10);
  REQUIRE(p);
  REQUIRE(p->size() == 2);  // P3 at the upper bound is outside
  CHECK((*p)[0].data["payment_id"] == "P1");
  CHECK((*p)[1].data["payment_id"] == "P2");
  CHECK(s.payments_by_vendor("V1", kNowUs + 1, kNowUs + 3 * a_day + 1, 10).value().size() == 2);
  CHECK(s.payments_by_vendor("V1", kNowUs, kNowUs + 3 * a_day, 1).value().size() == 1);
}

TEMPLATE_TEST_CASE("store contract: the vendor bank history an import derives",
                   "[unit][records][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "vendors", kVendorsCsv);
  auto h = s.bank_history("V1", 10);
  REQUIRE(h);
  REQUIRE(h->size() == 1);  // a new vendor has had its account since created_at
  CHECK(h->front().iban == kIbanA);
  CHECK(h->front().changed_by == "importer");
  CHECK(h->front().changed_at_us == expr::parse_timestamp("2024-01-01T00:00:00Z").value());
  import_ok(s, "vendors", kVendorsCsv);  // unchanged: nothing more
  CHECK(s.bank_history("V1", 10).value().size() == 1);

  // Changed, with who and when given; then changed without them (the importer, now).
  import_ok(s, "vendors",
            "vendor_id,name,country,iban,tax_id,created_at,bank_changed_at,bank_changed_by\n"
            "V1,Acme GmbH,DE,NL91ABNA0417164300,DE111,2024-01-01T00:00:00Z,"
            "2025-12-01T00:00:00Z,eve\n");
  import_ok(s, "vendors",
            "vendor_id,name,country,iban,tax_id,created_at\n"
            "V1,Acme GmbH,DE,DE62370400440532013001,DE111,2024-01-01T00:00:00Z\n");
  // A name change alone is no bank change.
  import_ok(s, "vendors",
            "vendor_id,name,country,iban,tax_id,created_at\n"
            "V1,Acme SE,DE,DE62370400440532013001,DE111,2024-01-01T00:00:00Z\n");
  h = s.bank_history("V1", 10);
  REQUIRE(h);
  REQUIRE(h->size() == 3);
  CHECK((*h)[1].iban == kIbanC);
  CHECK((*h)[1].changed_by == "eve");
  CHECK((*h)[1].changed_at_us == expr::parse_timestamp("2025-12-01T00:00:00Z").value());
  CHECK((*h)[2].iban == kIbanD);
  CHECK((*h)[2].changed_by == "importer");
  CHECK((*h)[2].changed_at_us == kNowUs);
  CHECK(s.bank_history("V1", 2).value().size() == 2);
  CHECK(s.bank_history("V2", 10).value().size() == 1);
  CHECK(s.bank_history("V9", 10).value().empty());
}

TEMPLATE_TEST_CASE("store contract: the journal posts once per key and once per document",
                   "[unit][records][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  CHECK(s.journal_size().value() == 0);
  auto first = s.post(posting("inst-1/post", "invoice", "I1"));
  REQUIRE(first);
  CHECK_FALSE(first->already_posted);
  CHECK(first->instance_id == "inst-1");
  CHECK(first->posted_at_us == kNowUs);

  auto rerun = s.post(posting("inst-1/post", "invoice", "I1"));
  REQUIRE(rerun);
  CHECK(rerun->already_posted);
  CHECK(rerun->entry_id == first->entry_id);
  CHECK(rerun->instance_id == "inst-1");
  CHECK(s.journal_size().value() == 1);

  auto other = s.post(posting("inst-2/post", "invoice", "I1"));
  REQUIRE_FALSE(other);
  CHECK(other.error().code == ErrorCode::conflict);
  CHECK_THAT(other.error().message, Catch::Contains("by instance inst-1"));

  // The key that posted I1 cannot post another document.
  auto reused = s.post(posting("inst-1/post", "invoice", "I9"));
  REQUIRE_FALSE(reused);
  CHECK(reused.error().code == ErrorCode::conflict);
  CHECK(s.journal_size().value() == 1);

  // Another document is another entry, a later one; the same id of another type too.
  auto second = s.post(posting("inst-2/post", "invoice", "I2"));
  REQUIRE(second);
  CHECK(second->entry_id > first->entry_id);
  auto payment_of_i1 = s.post(posting("inst-3/pay", "payment", "I1"));
  REQUIRE(payment_of_i1);
  CHECK_FALSE(payment_of_i1->already_posted);
  CHECK(payment_of_i1->entry_id > second->entry_id);
  CHECK(s.journal_size().value() == 3);
}

TEMPLATE_TEST_CASE("store contract: concurrent postings of one document make one entry",
                   "[unit][records][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::atomic<int> posted{0}, conflicts{0}, other{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int d = 0; d < 10; ++d) {
        auto r = s.post(posting("inst-" + std::to_string(t) + "/s" + std::to_string(d), "invoice",
                                "D" + std::to_string(d)));
        if (r) {
          ++posted;
        } else if (r.error().code == ErrorCode::conflict) {
          ++conflicts;
        } else {
          ++other;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(posted == 10);
  CHECK(conflicts == 30);
  CHECK(other == 0);
  CHECK(s.journal_size().value() == 10);
}

TEMPLATE_TEST_CASE("store contract: AR imports create the state; corrections follow the record",
                   "[unit][ar][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C1", "SI-2026/0001", "2026-01-10", "2026-02-09", "1000.50") +
                ar("I2", "C2", "si 2026 0002", "2026-01-11", "2026-02-10", "20", 1, "USD") +
                ar("Z1", "C1", "SI-Z1", "2026-01-05", "2026-02-04", "0"));
  const auto i1 = state_of(s, "I1");
  CHECK(i1.customer_id == "C1");
  CHECK(i1.invoice_number == "SI-2026/0001");
  CHECK(i1.currency == "EUR");
  CHECK(i1.invoice_day == day("2026-01-10"));
  CHECK(i1.due_day == day("2026-02-09"));
  CHECK(i1.amount_e4 == 10'005'000);
  CHECK(i1.applied_e4 == 0);
  CHECK(i1.status == "open");
  CHECK_FALSE(i1.closed_day);
  CHECK_FALSE(i1.disputed_day);
  CHECK_FALSE(i1.promised_day);
  CHECK(i1.dunning_level.empty());
  CHECK_FALSE(i1.p_late);
  const auto i2 = state_of(s, "I2");
  CHECK(i2.currency == "USD");
  CHECK(i2.disputed_day == day("2026-01-11"));
  const auto z = state_of(s, "Z1");  // an invoice of nothing is paid on its day
  CHECK(z.status == "paid");
  CHECK(z.closed_day == day("2026-01-05"));
  CHECK(ids(s.ar_by_number_key("SI20260001", 10).value()) == std::vector<std::string>{"I1"});
  CHECK(ids(s.ar_by_number_key("SI20260002", 10).value()) == std::vector<std::string>{"I2"});
  CHECK_FALSE(s.ar_invoice("NOPE").value().has_value());

  // Disputed in the file with a date: disputed since that date.
  import_ok(s, "ar_invoices",
            "invoice_id,customer_id,invoice_number,invoice_date,due_date,currency,amount,disputed,"
            "disputed_at\n"
            "I3,C1,SI-3,2026-01-10,2026-02-09,EUR,10,1,2026-01-20\n");
  CHECK(state_of(s, "I3").disputed_day == day("2026-01-20"));

  apply_ok(s, payment("P1", "C1", {{"I1", 400 * kE4}}, "2026-02-01"));
  import_ok(s, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "1200", 1) +
                ar("I2", "C2", "si 2026 0002", "2026-01-11", "2026-02-10", "20", 0, "USD"));
  const auto corrected = state_of(s, "I1");
  CHECK(corrected.customer_id == "C2");
  CHECK(corrected.amount_e4 == 1200 * kE4);
  CHECK(corrected.applied_e4 == 400 * kE4);
  CHECK(corrected.invoice_day == day("2026-01-12"));
  CHECK(corrected.due_day == day("2026-02-28"));
  CHECK(corrected.status == "open");
  CHECK(corrected.disputed_day == day("2026-01-01"));          // the day the ledger learned of it
  CHECK(state_of(s, "I2").disputed_day == day("2026-01-11"));  // never cleared by an import

  // Covered by the cash: paid that day (a credit balance); raised again: open again.
  import_ok(s, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "350", 1));
  auto lowered = state_of(s, "I1");
  CHECK(lowered.status == "paid");
  CHECK(lowered.outstanding_e4() == -50 * kE4);
  CHECK(lowered.closed_day == day("2026-01-01"));
  import_ok(s, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "500", 1));
  auto raised = state_of(s, "I1");
  CHECK(raised.status == "open");
  CHECK_FALSE(raised.closed_day);
  // A credited invoice stays credited whatever the ERP sends.
  REQUIRE(s.close_invoice("I1", "credit_note", day("2026-03-01"), "fay", "i-1", kNowUs));
  import_ok(s, "ar_invoices",
            std::string(kArHeader) +
                ar("I1", "C2", "SI-2026/0001", "2026-01-12", "2026-02-28", "900", 1));
  CHECK(state_of(s, "I1").status == "credited");
  CHECK(state_of(s, "I1").closed_day == day("2026-03-01"));
}

TEMPLATE_TEST_CASE("store contract: a customer's history as of the start of a day",
                   "[unit][ar][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "ar_invoices",
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
  apply_ok(s, payment("P-A0", "C1", {{"A0", 1000 * kE4}}, "2025-02-10"));
  apply_ok(s, payment("P-A1", "C1", {{"A1", 100 * kE4}}, "2026-02-05"));
  apply_ok(s, payment("P-A2", "C1", {{"A2", 200 * kE4}}, "2026-03-01"));
  apply_ok(s, payment("P-A3", "C1", {{"A3", 300 * kE4}}, "2026-04-15"));
  apply_ok(s, payment("P-A7a", "C1", {{"A7", 300 * kE4}}, "2026-05-25"));  // part before 06-01
  apply_ok(s, payment("P-A7", "C1", {{"A7", 400 * kE4}}, "2026-06-10"));
  apply_ok(s, payment("P-B1", "C2", {{"B1", 999 * kE4}}, "2026-03-01"));
  REQUIRE(s.close_invoice("A8", "credit_note", day("2026-03-20"), "fay", "i-8", kNowUs));

  auto h = history(s, "C1", "2026-06-01");
  CHECK(h.settled_count == 3);
  CHECK(h.avg_days_late == Approx(6.0));
  CHECK(h.late_ratio == Approx(2.0 / 3.0));
  CHECK(h.sd_days_late == Approx(std::sqrt(146.0 / 3.0)));
  CHECK(h.recent_count == 3);
  CHECK(h.recent_days_late == Approx(6.0));
  CHECK(h.open_count == 3);        // A4, A5, A7
  CHECK(h.open_e4 == 1300 * kE4);  // A7 less what was paid before the day
  CHECK(h.overdue_e4 == 800 * kE4);
  CHECK(h.overdue_30_count == 1);                               // A4, 31 days past due
  CHECK(history(s, "C1", "2026-05-31").overdue_30_count == 0);  // 30 days is not more than 30
  CHECK(h.disputed_open_count == 1);
  CHECK(h.issued_count == 7);
  CHECK(h.issued_mean_e4 == 3000 * kE4 / 7);
  CHECK(h.disputes == 1);
  CHECK_FALSE(h.on_credit_hold);

  h = history(s, "C1", "2026-06-01", 600);
  CHECK(h.settled_count == 4);
  CHECK(h.avg_days_late == Approx(7.0));
  CHECK(h.issued_count == 8);

  h = history(s, "C1", "2026-03-01");
  CHECK(h.settled_count == 1);
  CHECK(h.sd_days_late == 0);
  CHECK(h.recent_count == 2);
  CHECK(h.recent_days_late == Approx(7.5));
  CHECK(h.open_count == 2);  // A2 (paid on the day) and A8
  CHECK(h.open_e4 == 1000 * kE4);

  CHECK(history(s, "C1", "2026-05-10").disputes == 0);
  CHECK(history(s, "C1", "2026-05-11").disputed_open_count == 1);
  const auto none = history(s, "C3", "2026-06-01");
  CHECK(none.settled_count == 0);
  CHECK(none.open_count == 0);
  CHECK(none.issued_mean_e4 == 0);

  REQUIRE(s.place_credit_hold("C1", "A4", "system", kNowUs));
  CHECK(history(s, "C1", "2025-01-01").on_credit_hold);
  CHECK_FALSE(history(s, "C2", "2026-06-01").on_credit_hold);
}

TEMPLATE_TEST_CASE("store contract: applying cash, its refusals and re-runs",
                   "[unit][ar][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "ar_invoices",
            std::string(kArHeader) + ar("B1", "C2", "INV-1", "2026-01-01", "2026-01-31", "100") +
                ar("B2", "C2", "INV-2", "2026-01-02", "2026-02-01", "200") +
                ar("B3", "C2", "INV-3", "2026-01-03", "2026-02-02", "300"));

  const auto partial = apply_ok(s, payment("P1", "C2", {{"B1", 40 * kE4}}, "2026-01-20"));
  CHECK_FALSE(partial.already_applied);
  REQUIRE(partial.invoices.size() == 1);
  CHECK(partial.invoices[0].applied_e4 == 40 * kE4);
  CHECK(partial.invoices[0].outstanding_e4 == 60 * kE4);
  CHECK_FALSE(partial.invoices[0].closed);
  auto p1 = s.payment_state("P1").value();
  REQUIRE(p1);
  CHECK(p1->status == "applied");
  CHECK(p1->customer_id == "C2");
  CHECK(p1->applied_e4 == 40 * kE4);
  CHECK(p1->instance_id == "inst-P1");
  CHECK(p1->updated_at_us == kNowUs);
  CHECK(ids(s.open_ar_by_outstanding(60 * kE4, 10).value()) == std::vector<std::string>{"B1"});

  REQUIRE(s.set_promise("B1", day("2026-02-10"), kNowUs));
  REQUIRE(s.place_credit_hold("C2", "B1", "system", kNowUs));
  const auto exact = apply_ok(s, payment("P2", "C2", {{"B1", 60 * kE4}}, "2026-02-03"));
  REQUIRE(exact.invoices.size() == 1);
  CHECK(exact.invoices[0].closed);
  auto b1 = state_of(s, "B1");
  CHECK(b1.status == "paid");
  CHECK(b1.closed_day == day("2026-02-03"));
  CHECK_FALSE(b1.promised_day);
  CHECK(s.customers_on_hold(10).value().empty());  // closing released the invoice's hold

  // Over-allocation on one of two invoices: a conflict, nothing written.
  auto over = s.apply(payment("P3", "C2", {{"B2", 200 * kE4}, {"B3", 301 * kE4}}, "2026-02-03"));
  REQUIRE_FALSE(over);
  CHECK(over.error().code == ErrorCode::conflict);
  CHECK_THAT(over.error().message, Catch::Contains("B3") && Catch::Contains("300.00"));
  CHECK(state_of(s, "B2").applied_e4 == 0);
  CHECK_FALSE(s.payment_state("P3").value().has_value());
  auto closed = s.apply(payment("P4", "C2", {{"B2", 10 * kE4}, {"B1", 1 * kE4}}, "2026-02-03"));
  REQUIRE_FALSE(closed);
  CHECK(closed.error().code == ErrorCode::conflict);
  CHECK_THAT(closed.error().message, Catch::Contains("paid"));
  CHECK(state_of(s, "B2").applied_e4 == 0);
  auto unknown = s.apply(payment("P5", "C2", {{"B2", kE4}, {"NOPE", kE4}}, "2026-02-03"));
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::not_found);
  for (const auto& bad : {payment("P5", "C2", {{"B2", 0}}, "2026-02-03"),
                          payment("P5", "C2", {{"B2", -kE4}}, "2026-02-03"),
                          payment("P5", "C2", {{"B2", kE4}, {"B2", kE4}}, "2026-02-03"),
                          payment("P5", "C2", {{"B2", kE4, "gift"}}, "2026-02-03")}) {
    auto r = s.apply(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::invalid_argument);
  }
  CHECK(state_of(s, "B2").applied_e4 == 0);

  // Re-runs.
  const auto again = apply_ok(s, payment("P2", "C2", {{"B1", 60 * kE4}}, "2026-02-03"));
  CHECK(again.already_applied);
  REQUIRE(again.invoices.size() == 1);
  CHECK(again.invoices[0].outstanding_e4 == 0);
  CHECK_FALSE(again.invoices[0].closed);
  CHECK(state_of(s, "B1").applied_e4 == 100 * kE4);
  apply_ok(s, payment("P6", "C2", {{"B2", 50 * kE4}, {"B3", 50 * kE4}}, "2026-02-04"));
  const auto twice =
      apply_ok(s, payment("P6", "C2", {{"B2", 50 * kE4}, {"B3", 50 * kE4}}, "2026-02-04"));
  CHECK(twice.already_applied);
  REQUIRE(twice.invoices.size() == 2);
  CHECK(twice.invoices[1].outstanding_e4 == 250 * kE4);
  CHECK(state_of(s, "B3").applied_e4 == 50 * kE4);
  // A later allocation that was already applied (a different application): a conflict.
  auto mixed = s.apply(
      payment("P6", "C2", {{"B2", 10 * kE4, "bank_charges"}, {"B3", 50 * kE4}}, "2026-02-04"));
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().code == ErrorCode::conflict);
  CHECK(state_of(s, "B2").applied_e4 == 50 * kE4);  // nothing of it written

  // Bank charges close it; the payment's applied amount is its cash only.
  const auto r =
      apply_ok(s, payment("P7", "C2", {{"B2", 140 * kE4, "cash"}, {"B2", 10 * kE4, "bank_charges"}},
                          "2026-02-05"));
  REQUIRE(r.invoices.size() == 2);
  CHECK_FALSE(r.invoices[0].closed);
  CHECK(r.invoices[1].closed);
  CHECK(state_of(s, "B2").status == "paid");
  CHECK(s.payment_state("P7").value()->applied_e4 == 140 * kE4);
}

TEMPLATE_TEST_CASE("store contract: payment decisions and the unapplied worklist",
                   "[unit][ar][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "ar_invoices",
            std::string(kArHeader) + ar("B1", "C2", "INV-1", "2026-01-01", "2026-01-31", "100"));
  import_ok(s, "incoming_payments",
            "payment_id,customer_id,amount,currency,received_at,reference\n"
            "Q1,C2,123,EUR,2026-02-01T09:00:00Z,what is this\n"
            "Q3,C2,150,EUR,2026-02-03T09:00:00Z,INV-1 and more\n");
  records::PaymentApplication d;
  d.payment_id = "Q1";
  d.customer_id = "C2";
  d.status = "review";
  d.unapplied_e4 = 123 * kE4;
  d.flags = "reference_other_customer";
  d.instance_id = "inst-q1";
  d.now_us = kNowUs + 10;
  REQUIRE(s.set_payment_state(d));
  auto q1 = s.payment_state("Q1").value();
  REQUIRE(q1);
  CHECK(q1->status == "review");
  CHECK(q1->applied_e4 == 0);
  CHECK(q1->unapplied_e4 == 123 * kE4);
  CHECK(q1->flags == "reference_other_customer");
  d.payment_id = "Q2";  // no incoming payment record
  d.status = "unapplied";
  d.now_us = kNowUs + 20;
  REQUIRE(s.set_payment_state(d));
  auto q3 = payment("Q3", "C2", {{"B1", 100 * kE4}}, "2026-02-03");
  q3.unapplied_e4 = 50 * kE4;
  q3.now_us = kNowUs + 30;
  apply_ok(s, q3);
  apply_ok(s, payment("Q4", "C2", {}, "2026-02-03"));  // no allocation: no state

  auto all = s.unapplied_payments("", kLatest, "", 10);
  REQUIRE(all);
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].payment_id == "Q3");  // newest first
  CHECK((*all)[0].status == "applied");
  CHECK((*all)[0].unapplied_e4 == 50 * kE4);
  CHECK((*all)[0].amount_e4 == 150 * kE4);
  CHECK((*all)[0].reference == "INV-1 and more");
  CHECK((*all)[1].payment_id == "Q2");
  CHECK((*all)[1].currency.empty());
  CHECK((*all)[2].payment_id == "Q1");
  CHECK((*all)[2].currency == "EUR");
  CHECK((*all)[2].received_at == "2026-02-01T09:00:00Z");
  auto review = s.unapplied_payments("review", kLatest, "", 10);
  REQUIRE(review);
  REQUIRE(review->size() == 1);
  CHECK(review->front().payment_id == "Q1");
  auto page = s.unapplied_payments("", (*all)[1].updated_at_us, (*all)[1].payment_id, 10);
  REQUIRE(page);
  REQUIRE(page->size() == 1);
  CHECK(page->front().payment_id == "Q1");
  CHECK(s.unapplied_payments("", kLatest, "", 1).value().size() == 1);
  CHECK_FALSE(s.payment_state("Q4").value().has_value());
}

TEMPLATE_TEST_CASE("store contract: credit notes, write-offs, promises, dunning, disputes, risk",
                   "[unit][ar][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "ar_invoices",
            std::string(kArHeader) + ar("B1", "C2", "INV-1", "2026-01-01", "2026-01-31", "100") +
                ar("B2", "C2", "INV-2", "2026-01-02", "2026-02-01", "200") +
                ar("B3", "C2", "INV-3", "2026-01-03", "2026-02-02", "300"));
  auto credited = s.close_invoice("B1", "credit_note", day("2026-02-10"), "fay", "i-1", kNowUs);
  REQUIRE(credited);
  CHECK_FALSE(credited->already_applied);
  REQUIRE(credited->invoices.size() == 1);
  CHECK(credited->invoices[0].applied_e4 == 100 * kE4);
  CHECK(credited->invoices[0].closed);
  CHECK(state_of(s, "B1").status == "credited");
  CHECK(state_of(s, "B1").closed_day == day("2026-02-10"));
  CHECK_FALSE(s.payment_state("credit_note:B1").value().has_value());
  auto again = s.close_invoice("B1", "credit_note", day("2026-02-11"), "fay", "i-1", kNowUs);
  REQUIRE(again);
  CHECK(again->already_applied);
  CHECK(state_of(s, "B1").closed_day == day("2026-02-10"));

  apply_ok(s, payment("P1", "C2", {{"B2", 50 * kE4}}, "2026-02-01"));
  auto written = s.close_invoice("B2", "write_off", day("2026-05-01"), "carol", "i-2", kNowUs);
  REQUIRE(written);
  REQUIRE(written->invoices.size() == 1);
  CHECK(written->invoices[0].applied_e4 == 150 * kE4);
  CHECK(state_of(s, "B2").status == "written_off");
  CHECK(state_of(s, "B2").applied_e4 == 200 * kE4);

  apply_ok(s, payment("P2", "C2", {{"B3", 300 * kE4}}, "2026-02-01"));
  auto paid = s.close_invoice("B3", "credit_note", day("2026-05-01"), "fay", "i-3", kNowUs);
  REQUIRE_FALSE(paid);
  CHECK(paid.error().code == ErrorCode::conflict);
  auto cross = s.close_invoice("B1", "write_off", day("2026-05-01"), "carol", "i-4", kNowUs);
  REQUIRE_FALSE(cross);
  CHECK(cross.error().code == ErrorCode::conflict);
  auto kind = s.close_invoice("B3", "cash", day("2026-05-01"), "fay", "i-3", kNowUs);
  REQUIRE_FALSE(kind);
  CHECK(kind.error().code == ErrorCode::invalid_argument);
  auto unknown = s.close_invoice("NOPE", "write_off", day("2026-05-01"), "x", "i", kNowUs);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::not_found);

  import_ok(s, "ar_invoices",
            std::string(kArHeader) + ar("D1", "C1", "SI-D1", "2026-03-01", "2026-03-31", "500"));
  REQUIRE(s.set_promise("D1", day("2026-02-15"), kNowUs));
  CHECK(state_of(s, "D1").promised_day == day("2026-02-15"));
  REQUIRE(s.set_promise("D1", std::nullopt, kNowUs));
  CHECK_FALSE(state_of(s, "D1").promised_day);
  REQUIRE(s.record_dunning("D1", "reminder", kNowUs));
  CHECK(state_of(s, "D1").dunning_level == "reminder");
  auto never = s.resolve_dispute("D1", day("2026-03-02"), kNowUs);
  REQUIRE_FALSE(never);
  CHECK(never.error().code == ErrorCode::not_found);
  REQUIRE(s.record_dispute("D1", day("2026-03-05"), kNowUs));
  REQUIRE(s.record_dispute("D1", day("2026-03-09"), kNowUs));
  CHECK(state_of(s, "D1").disputed_day == day("2026-03-05"));  // the first dispute day
  REQUIRE(s.resolve_dispute("D1", day("2026-03-20"), kNowUs));
  CHECK_FALSE(state_of(s, "D1").in_dispute());
  CHECK(history(s, "C1", "2026-03-10").disputed_open_count == 1);
  CHECK(history(s, "C1", "2026-03-25").disputed_open_count == 0);
  REQUIRE(s.record_dispute("D1", day("2026-04-01"), kNowUs));
  CHECK(state_of(s, "D1").in_dispute());
  CHECK(state_of(s, "D1").disputed_day == day("2026-03-05"));
  REQUIRE(s.record_risk("D1", 0.7, 12.5, 4.0, "ar_late_payment@3", kNowUs));
  const auto d1 = state_of(s, "D1");
  CHECK(d1.p_late == Approx(0.7));
  CHECK(d1.expected_days_late == Approx(12.5));
  CHECK(d1.sd_days_late == Approx(4.0));
  CHECK(d1.model_version == "ar_late_payment@3");
  for (auto r :
       {s.set_promise("NOPE", 1, kNowUs), s.record_dunning("NOPE", "reminder", kNowUs),
        s.record_dispute("NOPE", 1, kNowUs), s.record_risk("NOPE", 0.1, 0, 1, "m", kNowUs)}) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::not_found);
  }
}

TEMPLATE_TEST_CASE("store contract: credit holds", "[unit][ar][contract]", SqliteBackend,
                   FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "ar_invoices",
            std::string(kArHeader) + ar("H1", "C3", "SI-H1", "2026-01-01", "2026-01-31", "100"));
  REQUIRE(s.place_credit_hold("C1", "A4", "system", kNowUs));
  REQUIRE(s.place_credit_hold("C1", "A7", "system", kNowUs));
  REQUIRE(s.place_credit_hold("C1", "A7", "system", kNowUs + 5));  // again: one hold
  REQUIRE(s.place_credit_hold("C2", "B1", "system", kNowUs));
  CHECK(s.customers_on_hold(10).value() == std::vector<std::string>{"C1", "C2"});
  CHECK(s.customers_on_hold(1).value().size() == 1);
  CHECK(s.release_credit_holds("C1", "A4", "erin", kNowUs + 10).value() == 1);
  CHECK(history(s, "C1", "2026-06-01").on_credit_hold);
  CHECK(s.release_credit_holds("C1", "", "dave", kNowUs + 20).value() == 1);
  CHECK_FALSE(history(s, "C1", "2026-06-01").on_credit_hold);
  CHECK(s.release_credit_holds("C1", "", "dave", kNowUs + 30).value() == 0);
  CHECK(s.customers_on_hold(10).value() == std::vector<std::string>{"C2"});
  REQUIRE(s.place_credit_hold("C1", "A4", "system", kNowUs + 40));  // placed again
  CHECK(history(s, "C1", "2026-06-01").on_credit_hold);
  CHECK(s.release_credit_holds("C1", "", "dave", kNowUs + 50).value() == 1);

  // A correction the cash covers closes the invoice and releases its hold.
  REQUIRE(s.place_credit_hold("C3", "H1", "system", kNowUs));
  apply_ok(s, payment("PH1", "C3", {{"H1", 80 * kE4}}, "2026-04-01"));
  CHECK(history(s, "C3", "2026-06-01").on_credit_hold);
  import_ok(s, "ar_invoices",
            std::string(kArHeader) + ar("H1", "C3", "SI-H1", "2026-01-01", "2026-01-31", "80"));
  CHECK(state_of(s, "H1").status == "paid");
  CHECK_FALSE(history(s, "C3", "2026-06-01").on_credit_hold);
}

TEMPLATE_TEST_CASE("store contract: open orders, order decisions, credit limits",
                   "[unit][ar][contract]", SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "orders",
            "order_id,customer_id,order_date,currency,amount\n"
            "O3,C1,2025-01-01,EUR,50\n"
            "O1,C1,2026-05-01,EUR,1000\n"
            "O2,C1,2026-05-20,EUR,2000\n"
            "O4,C1,2026-05-25,EUR,300\n"
            "O5,C1,2026-05-26,EUR,400\n"
            "O6,C1,2026-06-01,EUR,60\n"
            "OX,C2,2026-05-02,EUR,7777\n"
            "O7,C1,2026-06-01,EUR,5\n");
  import_ok(s, "ar_invoices",
            "invoice_id,customer_id,invoice_number,invoice_date,due_date,currency,amount,disputed,"
            "order_id\n"
            "I4,C1,SI-4,2026-05-28,2026-06-27,EUR,300,0,O4\n"
            "I9,C1,SI-9,2026-05-28,2026-06-27,EUR,300,0,\n");
  REQUIRE(s.record_order_decision("O5", "blocked", "dave", "i-5", "over limit", kNowUs));
  auto seq_of = [&](const std::string& id) { return s.get(type("orders"), {id}).value()->seq; };
  const std::int64_t o7 = seq_of("O7");
  auto open = s.open_orders("C1", o7, day("2026-06-01"), 365).value();
  CHECK(open.count == 3);  // O1, O2, O6
  CHECK(open.amount_e4 == 3060 * kE4);
  open = s.open_orders("C1", o7, day("2026-05-27"), 365).value();
  CHECK(open.count == 3);  // O1, O2, O4
  CHECK(open.amount_e4 == 3300 * kE4);
  open = s.open_orders("C1", seq_of("O2"), day("2026-06-01"), 365).value();
  CHECK(open.count == 1);
  CHECK(s.open_orders("C1", o7, day("2026-06-01"), 600).value().count == 4);
  REQUIRE(s.record_order_decision("O5", "released", "dave", "i-5", "", kNowUs));
  CHECK(s.order_decision("O5").value() == std::optional<std::string>("released"));
  open = s.open_orders("C1", o7, day("2026-06-01"), 365).value();
  CHECK(open.count == 4);
  CHECK(open.amount_e4 == 3460 * kE4);
  CHECK_FALSE(s.order_decision("O1").value().has_value());
  auto bad = s.record_order_decision("O1", "maybe", "dave", "i", "", kNowUs);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == ErrorCode::invalid_argument);
  CHECK(s.open_orders("C3", o7, day("2026-06-01"), 365).value().count == 0);

  auto change = s.update_credit_limit("C1", 250'005'000, "carol", "good payer", "i-1", kNowUs);
  REQUIRE(change);
  CHECK(change->old_limit_e4 == 10000 * kE4);
  CHECK(change->new_limit_e4 == 250'005'000);
  auto c1 = s.get(type("customers"), {"C1"}).value();
  REQUIRE(c1);
  CHECK(c1->data["credit_limit"] == records::format_e4(250'005'000));
  CHECK(c1->data["name"] == "Contoso AG");
  // Re-run by the same instance: the same change, not a second one.
  auto rerun = s.update_credit_limit("C1", 250'005'000, "carol", "good payer", "i-1", kNowUs);
  REQUIRE(rerun);
  CHECK(rerun->old_limit_e4 == 10000 * kE4);
  // Another instance changes it from where it is now.
  auto next = s.update_credit_limit("C1", 300 * kE4, "carol", "", "i-2", kNowUs);
  REQUIRE(next);
  CHECK(next->old_limit_e4 == 250'005'000);
  CHECK(s.update_credit_limit("C3", 500 * kE4, "carol", "", "i-3", kNowUs).value().old_limit_e4 ==
        0);
  auto negative = s.update_credit_limit("C1", -1, "carol", "", "i", kNowUs);
  REQUIRE_FALSE(negative);
  CHECK(negative.error().code == ErrorCode::invalid_argument);
  auto unknown = s.update_credit_limit("NOPE", kE4, "carol", "", "i", kNowUs);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == ErrorCode::not_found);
  // The ERP stays master: the next import puts its limit back (and it is a change).
  auto reimport = import_ok(s, "customers", kCustomersCsv);
  CHECK(reimport.counts.updated == 2);
  CHECK(s.get(type("customers"), {"C1"}).value()->data["credit_limit"] ==
        records::format_e4(10000 * kE4));
}

TEMPLATE_TEST_CASE("store contract: AP commitments and open AR pages", "[unit][ar][contract]",
                   SqliteBackend, FakeBackend) {
  TestType backend;
  records::FinanceStore& s = backend.store();
  seed_ap(s);
  import_ok(s, "invoices",
            "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,"
            "submitted_by\n"
            "I1,V1,N1,2026-06-01,2026-07-01,EUR,100,alice\n"
            "I2,V1,N2,2026-06-01,2026-07-31,USD,200,alice\n"
            "I3,V1,N3,2026-06-01,2026-07-10,EUR,300,alice\n"
            "I4,V2,N4,2026-06-01,2026-08-01,EUR,400,alice\n"
            "I5,V2,N5,2026-06-01,2026-06-30,EUR,500,alice\n");
  for (const char* id : {"I1", "I2", "I4", "I5"}) {
    REQUIRE(s.post(posting(std::string("k/") + id, "invoice", id)));
  }
  REQUIRE(s.post(posting("k/pay-I3", "payment", "I3")));
  auto c = s.ap_commitments(day("2026-07-01"), day("2026-07-31"), 100);
  REQUIRE(c);
  REQUIRE(c->size() == 2);
  CHECK((*c)[0].invoice_id == "I1");
  CHECK((*c)[0].currency == "EUR");
  CHECK((*c)[0].due_day == day("2026-07-01"));
  CHECK((*c)[0].amount_e4 == 100 * kE4);
  CHECK((*c)[1].invoice_id == "I2");
  CHECK((*c)[1].currency == "USD");
  auto limited = s.ap_commitments(day("2026-06-01"), day("2026-08-31"), 2);
  REQUIRE(limited);
  REQUIRE(limited->size() == 2);
  CHECK((*limited)[0].invoice_id == "I5");
  CHECK((*limited)[1].invoice_id == "I1");

  import_ok(s, "customers", kCustomersCsv);
  import_ok(s, "ar_invoices",
            std::string(kArHeader) + ar("K5", "C1", "N-5", "2026-01-01", "2026-03-01", "50") +
                ar("K1", "C1", "N-1", "2026-01-01", "2026-02-15", "10") +
                ar("K4", "C2", "N-4", "2026-01-01", "2026-02-01", "40") +
                ar("K2", "C1", "N-2", "2026-01-01", "2026-02-01", "10") +
                ar("K3", "C2", "N-3", "2026-01-01", "2026-02-01", "30"));
  apply_ok(s, payment("P1", "C2", {{"K3", 30 * kE4}}, "2026-01-20"));
  auto page1 = s.open_ar_page("", 2).value();
  CHECK(ids(page1) == std::vector<std::string>{"K1", "K2"});
  auto page2 = s.open_ar_page(page1.back().invoice_id, 2).value();
  CHECK(ids(page2) == std::vector<std::string>{"K4", "K5"});
  CHECK(s.open_ar_page(page2.back().invoice_id, 2).value().empty());
  auto of_c1 = s.open_ar_of_customer("C1", 10).value();
  CHECK(ids(of_c1) == std::vector<std::string>{"K2", "K1", "K5"});
  CHECK(of_c1.front().invoice_number == "N-2");
  CHECK(ids(s.open_ar_of_customer("C1", 1).value()) == std::vector<std::string>{"K2"});
  CHECK(ids(s.open_ar_by_outstanding(10 * kE4, 10).value()) ==
        std::vector<std::string>{"K2", "K1"});
  CHECK(s.open_ar_by_outstanding(30 * kE4, 10).value().empty());
  auto n3 = s.ar_by_number_key("N3", 10).value();
  REQUIRE(n3.size() == 1);
  CHECK(n3.front().status == "paid");
}
