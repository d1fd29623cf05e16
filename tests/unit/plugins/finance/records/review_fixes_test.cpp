// Regressions from the review of the records code: non-UTF-8 text is a row error (it once
// threw inside the import transaction and left SQLite's write lock held), and a store
// keeps working after a failed import.
#include "unit/plugins/finance/records_test_support.h"

using namespace records_test;

TEST_CASE("records: a Latin-1 cell is a row error naming the column, not a stuck import",
          "[unit][records]") {
  RecordDb db;
  const std::string latin1 =
      "vendor_id,name,country,iban,tax_id,created_at\n"
      "V1,M\xfcller GmbH,DE," +
      std::string(kIbanA) +
      ",DE1,2020-01-01T00:00:00Z\n"
      "V2,Good AG,DE," +
      std::string(kIbanD) + ",DE2,2020-01-01T00:00:00Z\n";
  auto r = import(*db.store, "vendors", latin1);
  REQUIRE(r);
  CHECK(r->accepted == 1);
  REQUIRE(r->errors.size() == 1);
  CHECK(r->errors[0].row == 1);
  CHECK(r->errors[0].column == "name");
  CHECK_THAT(r->errors[0].reason, Catch::Contains("UTF-8"));
  // Overlong encodings, lone continuation bytes and surrogates are refused too; real
  // multi-byte text is fine.
  for (const char* bad : {"\xc0\xaf", "\x80", "\xed\xa0\x80", "abc\xe2\x82"}) {
    std::vector<records::RowProblem> problems;
    records::RowCells cells;
    cells.cells = {{"customer_id", "C1"},
                   {"name", bad},
                   {"country", "DE"},
                   {"credit_limit", "1"},
                   {"currency", "EUR"},
                   {"payment_terms_days", "30"},
                   {"created_at", "2020-01-01T00:00:00Z"}};
    CHECK_FALSE(records::validate_row(*records::find_record_type("customers"), cells, problems));
  }
  std::vector<records::RowProblem> problems;
  records::RowCells ok;
  ok.cells = {{"customer_id", "C1"},
              {"name", "Müller – Søren 株式会社"},
              {"country", "DE"},
              {"credit_limit", "1"},
              {"currency", "EUR"},
              {"payment_terms_days", "30"},
              {"created_at", "2020-01-01T00:00:00Z"}};
  CHECK(records::validate_row(*records::find_record_type("customers"), ok, problems));
  // The store still takes writes.
  import_ok(*db.store, "vendors",
            "vendor_id,name,country,iban,tax_id,created_at\nV3,Third,DE," + std::string(kIbanA) +
                ",DE3,2020-01-01T00:00:00Z\n");
  CHECK(db.count("rec_vendors") == 2);
}

TEST_CASE("records: an invoice sent with inline lines replaces its lines", "[unit][records]") {
  RecordDb db;
  import_ok(*db.store, "vendors",
            "vendor_id,name,country,iban,tax_id,created_at\nV1,One,DE," + std::string(kIbanA) +
                ",DE1,2020-01-01T00:00:00Z\n");
  auto invoice = [](nlohmann::json lines) {
    return nlohmann::json::array({{{"invoice_id", "I1"},
                                   {"vendor_id", "V1"},
                                   {"invoice_number", "N1"},
                                   {"invoice_date", "2026-01-05"},
                                   {"due_date", "2026-02-04"},
                                   {"currency", "EUR"},
                                   {"amount", "30.00"},
                                   {"submitted_by", "alice"},
                                   {"lines", std::move(lines)}}})
        .dump();
  };
  const auto json = records::PayloadFormat::json;
  auto first = import_ok(*db.store, "invoices",
                         invoice({{{"line_no", 1}, {"qty", 1}, {"unit_price", "10.00"}},
                                  {{"line_no", 2}, {"qty", 2}, {"unit_price", "10.00"}}}),
                         json);
  CHECK(first.counts.inserted == 3);
  CHECK(db.count("rec_invoice_lines") == 2);
  // The corrected invoice has one line: line 2 goes.
  auto second = import_ok(*db.store, "invoices",
                          invoice({{{"line_no", 1}, {"qty", 3}, {"unit_price", "10.00"}}}), json);
  CHECK(second.counts.removed == 1);
  CHECK(second.counts.updated == 1);  // line 1's quantity
  CHECK(db.count("rec_invoice_lines") == 1);
  CHECK(storage_test::raw_int(db.path, "SELECT line_no FROM rec_invoice_lines") == 1);
  // Sending it again changes nothing.
  auto third = import_ok(*db.store, "invoices",
                         invoice({{{"line_no", 1}, {"qty", 3}, {"unit_price", "10.00"}}}), json);
  CHECK(third.counts.removed == 0);
  CHECK(third.counts.unchanged == 2);
}
