// Importing records (importer.h): per-row errors with row/line/column/reason, whole-payload
// refusals, duplicate keys, references, upsert counts, JSON and NDJSON, inline invoice
// lines, and nothing half-written. On the in-memory finance store (tests/support/
// finance_fakes.h), except where the rows SQLite rewrites are the point.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "support/finance_fakes.h"
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;
using records::ImportError;
using records::ImportReport;
using records::PayloadFormat;

namespace {

const ImportError* error_for_row(const ImportReport& r, std::size_t row) {
  for (const auto& e : r.errors) {
    if (e.row == row) return &e;
  }
  return nullptr;
}

const char* kInvoiceHeader =
    "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,po_number,"
    "submitted_by\n";

std::string invoice_row(const std::string& id, const std::string& amount = "100.00",
                        const std::string& date = "2026-03-01",
                        const std::string& due = "2026-03-31", const std::string& currency = "EUR",
                        const std::string& vendor = "V1", const std::string& po = "") {
  return id + "," + vendor + ",N-" + id + "," + date + "," + due + "," + currency + "," + amount +
         "," + po + ",alice\n";
}

}  // namespace

TEST_CASE("importer: good rows commit together, bad rows are reported precisely",
          "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  const std::string csv = std::string(kInvoiceHeader) + invoice_row("I1") +
                          invoice_row("I2", "100", "2026-02-30") +                // row 2: bad date
                          invoice_row("I3", "100", "2026-03-01", "2026-02-01") +  // due before
                          invoice_row("I4", "-0.5") +                             // negative money
                          invoice_row("I5", "1", "2026-03-01", "2026-03-31", "EURO") +
                          "I6,V1,\"multi\nline\",2026-03-01,2026-03-31,EUR,5,,bob\n" +
                          "I7,V1,short\n" +  // wrong field count
                          invoice_row("I8", "12.5");
  auto r = import(store, "invoices", csv);
  REQUIRE(r.ok());
  INFO(r->to_json().dump(2));
  CHECK(r->rows == 8);
  CHECK(r->accepted == 2);
  CHECK(r->rejected == 6);
  CHECK(r->error_count == 6);
  CHECK(r->committed);
  CHECK(r->counts.inserted == 2);
  CHECK(store.record_count("invoices") == 2);

  const ImportError* date = error_for_row(*r, 2);
  REQUIRE(date != nullptr);
  CHECK(date->line == 3);
  CHECK(date->column == "invoice_date");
  CHECK(date->value == "2026-02-30");
  CHECK_THAT(date->reason, Catch::Contains("not a date"));
  CHECK(date->key.empty());  // the row did not validate

  const ImportError* due = error_for_row(*r, 3);
  REQUIRE(due != nullptr);
  CHECK(due->column == "due_date");
  CHECK_THAT(due->reason, Catch::Contains("before invoice_date"));

  const ImportError* negative = error_for_row(*r, 4);
  REQUIRE(negative != nullptr);
  CHECK(negative->column == "amount");
  CHECK(negative->value == "-0.5");
  CHECK(negative->reason == "is negative");

  const ImportError* currency = error_for_row(*r, 5);
  REQUIRE(currency != nullptr);
  CHECK(currency->column == "currency");
  CHECK(currency->value == "EURO");

  // Row 6 spans lines 7 and 8, so row 7 starts on line 9.
  const ImportError* short_row = error_for_row(*r, 7);
  REQUIRE(short_row != nullptr);
  CHECK(short_row->line == 9);
  CHECK(short_row->column.empty());
  CHECK_THAT(short_row->reason, Catch::Contains("has 3 fields, the header has 9"));
  // A quoted field may span lines (row 6 is lines 7-8), but text columns refuse a line
  // break.
  const ImportError* multi = error_for_row(*r, 6);
  REQUIRE(multi != nullptr);
  CHECK(multi->line == 7);
  CHECK(multi->column == "invoice_number");
  CHECK_THAT(multi->reason, Catch::Contains("control characters"));
  CHECK(error_for_row(*r, 8) == nullptr);

  auto eight = store.get(*records::find_record_type("invoices"), {"I8"});
  REQUIRE(eight.ok());
  REQUIRE(eight->has_value());
  CHECK((*eight)->data["amount"] == "12.50");

  // The report as JSON carries the same facts.
  nlohmann::json j = r->to_json();
  CHECK(j["inserted"] == 2);
  CHECK(j["errors"][0]["row"] == 2);
  CHECK(j["errors"][0]["line"] == 3);
  CHECK(j["errors"][0]["column"] == "invoice_date");
  CHECK_FALSE(j.contains("workflows"));
}

TEST_CASE("importer: all_or_nothing stores nothing when one row is bad, dry_run stores nothing",
          "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  const std::string csv = std::string(kInvoiceHeader) + invoice_row("I1") +
                          invoice_row("I2", "abc") + invoice_row("I3");
  auto o = options("invoices");
  o.all_or_nothing = true;
  auto r = records::import_records(csv, o, store, nullptr);
  REQUIRE(r.ok());
  CHECK(r->rejected == 1);
  CHECK(r->accepted == 0);
  CHECK_FALSE(r->committed);
  CHECK(r->error_count == 1);
  CHECK(store.record_count("invoices") == 0);

  auto dry = options("invoices");
  dry.dry_run = true;
  auto d =
      records::import_records(std::string(kInvoiceHeader) + invoice_row("I1"), dry, store, nullptr);
  REQUIRE(d.ok());
  CHECK(d->accepted == 1);
  CHECK_FALSE(d->committed);
  CHECK(store.record_count("invoices") == 0);
}

TEST_CASE("importer: problems with the payload as a whole reject it", "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  auto refused = [&](const std::string& payload, const char* what) {
    auto r = import(store, "invoices", payload);
    INFO(payload);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(r.error().message, Catch::Contains(what));
  };
  // A required column missing from the header.
  refused(
      "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,submitted_by\n"
      "I1,V1,N,2026-03-01,2026-03-31,EUR,alice\n",
      "lacks required column(s) amount of invoices");
  // An unknown column.
  refused(
      "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,submitted_by,"
      "colour\nI1,V1,N,2026-03-01,2026-03-31,EUR,1,alice,red\n",
      "column 'colour' is not a column of invoices");
  // A column twice.
  refused(
      "invoice_id,invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,"
      "submitted_by\n",
      "appears twice");
  // A broken quote names the line.
  refused(std::string(kInvoiceHeader) + invoice_row("I1") + "I2,V1,\"open,2026-03-01\n" +
              invoice_row("I3"),
          "invoices.csv: line 3");
  CHECK(store.record_count("invoices") == 0);

  // allow_extra ignores the unknown column.
  auto o = options("invoices");
  o.allow_extra_columns = true;
  auto r = records::import_records(
      "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,submitted_by,"
      "colour\nI1,V1,N,2026-03-01,2026-03-31,EUR,1,alice,red\n",
      o, store, nullptr);
  REQUIRE(r.ok());
  CHECK(r->counts.inserted == 1);
  auto stored = store.get(*o.type, {"I1"});
  REQUIRE(stored.ok());
  REQUIRE(stored->has_value());
  CHECK_FALSE((*stored)->data.contains("colour"));

  auto no_type = records::ImportOptions{};
  auto none = records::import_records("a\n", no_type, store, nullptr);
  REQUIRE_FALSE(none.ok());
}

TEST_CASE("importer: a key repeated inside one payload rejects every occurrence",
          "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  const std::string csv = std::string(kInvoiceHeader) + invoice_row("I1") + invoice_row("I2") +
                          invoice_row("I1", "200") + invoice_row("I3");
  auto r = import(store, "invoices", csv);
  REQUIRE(r.ok());
  CHECK(r->accepted == 2);
  CHECK(r->rejected == 2);
  REQUIRE(r->errors.size() == 2);
  for (const auto& e : r->errors) {
    CHECK(e.key == "I1");
    CHECK_THAT(e.reason, Catch::Contains("more than once in this payload (rows 1, 3)"));
  }
  CHECK(r->errors[0].row == 1);
  CHECK(r->errors[1].row == 3);
  auto i1 = store.get(*records::find_record_type("invoices"), {"I1"});
  REQUIRE(i1.ok());
  CHECK_FALSE(i1->has_value());
  CHECK(store.record_count("invoices") == 2);
}

TEST_CASE("importer: references to unknown vendors and POs are rejected", "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  const std::string csv = std::string(kInvoiceHeader) +
                          invoice_row("I1", "100", "2026-03-01", "2026-03-31", "EUR", "V1", "PO1") +
                          invoice_row("I2", "100", "2026-03-01", "2026-03-31", "EUR", "V9") +
                          invoice_row("I3", "100", "2026-03-01", "2026-03-31", "EUR", "V1", "PO9") +
                          invoice_row("I4", "100", "2026-03-01", "2026-03-31", "EUR", "V9");
  auto r = import(store, "invoices", csv);
  REQUIRE(r.ok());
  CHECK(r->accepted == 1);
  CHECK(r->rejected == 3);
  const ImportError* vendor = error_for_row(*r, 2);
  REQUIRE(vendor != nullptr);
  CHECK(vendor->column == "vendor_id");
  CHECK(vendor->value == "V9");
  CHECK(vendor->key == "I2");
  CHECK_THAT(vendor->reason, Catch::Contains("vendor V9, which is not in vendors"));
  const ImportError* po = error_for_row(*r, 3);
  REQUIRE(po != nullptr);
  CHECK(po->column == "po_number");
  CHECK_THAT(po->reason, Catch::Contains("PO9"));
  CHECK_THAT(po->reason, Catch::Contains("purchase_orders"));
  CHECK(error_for_row(*r, 4) != nullptr);  // the cached answer is used for the second row

  // Receipts name a PO line by its whole key.
  auto receipts = import(store, "receipts",
                         "receipt_id,po_number,line_no,qty_received,received_at\n"
                         "R1,PO1,1,10,2026-02-20T10:00:00Z\n"
                         "R2,PO1,3,1,2026-02-20T10:00:00Z\n");
  REQUIRE(receipts.ok());
  CHECK(receipts->accepted == 1);
  REQUIRE(receipts->errors.size() == 1);
  CHECK(receipts->errors[0].value == "PO1/3");
}

TEST_CASE("importer: re-importing is idempotent, one changed field updates one record",
          "[unit][records]") {
  RecordDb db;
  seed_ap(*db.store);
  const std::string csv =
      std::string(kInvoiceHeader) + invoice_row("I1") + invoice_row("I2") + invoice_row("I3");
  auto first = import_ok(*db.store, "invoices", csv);
  CHECK(first.counts.inserted == 3);
  const std::int64_t changes_before = storage_test::raw_int(
      db.path, "SELECT count(*) FROM rec_invoices WHERE updated_at_us = " + std::to_string(kNowUs));
  CHECK(changes_before == 3);

  auto o = options("invoices");
  o.now_us = kNowUs + 1'000'000;
  auto again = records::import_records(csv, o, *db.store, nullptr);
  REQUIRE(again.ok());
  CHECK(again->counts.inserted == 0);
  CHECK(again->counts.updated == 0);
  CHECK(again->counts.unchanged == 3);
  // No row was rewritten: their updated_at_us is still the first import's.
  CHECK(storage_test::raw_int(db.path, "SELECT count(*) FROM rec_invoices WHERE updated_at_us = " +
                                           std::to_string(kNowUs)) == 3);

  // The same values spelled differently are the same record.
  auto respelled = records::import_records(
      std::string(kInvoiceHeader) + invoice_row("I1", "100.0000"), o, *db.store, nullptr);
  REQUIRE(respelled.ok());
  CHECK(respelled->counts.unchanged == 1);

  auto changed = records::import_records(std::string(kInvoiceHeader) + invoice_row("I1") +
                                             invoice_row("I2", "150") + invoice_row("I3"),
                                         o, *db.store, nullptr);
  REQUIRE(changed.ok());
  CHECK(changed->counts.inserted == 0);
  CHECK(changed->counts.updated == 1);
  CHECK(changed->counts.unchanged == 2);
  auto i2 = db.store->get(*o.type, {"I2"});
  REQUIRE(i2.ok());
  REQUIRE(i2->has_value());
  CHECK((*i2)->data["amount"] == "150.00");
  CHECK(storage_test::raw_int(db.path,
                              "SELECT amount_e4 FROM rec_invoices WHERE invoice_id = "
                              "'I2'") == 1'500'000);
  // The update keeps the record's arrival order.
  CHECK(storage_test::raw_int(db.path, "SELECT seq FROM rec_invoices WHERE invoice_id = 'I2'") ==
        2);
  CHECK(storage_test::raw_int(db.path,
                              "SELECT updated_at_us FROM rec_invoices WHERE invoice_id "
                              "= 'I2'") == kNowUs + 1'000'000);
}

TEST_CASE("importer: JSON arrays and NDJSON, numbers and booleans as cells", "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  const std::string json = R"([
    {"invoice_id": "J1", "vendor_id": "V1", "invoice_number": "A-1", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": 12.34, "submitted_by": "alice",
     "label_error": true, "po_number": null},
    {"invoice_id": "J2", "vendor_id": "V1", "invoice_number": "A-2", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": 1.23456, "submitted_by": "alice"},
    "not an object",
    {"invoice_id": "J4", "vendor_id": "V1", "invoice_number": ["x"], "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": 1, "submitted_by": "alice",
     "colour": "red"}
  ])";
  auto r = import(store, "invoices", json, PayloadFormat::json);
  REQUIRE(r.ok());
  INFO(r->to_json().dump(2));
  CHECK(r->rows == 4);
  CHECK(r->accepted == 1);
  CHECK(r->counts.inserted == 1);
  auto j1 = store.get(*records::find_record_type("invoices"), {"J1"});
  REQUIRE(j1.ok());
  REQUIRE(j1->has_value());
  CHECK((*j1)->data["amount"] == "12.34");
  CHECK((*j1)->data["label_error"] == 1);
  CHECK_FALSE((*j1)->data.contains("po_number"));
  const ImportError* decimals = error_for_row(*r, 2);
  REQUIRE(decimals != nullptr);
  CHECK(decimals->column == "amount");
  CHECK(decimals->line == 0);
  const ImportError* not_object = error_for_row(*r, 3);
  REQUIRE(not_object != nullptr);
  CHECK_THAT(not_object->reason, Catch::Contains("not a JSON object"));
  std::set<std::string> j4_columns;
  for (const auto& e : r->errors) {
    if (e.row == 4) j4_columns.insert(e.column);
  }
  CHECK(j4_columns == std::set<std::string>{"invoice_number", "colour"});

  const std::string ndjson =
      R"({"invoice_id": "N1", "vendor_id": "V1", "invoice_number": "B-1", "invoice_date": "2026-03-01", "due_date": "2026-03-31", "currency": "EUR", "amount": "5", "submitted_by": "bob"})"
      "\r\n\n"
      "{not json}\n"
      R"({"invoice_id": "N2", "vendor_id": "V1", "invoice_number": "B-2", "invoice_date": "2026-03-01", "due_date": "2026-03-31", "currency": "EUR", "amount": 7, "submitted_by": "bob"})";
  auto n = import(store, "invoices", ndjson, PayloadFormat::ndjson);
  REQUIRE(n.ok());
  CHECK(n->rows == 3);
  CHECK(n->accepted == 2);
  REQUIRE(n->errors.size() == 1);
  CHECK(n->errors[0].row == 3);  // NDJSON rows are lines
  CHECK(n->errors[0].line == 3);
  CHECK_THAT(n->errors[0].reason, Catch::Contains("not valid JSON"));

  auto not_array = import(store, "invoices", R"({"invoice_id": "X"})", PayloadFormat::json);
  REQUIRE_FALSE(not_array.ok());
  CHECK_THAT(not_array.error().message, Catch::Contains("JSON array"));
  auto broken = import(store, "invoices", "[{", PayloadFormat::json);
  REQUIRE_FALSE(broken.ok());
  CHECK_THAT(broken.error().message, Catch::Contains("not valid JSON"));
}

TEST_CASE("importer: JSON invoices carry their lines inline", "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  const std::string json = R"([
    {"invoice_id": "L1", "vendor_id": "V1", "invoice_number": "L-1", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": "1100", "po_number": "PO1",
     "submitted_by": "alice",
     "lines": [{"line_no": 1, "po_line_no": 1, "qty": 10, "unit_price": "100"},
               {"line_no": 2, "po_line_no": 2, "qty": 5, "unit_price": 20}]},
    {"invoice_id": "L2", "vendor_id": "V1", "invoice_number": "L-2", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": "10", "submitted_by": "alice",
     "lines": [{"line_no": 1, "qty": -1, "unit_price": 10}]},
    {"invoice_id": "L3", "vendor_id": "V1", "invoice_number": "L-3", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": "10", "submitted_by": "alice",
     "lines": [{"line_no": 1, "qty": 1, "unit_price": 5}, {"line_no": 1, "qty": 1, "unit_price": 5}]},
    {"invoice_id": "L4", "vendor_id": "V1", "invoice_number": "L-4", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": "10", "submitted_by": "alice",
     "lines": {"line_no": 1}}
  ])";
  auto r = import(store, "invoices", json, PayloadFormat::json);
  REQUIRE(r.ok());
  INFO(r->to_json().dump(2));
  CHECK(r->accepted == 1);
  CHECK(r->rejected == 3);
  CHECK(r->counts.inserted == 3);  // the invoice and its two lines
  auto lines = store.by_key_prefix(*records::find_record_type("invoice_lines"), {"L1"}, 10);
  REQUIRE(lines.ok());
  REQUIRE(lines->size() == 2);
  CHECK((*lines)[0].data["invoice_id"] == "L1");
  CHECK((*lines)[0].data["unit_price"] == "100.00");
  CHECK((*lines)[1].data["line_no"] == 2);
  CHECK((*lines)[1].data["qty"] == "5.00");

  const ImportError* bad_line = error_for_row(*r, 2);
  REQUIRE(bad_line != nullptr);
  CHECK(bad_line->column == "lines[0].qty");
  CHECK(bad_line->key == "L2");
  const ImportError* twice = error_for_row(*r, 3);
  REQUIRE(twice != nullptr);
  CHECK(twice->column == "lines");
  CHECK_THAT(twice->reason, Catch::Contains("line 1 appears more than once"));
  const ImportError* not_array = error_for_row(*r, 4);
  REQUIRE(not_array != nullptr);
  CHECK_THAT(not_array->reason, Catch::Contains("array"));
  CHECK(store.record_count("invoice_lines") == 2);
}

TEST_CASE("importer: an inline line cannot name another invoice", "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  const std::string json = R"([
    {"invoice_id": "L1", "vendor_id": "V1", "invoice_number": "L-1", "invoice_date": "2026-03-01",
     "due_date": "2026-03-31", "currency": "EUR", "amount": "10", "submitted_by": "alice",
     "lines": [{"invoice_id": "OTHER", "line_no": 1, "qty": 1, "unit_price": 10}]}
  ])";
  auto r = import(store, "invoices", json, PayloadFormat::json);
  REQUIRE(r.ok());
  auto other = store.by_key_prefix(*records::find_record_type("invoice_lines"), {"OTHER"}, 10);
  REQUIRE(other.ok());
  CHECK(other->empty());
  CHECK(r->rejected == 1);
  REQUIRE_FALSE(r->errors.empty());
  CHECK(r->errors[0].column == "lines[0].invoice_id");
}

TEST_CASE("importer: max_rows bounds CSV, JSON and NDJSON payloads", "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  auto o = options("invoices");
  o.max_rows = 2;
  auto csv = records::import_records(
      std::string(kInvoiceHeader) + invoice_row("I1") + invoice_row("I2") + invoice_row("I3"), o,
      store, nullptr);
  REQUIRE_FALSE(csv.ok());
  CHECK_THAT(csv.error().message, Catch::Contains("more than 2"));
  CHECK(records::import_records(std::string(kInvoiceHeader) + invoice_row("I1") + invoice_row("I2"),
                                o, store, nullptr)
            .ok());
  o.format = PayloadFormat::json;
  auto json = records::import_records("[{}, {}, {}]", o, store, nullptr);
  REQUIRE_FALSE(json.ok());
  CHECK_THAT(json.error().message, Catch::Contains("more than 2"));
  o.format = PayloadFormat::ndjson;
  auto nd = records::import_records("{}\n{}\n{}\n", o, store, nullptr);
  REQUIRE_FALSE(nd.ok());
  CHECK_THAT(nd.error().message, Catch::Contains("more than 2"));
  CHECK(store.record_count("invoices") == 2);
}

TEST_CASE("importer: a vendor's IBAN change is recorded with who changed it", "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  import_ok(store, "vendors", kVendorsCsv);
  auto history = [&](const std::string& vendor) {
    auto h = store.bank_history(vendor, 100);
    REQUIRE(h.ok());
    return *h;
  };
  auto v1 = history("V1");
  REQUIRE(v1.size() == 1);  // the first account, since the vendor's creation
  CHECK(v1[0].iban == kIbanA);
  CHECK(v1[0].changed_at_us == 1'704'067'200'000'000);  // 2024-01-01T00:00:00Z
  CHECK(v1[0].changed_by == "importer");

  // A new account, with the changer named in the record.
  auto o = options("vendors");
  o.user = "mallory";
  o.now_us = kNowUs + 5'000'000;
  auto changed = records::import_records(
      "vendor_id,name,country,iban,tax_id,created_at,bank_changed_at,bank_changed_by\n"
      "V1,Acme GmbH,DE,DE62 3704 0044 0532 0130 01,DE111,2024-01-01T00:00:00Z,"
      "2025-06-01T12:00:00+02:00,eve\n"
      "V2,Bolt Ltd,GB,GB82WEST12345698765432,GB222,2024-01-01T00:00:00Z,,\n",
      o, store, nullptr);
  REQUIRE(changed.ok());
  CHECK(changed->counts.updated == 1);
  CHECK(changed->counts.unchanged == 1);
  v1 = history("V1");
  REQUIRE(v1.size() == 2);
  CHECK(v1[1].iban == kIbanD);
  CHECK(v1[1].changed_by == "eve");
  CHECK(v1[1].changed_at_us == 1'748'772'000'000'000);  // 2025-06-01T10:00:00Z
  CHECK(history("V2").size() == 1);

  // Without bank_changed_by/at: the importing user, now.
  auto again = records::import_records(
      "vendor_id,name,country,iban,tax_id,created_at\n"
      "V2,Bolt Ltd,GB,NL91ABNA0417164300,GB222,2024-01-01T00:00:00Z\n",
      o, store, nullptr);
  REQUIRE(again.ok());
  auto v2 = history("V2");
  REQUIRE(v2.size() == 2);
  CHECK(v2[1].iban == kIbanC);
  CHECK(v2[1].changed_by == "mallory");
  CHECK(v2[1].changed_at_us == kNowUs + 5'000'000);
  // A name change is not a bank change.
  auto renamed = records::import_records(
      "vendor_id,name,country,iban,tax_id,created_at\n"
      "V2,Bolt Limited,GB,NL91ABNA0417164300,GB222,2024-01-01T00:00:00Z\n",
      o, store, nullptr);
  REQUIRE(renamed.ok());
  CHECK(renamed->counts.updated == 1);
  CHECK(history("V2").size() == 2);
}

TEST_CASE("importer: formats from content types and file names", "[unit][records]") {
  using records::format_from_content_type;
  using records::format_from_file_name;
  CHECK(format_from_content_type("text/csv; charset=utf-8") == PayloadFormat::csv);
  CHECK(format_from_content_type("application/json") == PayloadFormat::json);
  CHECK(format_from_content_type("application/x-ndjson") == PayloadFormat::ndjson);
  CHECK_FALSE(format_from_content_type("text/plain").has_value());
  CHECK(format_from_file_name("a/invoices.csv") == PayloadFormat::csv);
  CHECK(format_from_file_name("x.json") == PayloadFormat::json);
  CHECK(format_from_file_name("x.jsonl") == PayloadFormat::ndjson);
  CHECK_FALSE(format_from_file_name("x.xlsx").has_value());
}

TEST_CASE("importer: errors are listed by row, each row's problems in column order",
          "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  std::string csv = kInvoiceHeader;
  for (int i = 1; i <= 40; ++i) {
    const std::string id = "R" + std::to_string(i);
    // Odd rows have three bad values; even rows an unknown vendor (reported after validation).
    csv += i % 2 == 1 ? invoice_row(id, "abc", "2026-02-30", "2026-03-31", "EURO")
                      : invoice_row(id, "1", "2026-03-01", "2026-03-31", "EUR", "V9");
  }
  auto r = import(store, "invoices", csv);
  REQUIRE(r.ok());
  REQUIRE(r->errors.size() == 80);
  for (std::size_t i = 1; i < r->errors.size(); ++i)
    CHECK(r->errors[i - 1].row <= r->errors[i].row);
  std::map<std::size_t, std::vector<std::string>> columns;
  for (const auto& e : r->errors) columns[e.row].push_back(e.column);
  REQUIRE(columns.size() == 40);
  for (const auto& [row, cols] : columns) {
    INFO("row " << row);
    if (row % 2 == 1) {
      CHECK(cols == std::vector<std::string>{"invoice_date", "currency", "amount"});
    } else {
      CHECK(cols == std::vector<std::string>{"vendor_id"});
    }
  }
}

TEST_CASE("importer: the report keeps the first 1000 errors and counts them all",
          "[unit][records]") {
  finance_fakes::FakeFinanceStore store;
  seed_ap(store);
  std::string csv = kInvoiceHeader;
  for (int i = 1; i <= 1001; ++i) csv += invoice_row("I" + std::to_string(i), "-1");
  auto r = import(store, "invoices", csv);
  REQUIRE(r.ok());
  CHECK(r->error_count == 1001);
  CHECK(r->errors.size() == records::kMaxReportedErrors);
  CHECK(r->rejected == 1001);
  CHECK_FALSE(r->committed);
  CHECK(r->to_json()["errors_truncated"] == true);
}
