// The pure three-way match (plugins/finance/three_way_match.h): invoice lines against PO
// prices and received quantities, with tolerances, and the header checks.
#include <catch2/catch.hpp>

#include "plugins/finance/three_way_match.h"

using namespace ledgerflow::finance;

namespace {

constexpr std::int64_t kE4 = 10'000;

MatchInput base() {
  MatchInput in;
  in.invoice_id = "I1";
  in.vendor_id = "V1";
  in.currency = "EUR";
  in.po_number = "PO1";
  in.po_found = true;
  in.po_lines = {{1, 10 * kE4, 100 * kE4, "EUR", "V1", 10 * kE4},
                 {2, 5 * kE4, 20 * kE4, "EUR", "V1", 5 * kE4}};
  in.lines = {{1, 1, 10 * kE4, 100 * kE4}, {2, 2, 5 * kE4, 20 * kE4}};
  in.amount_e4 = 1100 * kE4;
  return in;
}

std::vector<std::string> kinds(const nlohmann::json& result) {
  std::vector<std::string> out;
  for (const auto& d : result["discrepancies"]) out.push_back(d["kind"].get<std::string>());
  return out;
}

}  // namespace

TEST_CASE("three-way match: an invoice matching its PO and receipts", "[unit][finance]") {
  auto r = three_way_match(base(), MatchTolerances{});
  INFO(r.dump(2));
  CHECK(r["status"] == "matched");
  CHECK(r["discrepancy_count"] == 0);
  CHECK(r["lines_checked"] == 2);
  CHECK(r["po_number"] == "PO1");
  CHECK(r["discrepancies"].empty());
}

TEST_CASE("three-way match: unit price beyond the 2% tolerance, and within it", "[unit][finance]") {
  MatchInput in = base();
  in.lines[0].unit_price_e4 = 102 * kE4;  // exactly 2%: within
  in.amount_e4 = 1120 * kE4;
  CHECK(three_way_match(in, MatchTolerances{})["status"] == "matched");
  in.lines[0].unit_price_e4 = 98 * kE4;  // 2% below: within
  in.amount_e4 = 1080 * kE4;
  CHECK(three_way_match(in, MatchTolerances{})["status"] == "matched");

  in.lines[0].unit_price_e4 = 1'020'100;  // 102.01: beyond
  in.amount_e4 = 10 * 1'020'100 + 100 * kE4;
  auto r = three_way_match(in, MatchTolerances{});
  INFO(r.dump(2));
  CHECK(r["status"] == "mismatch");
  CHECK(r["discrepancy_count"] == 1);
  REQUIRE(r["discrepancies"].size() == 1);
  const auto& d = r["discrepancies"][0];
  CHECK(d["kind"] == "price");
  CHECK(d["line_no"] == 1);
  CHECK(d["expected"] == "100.00");
  CHECK(d["actual"] == "102.01");
  CHECK(d["difference"] == "2.01");
  CHECK_THAT(d["detail"].get<std::string>(), Catch::Contains("+2.01%"));

  // A wider tolerance accepts it; an absolute one per unit too.
  MatchTolerances wide;
  wide.price_pct = 5;
  CHECK(three_way_match(in, wide)["status"] == "matched");
  MatchTolerances absolute;
  absolute.price_pct = 0;
  absolute.price_abs_e4 = 25000;  // 2.50
  CHECK(three_way_match(in, absolute)["status"] == "matched");
  absolute.price_abs_e4 = 20000;
  CHECK(three_way_match(in, absolute)["status"] == "mismatch");
}

TEST_CASE("three-way match: quantity billed above the quantity received", "[unit][finance]") {
  MatchInput in = base();
  in.po_lines[0].received_e4 = 8 * kE4;  // 10 ordered, 8 received, 10 billed
  auto r = three_way_match(in, MatchTolerances{});
  INFO(r.dump(2));
  CHECK(r["status"] == "mismatch");
  CHECK(r["discrepancy_count"] == 1);
  const auto& d = r["discrepancies"][0];
  CHECK(d["kind"] == "quantity");
  CHECK(d["expected"] == "8.00");
  CHECK(d["actual"] == "10.00");
  CHECK(d["difference"] == "2.00");

  MatchTolerances abs;
  abs.qty_abs_e4 = 20000;
  CHECK(three_way_match(in, abs)["status"] == "matched");
  MatchTolerances pct;
  pct.qty_pct = 25;  // 25% of 8 = 2
  CHECK(three_way_match(in, pct)["status"] == "matched");
  pct.qty_pct = 20;
  CHECK(three_way_match(in, pct)["status"] == "mismatch");

  // Price and quantity wrong on one line count once.
  in.lines[0].unit_price_e4 = 150 * kE4;
  in.amount_e4 = 1500 * kE4 + 100 * kE4;
  auto both = three_way_match(in, MatchTolerances{});
  CHECK(both["discrepancy_count"] == 1);
  CHECK(kinds(both) == std::vector<std::string>{"price", "quantity"});

  // Nothing received yet.
  MatchInput none = base();
  none.po_lines[1].received_e4 = 0;
  auto r2 = three_way_match(none, MatchTolerances{});
  CHECK(r2["discrepancy_count"] == 1);
  CHECK(r2["discrepancies"][0]["line_no"] == 2);
}

TEST_CASE("three-way match: lines without a PO line, PO not found, no lines", "[unit][finance]") {
  MatchInput in = base();
  in.lines.push_back({3, std::nullopt, kE4, kE4});
  in.lines.push_back({4, 9, kE4, kE4});
  in.amount_e4 = 1102 * kE4;
  auto r = three_way_match(in, MatchTolerances{});
  INFO(r.dump(2));
  CHECK(r["status"] == "mismatch");
  CHECK(r["discrepancy_count"] == 2);
  CHECK(kinds(r) == std::vector<std::string>{"no_po_line", "no_po_line"});
  CHECK_THAT(r["discrepancies"][0]["detail"].get<std::string>(), Catch::Contains("names no PO"));
  CHECK_THAT(r["discrepancies"][1]["detail"].get<std::string>(),
             Catch::Contains("PO line 9 does not exist"));

  MatchInput missing = base();
  missing.po_found = false;
  missing.po_lines.clear();
  auto m = three_way_match(missing, MatchTolerances{});
  CHECK(m["status"] == "po_not_found");
  CHECK(m["discrepancy_count"] == 2);  // every line is unmatched
  CHECK(m["lines_checked"] == 0);
  CHECK(kinds(m) == std::vector<std::string>{"po_not_found"});

  MatchInput empty = base();
  empty.lines.clear();
  auto e = three_way_match(empty, MatchTolerances{});
  CHECK(e["status"] == "no_lines");
  CHECK(e["discrepancy_count"] == 1);
}

TEST_CASE("three-way match: header amount, currency and vendor", "[unit][finance]") {
  MatchInput in = base();
  in.amount_e4 = 1100 * kE4 + 100;  // 1100.01: within the 0.01 rounding tolerance
  CHECK(three_way_match(in, MatchTolerances{})["status"] == "matched");
  in.amount_e4 = 1150 * kE4;
  auto r = three_way_match(in, MatchTolerances{});
  INFO(r.dump(2));
  CHECK(r["status"] == "mismatch");
  CHECK(r["discrepancy_count"] == 1);
  CHECK(r["discrepancies"][0]["kind"] == "header_amount");
  CHECK(r["discrepancies"][0]["expected"] == "1100.00");
  CHECK(r["discrepancies"][0]["difference"] == "50.00");
  MatchTolerances loose;
  loose.header_abs_e4 = 500000;
  CHECK(three_way_match(in, loose)["status"] == "matched");

  MatchInput other = base();
  other.currency = "USD";
  other.vendor_id = "V2";
  auto o = three_way_match(other, MatchTolerances{});
  CHECK(o["discrepancy_count"] == 2);
  CHECK(kinds(o) == std::vector<std::string>{"currency", "vendor"});

  // Fractional quantities and prices sum exactly (3.5 x 19.99 = 69.965).
  MatchInput frac = base();
  frac.po_lines = {{1, 35'000, 199'900, "EUR", "V1", 35'000}};
  frac.lines = {{1, 1, 35'000, 199'900}};
  frac.amount_e4 = 699'650;
  CHECK(three_way_match(frac, MatchTolerances{})["status"] == "matched");
}
