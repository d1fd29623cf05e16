// Validating one row into a canonical record (record_types.h): every problem names the
// column and the value, canonical data is stable, and the workflow form uses numbers.
#include <catch2/catch.hpp>

#include <set>

#include "plugins/finance/records/record_types.h"

using namespace ledgerflow::records;

namespace {

const RecordType& type(const char* name) {
  const RecordType* t = find_record_type(name);
  REQUIRE(t != nullptr);
  return *t;
}

RowCells invoice_cells() {
  return {{{"invoice_id", "I1"},
           {"vendor_id", "V1"},
           {"invoice_number", "INV-001"},
           {"invoice_date", "2026-03-01"},
           {"due_date", "2026-03-31"},
           {"currency", "EUR"},
           {"amount", "1200.5"},
           {"submitted_by", "alice"}}};
}

RowCells with(RowCells cells, const std::string& column, const std::string& value) {
  for (auto& [k, v] : cells.cells) {
    if (k == column) {
      v = value;
      return cells;
    }
  }
  cells.cells.emplace_back(column, value);
  return cells;
}

// The single problem of `cells`, which must not validate.
RowProblem only_problem(const RecordType& t, const RowCells& cells) {
  std::vector<RowProblem> problems;
  auto r = validate_row(t, cells, problems);
  CHECK_FALSE(r.has_value());
  REQUIRE(problems.size() == 1);
  return problems.front();
}

}  // namespace

TEST_CASE("record types: every documented type, keys are columns, references point back",
          "[unit][records]") {
  std::set<std::string> seen;
  for (const RecordType& t : record_types()) {
    INFO(t.name);
    for (auto k : t.key) CHECK(t.column(k) != nullptr);
    for (const auto& ref : t.references) {
      const RecordType* target = find_record_type(ref.type);
      REQUIRE(target != nullptr);
      CHECK(seen.count(std::string(ref.type)) == 1);  // dependency order
      CHECK(ref.columns.size() <= target->key.size());
      for (auto c : ref.columns) CHECK(t.column(c) != nullptr);
    }
    seen.insert(std::string(t.name));
  }
  for (const char* name :
       {"vendors", "purchase_orders", "receipts", "invoices", "invoice_lines", "outgoing_payments",
        "customers", "ar_invoices", "incoming_payments", "orders"}) {
    CHECK(seen.count(name) == 1);
    CHECK_THAT(record_type_names(), Catch::Contains(name));
  }
  CHECK(find_record_type("invoice") == nullptr);
  CHECK(type("purchase_orders").key == std::vector<std::string_view>{"po_number", "line_no"});
}

TEST_CASE("validation: a good invoice becomes canonical data", "[unit][records]") {
  std::vector<RowProblem> problems;
  auto cells = with(invoice_cells(), "label_error", "true");
  cells = with(cells, "po_number", "");  // optional and empty: omitted
  auto r = validate_row(type("invoices"), cells, problems);
  INFO((problems.empty() ? "" : problems[0].column + " " + problems[0].reason));
  REQUIRE(r.has_value());
  CHECK(problems.empty());
  CHECK(r->key == std::vector<std::string>{"I1"});
  CHECK(r->key_text() == "I1");
  CHECK(r->data["amount"] == "1200.50");
  CHECK(r->data["label_error"] == 1);
  CHECK_FALSE(r->data.contains("po_number"));
  CHECK_FALSE(r->data.contains("label_duplicate_of"));
  // The same row gives the same data, whatever the spelling of the amount.
  auto again = validate_row(type("invoices"), with(cells, "amount", "+1200.5000"), problems);
  REQUIRE(again.has_value());
  CHECK(again->data.dump() == r->data.dump());

  auto line = validate_row(
      type("invoice_lines"),
      {{{"invoice_id", "I1"}, {"line_no", "+2"}, {"qty", "3"}, {"unit_price", "9.99"}}}, problems);
  REQUIRE(line.has_value());
  CHECK(line->data["line_no"] == 2);
  CHECK(line->key == std::vector<std::string>{"I1", "2"});
  CHECK(line->key_text() == "I1/2");
  CHECK(line->data["qty"] == "3.00");
}

TEST_CASE("validation: each bad value is named with its column, value and reason",
          "[unit][records]") {
  const RecordType& inv = type("invoices");
  struct Case {
    const char* column;
    const char* value;
    const char* reason;
  };
  const std::string long_id(65, 'v');
  const Case cases[] = {
      {"invoice_date", "2026-02-30", "not a date"},
      {"invoice_date", "2026-3-1", "not a date"},
      {"invoice_date", "2026-03-01T00:00:00Z", "not a date"},
      {"currency", "EURO", "ISO 4217"},
      {"currency", "eur", "ISO 4217"},
      {"amount", "-0.5", "negative"},
      {"amount", "12.34567", "more than 4 decimals"},
      {"amount", "1e3", "plain decimal"},
      {"amount", "1,000", "plain decimal"},
      {"vendor_id", " V1", "leading or trailing spaces"},
      {"vendor_id", long_id.c_str(), "longer than 64"},
      {"invoice_number", "INV\t1", "control characters"},
      {"submitted_by", "al\x01ice", "control characters"},
      {"label_error", "2", "not 0 or 1"},
      {"label_error", "yes", "not 0 or 1"},
  };
  for (const Case& c : cases) {
    INFO(c.column << " = " << c.value);
    RowProblem p = only_problem(inv, with(invoice_cells(), c.column, c.value));
    CHECK(p.column == c.column);
    CHECK_THAT(p.reason, Catch::Contains(c.reason));
    if (std::string(c.value).size() <= 60) CHECK(p.value == c.value);
  }
  // Long values are shortened in the message.
  RowProblem long_text =
      only_problem(inv, with(invoice_cells(), "invoice_number", std::string(600, 'x')));
  CHECK(long_text.value.size() == 60);
  CHECK_THAT(long_text.value, Catch::EndsWith("..."));
}

TEST_CASE("validation: due date before the invoice date is refused", "[unit][records]") {
  RowProblem p = only_problem(type("invoices"), with(invoice_cells(), "due_date", "2026-02-28"));
  CHECK(p.column == "due_date");
  CHECK(p.value == "2026-02-28");
  CHECK_THAT(p.reason, Catch::Contains("before invoice_date 2026-03-01"));
  // The same day is fine.
  std::vector<RowProblem> problems;
  CHECK(validate_row(type("invoices"), with(invoice_cells(), "due_date", "2026-03-01"), problems));
  // AR invoices follow the same rule.
  RowCells ar = {{{"invoice_id", "A1"},
                  {"customer_id", "C1"},
                  {"invoice_number", "1"},
                  {"invoice_date", "2026-03-01"},
                  {"due_date", "2026-01-01"},
                  {"currency", "EUR"},
                  {"amount", "1"},
                  {"disputed", "0"}}};
  CHECK(only_problem(type("ar_invoices"), ar).column == "due_date");
}

TEST_CASE("validation: every problem of a row is reported at once", "[unit][records]") {
  RowCells cells = with(invoice_cells(), "currency", "XXX");
  cells = with(cells, "amount", "abc");
  cells = with(cells, "invoice_date", "2026-13-01");
  cells.cells.erase(cells.cells.begin());  // invoice_id missing
  std::vector<RowProblem> problems = {{"earlier", "", "kept"}};
  CHECK_FALSE(validate_row(type("invoices"), cells, problems).has_value());
  REQUIRE(problems.size() == 5);
  CHECK(problems[0].column == "earlier");  // appended, not replaced
  std::set<std::string> columns;
  for (std::size_t i = 1; i < problems.size(); ++i) columns.insert(problems[i].column);
  CHECK(columns == std::set<std::string>{"invoice_id", "currency", "amount", "invoice_date"});
  for (const auto& p : problems) {
    if (p.column == "invoice_id") CHECK(p.reason == "is missing");
  }
}

TEST_CASE("validation: vendors (IBAN, country, timestamps) and payments", "[unit][records]") {
  const RecordType& vendors = type("vendors");
  RowCells v = {{{"vendor_id", "V1"},
                 {"name", "Acme"},
                 {"country", "DE"},
                 {"iban", "de89 3704 0044 0532 0130 00"},
                 {"tax_id", "T1"},
                 {"created_at", "2024-01-01T09:30:00+01:00"}}};
  std::vector<RowProblem> problems;
  auto r = validate_row(vendors, v, problems);
  REQUIRE(r.has_value());
  CHECK(r->data["iban"] == "DE89370400440532013000");  // canonical: upper case, no spaces

  RowProblem bad_iban = only_problem(vendors, with(v, "iban", "DE88370400440532013000"));
  CHECK(bad_iban.column == "iban");
  CHECK(bad_iban.value == "DE88370400440532013000");
  CHECK_THAT(bad_iban.reason, Catch::Contains("check digits"));
  CHECK(only_problem(vendors, with(v, "country", "XX")).column == "country");
  RowProblem no_offset = only_problem(vendors, with(v, "created_at", "2024-01-01T09:30:00"));
  CHECK(no_offset.column == "created_at");
  CHECK_THAT(no_offset.reason, Catch::Contains("offset"));
  CHECK(only_problem(vendors, with(v, "created_at", "2024-01-01")).column == "created_at");

  RowCells line = {{{"invoice_id", "I1"}, {"line_no", "0"}, {"qty", "1"}, {"unit_price", "1"}}};
  RowProblem line_no = only_problem(type("invoice_lines"), line);
  CHECK(line_no.column == "line_no");
  CHECK_THAT(line_no.reason, Catch::Contains("1..100000"));
  CHECK_THAT(only_problem(type("invoice_lines"), with(line, "line_no", "1.5")).reason,
             Catch::Contains("whole number"));
  CHECK(only_problem(type("invoice_lines"), with(with(line, "line_no", "1"), "qty", "-1")).reason ==
        "is negative");
}

TEST_CASE("validation: to_workflow_json keeps money and quantities as exact decimal strings",
          "[unit][records]") {
  nlohmann::json data = {
      {"invoice_id", "I1"}, {"line_no", 2}, {"qty", "3.5"}, {"unit_price", "1000000000000000.01"}};
  nlohmann::json out = to_workflow_json(type("invoice_lines"), data);
  CHECK(out["qty"] == "3.5");
  CHECK(out["unit_price"] == "1000000000000000.01");  // a double would give 1e15
  CHECK(out["line_no"] == 2);
  CHECK(out["invoice_id"] == "I1");
}
