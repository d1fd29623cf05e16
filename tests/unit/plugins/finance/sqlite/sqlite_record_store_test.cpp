// SqliteRecordStore: schema check at open, all-or-nothing upserts (a failure mid-batch
// leaves nothing behind and the store usable), lookups, and the append-only journal.
#include <catch2/catch.hpp>

#include <thread>

#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;
using records::PayloadFormat;

namespace {

const records::RecordType& type(const char* name) {
  return *records::find_record_type(name);
}

std::string invoices_csv(int n) {
  std::string csv =
      "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,submitted_by\n";
  for (int i = 1; i <= n; ++i) {
    csv += "I" + std::to_string(i) + ",V1,N" + std::to_string(i) + ",2026-03-01,2026-03-31,EUR," +
           std::to_string(i * 10) + ",alice\n";
  }
  return csv;
}

records::JournalPosting posting(const std::string& key, const std::string& document) {
  records::JournalPosting p;
  p.idempotency_key = key;
  p.instance_id = key.substr(0, key.find('/'));
  p.document_type = "invoice";
  p.document_id = document;
  p.amount_e4 = 1'000'000;
  p.currency = "EUR";
  p.data = {{"debit", "expenses"}};
  p.posted_at_us = kNowUs;
  return p;
}

}  // namespace

TEST_CASE("record store: refuses a database the engine store has not migrated", "[unit][records]") {
  storage_test::TempDir dir;
  const std::string path = dir.path("old.db");
  storage_test::raw_exec(path, "CREATE TABLE t (a INTEGER)");
  ledgerflow::storage::RecordStoreOptions o;
  o.path = path;
  auto s = ledgerflow::storage::SqliteRecordStore::open(o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::unavailable);
  CHECK_THAT(s.error().message, Catch::Contains("open the engine store first"));
}

TEST_CASE("record store: a batch that fails part-way stores nothing", "[unit][records]") {
  RecordDb db;
  import_ok(*db.store, "vendors", kVendorsCsv);

  SECTION("a record of a type without a table") {
    static const records::RecordType widgets{
        "widgets", "widget", {{"id", records::ColumnKind::id}}, {"id"}, {}};
    std::vector<records::Record> batch;
    std::vector<records::RowProblem> problems;
    for (int i = 1; i <= 3; ++i) {
      auto r = records::validate_row(type("invoices"),
                                     {{{"invoice_id", "I" + std::to_string(i)},
                                       {"vendor_id", "V1"},
                                       {"invoice_number", "N"},
                                       {"invoice_date", "2026-03-01"},
                                       {"due_date", "2026-03-31"},
                                       {"currency", "EUR"},
                                       {"amount", "1"},
                                       {"submitted_by", "a"}}},
                                     problems);
      REQUIRE(r.has_value());
      batch.push_back(std::move(*r));
    }
    records::Record widget;
    widget.type = &widgets;
    widget.key = {"W1"};
    widget.data = {{"id", "W1"}};
    batch.insert(batch.begin() + 2, widget);
    auto r = db.store->upsert(batch, "importer", kNowUs);
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("widgets"));
    CHECK(db.count("rec_invoices") == 0);
    // The store is usable afterwards (the transaction was rolled back).
    batch.erase(batch.begin() + 2);
    auto again = db.store->upsert(batch, "importer", kNowUs);
    REQUIRE(again.ok());
    CHECK(again->inserted == 3);
  }

  SECTION("SQLite refusing a row in the middle of an import") {
    storage_test::raw_exec(db.path,
                           "CREATE TRIGGER fail_i3 BEFORE INSERT ON rec_invoices WHEN "
                           "NEW.invoice_id = 'I3' BEGIN SELECT RAISE(ABORT, 'injected'); END");
    auto r = import(*db.store, "invoices", invoices_csv(5));
    REQUIRE_FALSE(r.ok());
    CHECK_THAT(r.error().message, Catch::Contains("injected"));
    CHECK(db.count("rec_invoices") == 0);
    storage_test::raw_exec(db.path, "DROP TRIGGER fail_i3");
    auto ok = import_ok(*db.store, "invoices", invoices_csv(5));
    CHECK(ok.counts.inserted == 5);
  }

  SECTION("the last inline line refused: its invoice is not stored either") {
    storage_test::raw_exec(db.path,
                           "CREATE TRIGGER fail_line BEFORE INSERT ON rec_invoice_lines WHEN "
                           "NEW.invoice_id = 'J2' BEGIN SELECT RAISE(ABORT, 'injected'); END");
    const std::string json = R"([
      {"invoice_id": "J1", "vendor_id": "V1", "invoice_number": "1", "invoice_date": "2026-03-01",
       "due_date": "2026-03-31", "currency": "EUR", "amount": 1, "submitted_by": "a",
       "lines": [{"line_no": 1, "qty": 1, "unit_price": 1}]},
      {"invoice_id": "J2", "vendor_id": "V1", "invoice_number": "2", "invoice_date": "2026-03-01",
       "due_date": "2026-03-31", "currency": "EUR", "amount": 1, "submitted_by": "a",
       "lines": [{"line_no": 1, "qty": 1, "unit_price": 1}]}])";
    auto r = import(*db.store, "invoices", json, PayloadFormat::json);
    REQUIRE_FALSE(r.ok());
    CHECK(db.count("rec_invoices") == 0);
    CHECK(db.count("rec_invoice_lines") == 0);
  }

  SECTION("a vendor update whose bank history cannot be written") {
    storage_test::raw_exec(db.path,
                           "CREATE TRIGGER fail_history BEFORE INSERT ON vendor_bank_history "
                           "BEGIN SELECT RAISE(ABORT, 'injected'); END");
    auto r = import(*db.store, "vendors",
                    "vendor_id,name,country,iban,tax_id,created_at\n"
                    "V1,Acme GmbH,DE,NL91ABNA0417164300,DE111,2024-01-01T00:00:00Z\n");
    REQUIRE_FALSE(r.ok());
    CHECK(storage_test::raw_int(db.path, "SELECT count(*) FROM rec_vendors WHERE iban = '" +
                                             std::string(kIbanA) + "'") == 1);
  }
}

TEST_CASE("record store: lookups by key, key prefix and index", "[unit][records]") {
  RecordDb db;
  seed_ap(*db.store);
  import_ok(*db.store, "receipts",
            "receipt_id,po_number,line_no,qty_received,received_at\n"
            "R2,PO1,1,4,2026-02-21T10:00:00Z\n"
            "R1,PO1,1,6,2026-02-20T10:00:00Z\n"
            "R3,PO1,2,5,2026-02-20T10:00:00Z\n");
  auto& po = type("purchase_orders");
  CHECK(db.store->exists(po, {"PO1"}).value());
  CHECK(db.store->exists(po, {"PO1", "2"}).value());
  CHECK_FALSE(db.store->exists(po, {"PO1", "3"}).value());
  CHECK_FALSE(db.store->exists(po, {"PO2"}).value());
  CHECK_FALSE(db.store->exists(po, {}).ok());
  CHECK_FALSE(db.store->exists(po, {"PO1", "1", "x"}).ok());

  auto lines = db.store->by_key_prefix(po, {"PO1"}, 10);
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 2);
  CHECK((*lines)[0].data["line_no"] == 1);
  CHECK((*lines)[1].data["line_no"] == 2);
  CHECK((*lines)[0].seq < (*lines)[1].seq);
  auto limited = db.store->by_key_prefix(po, {"PO1"}, 1);
  REQUIRE(limited.ok());
  CHECK(limited->size() == 1);
  auto line2 = db.store->get(po, {"PO1", "2"});
  REQUIRE(line2.ok());
  REQUIRE(line2->has_value());
  CHECK((*line2)->data["item"] == "Nuts");
  CHECK((*line2)->data["unit_price"] == "20.00");

  auto receipts = db.store->receipts_for("PO1", 1, 10);
  REQUIRE(receipts.ok());
  REQUIRE(receipts->size() == 2);
  CHECK((*receipts)[0].data["receipt_id"] == "R2");  // arrival order
  CHECK(db.store->receipts_for("PO1", 3, 10).value().empty());

  import_ok(*db.store, "invoices",
            "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,"
            "submitted_by\n"
            "I1,V1,inv-000123,2026-03-01,2026-03-31,EUR,100.5,a\n"
            "I2,V1,INV 123,2026-03-05,2026-03-31,EUR,7,a\n"
            "I3,V2,INV123,2026-03-01,2026-03-31,EUR,7,a\n");
  auto by_number = db.store->invoices_by_number("V1", "INV123", 10);
  REQUIRE(by_number.ok());
  REQUIRE(by_number->size() == 2);
  CHECK((*by_number)[0].invoice_id == "I1");
  CHECK((*by_number)[0].invoice_number == "inv-000123");  // as given
  CHECK((*by_number)[0].amount_e4 == 1'005'000);
  CHECK((*by_number)[0].day == 20'513);  // 2026-03-01
  CHECK((*by_number)[1].invoice_id == "I2");
  auto by_day = db.store->invoices_by_day("V1", 20'513, 20'514, 10);
  REQUIRE(by_day.ok());
  REQUIRE(by_day->size() == 1);
  CHECK(by_day->front().invoice_id == "I1");
  CHECK(db.store->invoices_by_day("V1", 20'513, 20'517, 10).value().size() == 2);

  auto shared = db.store->vendors_by_iban(kIbanA, 10);
  REQUIRE(shared.ok());
  CHECK(*shared == std::vector<std::string>{"V1"});
  CHECK(db.store->vendors_by_iban("DE00", 10).value().empty());
}

TEST_CASE("record store: payments by vendor are a half-open window, oldest first",
          "[unit][records]") {
  RecordDb db;
  import_ok(*db.store, "vendors", kVendorsCsv);
  import_ok(*db.store, "outgoing_payments",
            "payment_id,vendor_id,amount,currency,iban,requested_by,requested_at\n"
            "P3,V1,30,EUR,DE89370400440532013000,u,2026-01-03T00:00:00Z\n"
            "P1,V1,10,EUR,DE89370400440532013000,u,2026-01-01T00:00:00Z\n"
            "P2,V1,20,EUR,DE89370400440532013000,u,2026-01-02T01:00:00+01:00\n"
            "P4,V2,40,EUR,GB82WEST12345698765432,u,2026-01-02T00:00:00Z\n");
  const std::int64_t day = 86'400'000'000;
  auto p = db.store->payments_by_vendor("V1", kNowUs, kNowUs + 2 * day, 10);
  REQUIRE(p.ok());
  REQUIRE(p->size() == 2);  // P3 at the upper bound is outside
  CHECK((*p)[0].data["payment_id"] == "P1");
  CHECK((*p)[1].data["payment_id"] == "P2");
  CHECK(db.store->payments_by_vendor("V1", kNowUs + 1, kNowUs + 3 * day + 1, 10).value().size() ==
        2);
}

TEST_CASE("record store: the journal posts once per key and once per document", "[unit][records]") {
  RecordDb db;
  auto first = db.store->post(posting("inst-1/post", "I1"));
  REQUIRE(first.ok());
  CHECK_FALSE(first->already_posted);
  CHECK(first->instance_id == "inst-1");

  auto rerun = db.store->post(posting("inst-1/post", "I1"));
  REQUIRE(rerun.ok());
  CHECK(rerun->already_posted);
  CHECK(rerun->entry_id == first->entry_id);
  CHECK(db.store->journal_size().value() == 1);

  auto other = db.store->post(posting("inst-2/post", "I1"));
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == ErrorCode::conflict);
  CHECK_THAT(other.error().message, Catch::Contains("by instance inst-1"));
  CHECK(db.store->journal_size().value() == 1);

  // Another document is another entry; the store is usable after the conflict.
  auto second = db.store->post(posting("inst-2/post", "I2"));
  REQUIRE(second.ok());
  CHECK(second->entry_id > first->entry_id);
  CHECK(db.store->journal_size().value() == 2);

  // Append-only, even for someone with raw access.
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(db.path.c_str(), &raw) == SQLITE_OK);
  CHECK(sqlite3_exec(raw, "UPDATE journal SET amount_e4 = 0", nullptr, nullptr, nullptr) !=
        SQLITE_OK);
  CHECK(sqlite3_exec(raw, "DELETE FROM journal", nullptr, nullptr, nullptr) != SQLITE_OK);
  sqlite3_close(raw);
  CHECK(db.store->journal_size().value() == 2);
}

TEST_CASE("record store: concurrent postings of one document make one entry", "[unit][records]") {
  RecordDb db;
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  std::atomic<int> posted{0}, conflicts{0}, other{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int d = 0; d < 10; ++d) {
        auto r = db.store->post(posting("inst-" + std::to_string(t) + "/s" + std::to_string(d),
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
  CHECK(db.store->journal_size().value() == 10);
}
