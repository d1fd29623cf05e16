// gen-data's library (plugins/finance/datagen/datagen.h): byte-identical files for the same seed,
// docs/record_formats.md's exact column names, label base rates within realistic bounds.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>

#include "plugins/finance/datagen/datagen.h"
#include "plugins/ml/csv_writer.h"
#include "support/generated_csv.h"

using namespace ledgerflow::datagen;
using test::TempDir;

namespace {

GenSummary generate_ok(Kind kind, std::size_t rows, std::uint64_t seed, const std::string& dir) {
  auto summary = generate({kind, rows, seed, dir});
  INFO((summary ? "" : summary.error().message));
  REQUIRE(summary.ok());
  return *summary;
}

double rate(const GenSummary& s, const std::string& label) {
  for (const auto& [name, value] : s.label_rates) {
    if (name == label) return value;
  }
  FAIL("no label rate " << label);
  return -1;
}

std::vector<std::string> header_of(const std::string& path) {
  return test::read_csv(path).header;
}

}  // namespace

TEST_CASE("gen-data: the same seed gives byte-identical files, another seed other files",
          "[datagen]") {
  TempDir dir;
  for (Kind kind : {Kind::ap, Kind::ar, Kind::o2c, Kind::payments}) {
    std::string k(kind_name(kind));
    INFO("kind " << k);
    auto a = generate_ok(kind, 2000, 42, dir.path(k + "/a"));
    auto b = generate_ok(kind, 2000, 42, dir.path(k + "/b"));
    auto c = generate_ok(kind, 2000, 43, dir.path(k + "/c"));
    REQUIRE(a.files.size() == b.files.size());
    bool any_differs = false;
    for (std::size_t i = 0; i < a.files.size(); ++i) {
      auto name = std::filesystem::path(a.files[i].path).filename().string();
      INFO(name);
      std::string text = test::slurp(a.files[i].path);
      CHECK(!text.empty());
      CHECK(text == test::slurp(b.files[i].path));
      any_differs = any_differs || text != test::slurp(c.files[i].path);
    }
    CHECK(any_differs);
  }
}

TEST_CASE("gen-data: files carry the documented column names", "[datagen]") {
  TempDir dir;
  generate_ok(Kind::ap, 500, 1, dir.path("ap"));
  generate_ok(Kind::ar, 500, 1, dir.path("ar"));
  generate_ok(Kind::o2c, 500, 1, dir.path("o2c"));
  generate_ok(Kind::payments, 500, 1, dir.path("payments"));
  using V = std::vector<std::string>;
  CHECK(header_of(dir.path("ap/vendors.csv")) ==
        V{"vendor_id", "name", "country", "iban", "tax_id", "created_at", "bank_changed_at"});
  CHECK(header_of(dir.path("ap/purchase_orders.csv")) ==
        V{"po_number", "vendor_id", "line_no", "item", "qty", "unit_price", "currency"});
  CHECK(header_of(dir.path("ap/receipts.csv")) ==
        V{"receipt_id", "po_number", "line_no", "qty_received", "received_at"});
  CHECK(header_of(dir.path("ap/invoices.csv")) ==
        V{"invoice_id", "vendor_id", "invoice_number", "invoice_date", "due_date", "currency",
          "amount", "po_number", "submitted_by", "label_duplicate_of", "label_error"});
  CHECK(header_of(dir.path("ap/invoice_lines.csv")) ==
        V{"invoice_id", "line_no", "po_line_no", "qty", "unit_price"});
  CHECK(header_of(dir.path("payments/outgoing_payments.csv")) ==
        V{"payment_id", "vendor_id", "amount", "currency", "iban", "requested_by", "requested_at",
          "label_fraud"});
  CHECK(header_of(dir.path("ar/customers.csv")) == V{"customer_id", "name", "country",
                                                     "credit_limit", "currency",
                                                     "payment_terms_days", "created_at"});
  CHECK(header_of(dir.path("ar/ar_invoices.csv")) ==
        V{"invoice_id", "customer_id", "invoice_number", "invoice_date", "due_date", "currency",
          "amount", "disputed", "disputed_at", "label_days_late"});
  CHECK(header_of(dir.path("ar/incoming_payments.csv")) ==
        V{"payment_id", "customer_id", "amount", "currency", "received_at", "reference"});
  CHECK(header_of(dir.path("o2c/orders.csv")) ==
        V{"order_id", "customer_id", "order_date", "currency", "amount", "label_default"});
  // Amounts are decimal strings with exactly two decimals.
  for (const auto& row : test::read_csv(dir.path("ap/invoices.csv")).rows) {
    const auto& amount = row.at("amount");
    REQUIRE(amount.size() > 3);
    CHECK(amount[amount.size() - 3] == '.');
  }
}

TEST_CASE("gen-data: label base rates are realistic", "[datagen]") {
  TempDir dir;
  auto ap = generate_ok(Kind::ap, 20000, 7, dir.path("ap"));
  CHECK(rate(ap, "label_duplicate") >= 0.02);
  CHECK(rate(ap, "label_duplicate") <= 0.05);
  CHECK(rate(ap, "label_error") >= 0.02);
  CHECK(rate(ap, "label_error") <= 0.05);
  CHECK(rate(ap, "label_split") >= 0.005);
  CHECK(rate(ap, "label_split") <= 0.02);
  auto payments = generate_ok(Kind::payments, 20000, 7, dir.path("payments"));
  CHECK(rate(payments, "label_fraud") >= 0.01);
  CHECK(rate(payments, "label_fraud") <= 0.03);
  auto ar = generate_ok(Kind::ar, 20000, 7, dir.path("ar"));
  CHECK(rate(ar, "label_late") >= 0.25);
  CHECK(rate(ar, "label_late") <= 0.6);
  auto o2c = generate_ok(Kind::o2c, 20000, 7, dir.path("o2c"));
  CHECK(rate(o2c, "label_default") >= 0.01);
  CHECK(rate(o2c, "label_default") <= 0.06);
  // features.csv has one row per scored item.
  CHECK(test::read_csv(dir.path("ap/features.csv")).rows.size() == 20000);
  CHECK(test::read_csv(dir.path("o2c/features.csv")).rows.size() == 20000);
}

TEST_CASE("gen-data: rows out of range and unknown kinds are refused", "[datagen]") {
  TempDir dir;
  auto few = generate({Kind::ap, 10, 1, dir.path("x")});
  REQUIRE_FALSE(few.ok());
  CHECK(few.error().code == ledgerflow::ErrorCode::invalid_argument);
  CHECK_THAT(few.error().message, Catch::Contains("--rows"));
  CHECK_FALSE(parse_kind("gl"));
  CHECK(parse_kind("payments") == Kind::payments);
}

TEST_CASE("gen-data: money and feature number formats", "[datagen]") {
  CHECK(format_cents(123456) == "1234.56");
  CHECK(format_cents(5) == "0.05");
  CHECK(format_cents(-5) == "-0.05");
  CHECK(format_cents(0) == "0.00");
  CHECK(format_number(std::nan("")) == "");
  CHECK(format_number(3.0) == "3");
  CHECK(format_number(0.25) == "0.25");
  CHECK(format_number(1.0 / 3.0) == "0.333333");
  CHECK(format_number(-2.5e-8) == "0");
}
