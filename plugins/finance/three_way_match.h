// The three-way match of an AP invoice: its lines against the purchase-order lines
// (price) and the goods receipts booked by the end of the invoice date (quantity), with
// tolerances from the workflow. Pure: the caller loads the records.
//
// A line is a discrepancy when it names no PO line (or one the PO lacks), when its unit
// price is off the PO price by more than BOTH the percent and the absolute tolerance, or
// when its quantity exceeds what was received by more than both quantity tolerances.
// Header checks: the invoice amount against the sum of its lines, the PO's currency and
// vendor against the invoice's. `discrepancy_count` counts lines with a problem plus
// header problems (the ap_invoice_risk feature match_discrepancy_count).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::finance {

struct MatchTolerances {
  double price_pct = 2.0;            // unit price may differ from the PO by this percent...
  std::int64_t price_abs_e4 = 0;     // ...or by this amount (per unit, e4), whichever is larger
  double qty_pct = 0.0;              // quantity may exceed the received quantity by this percent...
  std::int64_t qty_abs_e4 = 0;       // ...or by this many units (e4)
  double header_pct = 0.0;           // invoice amount vs the sum of its lines
  std::int64_t header_abs_e4 = 100;  // (rounding: 0.01)
};

struct MatchInvoiceLine {
  int line_no = 0;
  std::optional<int> po_line_no;
  std::int64_t qty_e4 = 0;
  std::int64_t unit_price_e4 = 0;
};

struct MatchPoLine {
  int line_no = 0;
  std::int64_t qty_e4 = 0;
  std::int64_t unit_price_e4 = 0;
  std::string currency;
  std::string vendor_id;
  std::int64_t received_e4 = 0;  // receipts booked before the end of the invoice date
};

struct MatchInput {
  std::string invoice_id, vendor_id, currency, po_number;
  std::int64_t amount_e4 = 0;
  std::vector<MatchInvoiceLine> lines;
  bool po_found = false;
  std::vector<MatchPoLine> po_lines;
};

// {status: matched|mismatch|po_not_found|no_lines, discrepancy_count, lines_checked,
//  discrepancies: [{line_no?, kind, expected, actual, difference, detail}]}
nlohmann::json three_way_match(const MatchInput& input, const MatchTolerances& tolerances);

}  // namespace ledgerflow::finance
