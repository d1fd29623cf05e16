#include "plugins/finance/three_way_match.h"

#include <cmath>
#include <map>

#include "plugins/finance/records/decimal.h"

namespace ledgerflow::finance {
namespace {

using records::format_e4;

// |actual - expected| beyond both tolerances: the absolute one (e4) compared exactly, the
// percent of expected (a ratio, not an amount) in long double.
bool beyond(std::int64_t actual, std::int64_t expected, double pct, std::int64_t abs_e4) {
  const std::int64_t diff = actual >= expected ? actual - expected : expected - actual;
  if (diff <= abs_e4) return false;
  const long double pct_limit = std::fabs(static_cast<long double>(expected)) * pct / 100.0L;
  return static_cast<long double>(diff) > pct_limit + 1e-9L;
}

nlohmann::json problem(std::optional<int> line_no, const char* kind, const std::string& expected,
                       const std::string& actual, const std::string& difference,
                       std::string detail) {
  nlohmann::json j = {{"kind", kind},
                      {"expected", expected},
                      {"actual", actual},
                      {"difference", difference},
                      {"detail", std::move(detail)}};
  if (line_no) j["line_no"] = *line_no;
  return j;
}

}  // namespace

nlohmann::json three_way_match(const MatchInput& in, const MatchTolerances& tol) {
  nlohmann::json discrepancies = nlohmann::json::array();
  std::size_t count = 0;
  if (!in.po_found) {
    discrepancies.push_back(problem(std::nullopt, "po_not_found", in.po_number, "", "",
                                    "purchase order " + in.po_number + " is not on file"));
    return {{"status", "po_not_found"},
            {"po_number", in.po_number},
            {"discrepancy_count", std::max<std::size_t>(1, in.lines.size())},
            {"lines_checked", 0},
            {"discrepancies", std::move(discrepancies)}};
  }
  std::map<int, const MatchPoLine*> po;
  for (const auto& l : in.po_lines) po[l.line_no] = &l;
  if (!in.po_lines.empty()) {
    const MatchPoLine& first = in.po_lines.front();
    if (!first.currency.empty() && first.currency != in.currency) {
      ++count;
      discrepancies.push_back(
          problem(std::nullopt, "currency", first.currency, in.currency, "",
                  "the PO is in " + first.currency + ", the invoice in " + in.currency));
    }
    if (!first.vendor_id.empty() && first.vendor_id != in.vendor_id) {
      ++count;
      discrepancies.push_back(problem(std::nullopt, "vendor", first.vendor_id, in.vendor_id, "",
                                      "the PO was issued to vendor " + first.vendor_id));
    }
  }
  std::int64_t lines_total_e4 = 0;
  for (const auto& line : in.lines) {
    // qty * price in e4: (qty_e4 * price_e4) / 1e4, computed without overflow for real sizes.
    lines_total_e4 += static_cast<std::int64_t>(
        std::llround(static_cast<long double>(line.qty_e4) * line.unit_price_e4 / records::kE4));
    const MatchPoLine* p = nullptr;
    if (line.po_line_no) {
      auto it = po.find(*line.po_line_no);
      if (it != po.end()) p = it->second;
    }
    if (p == nullptr) {
      ++count;
      discrepancies.push_back(problem(
          line.line_no, "no_po_line", line.po_line_no ? std::to_string(*line.po_line_no) : "", "",
          "",
          line.po_line_no ? "PO line " + std::to_string(*line.po_line_no) + " does not exist"
                          : "the line names no PO line"));
      continue;
    }
    bool bad = false;
    if (beyond(line.unit_price_e4, p->unit_price_e4, tol.price_pct, tol.price_abs_e4)) {
      bad = true;
      const double pct = p->unit_price_e4 == 0
                             ? 100.0
                             : 100.0 * static_cast<double>(line.unit_price_e4 - p->unit_price_e4) /
                                   static_cast<double>(p->unit_price_e4);
      char buf[64];
      std::snprintf(buf, sizeof(buf), "%+.2f%%", pct);
      discrepancies.push_back(problem(line.line_no, "price", format_e4(p->unit_price_e4),
                                      format_e4(line.unit_price_e4),
                                      format_e4(line.unit_price_e4 - p->unit_price_e4),
                                      std::string("unit price ") + buf + " against the PO"));
    }
    const std::int64_t allowed_over = std::max(
        static_cast<std::int64_t>(static_cast<long double>(p->received_e4) * tol.qty_pct / 100.0L),
        tol.qty_abs_e4);
    if (line.qty_e4 > p->received_e4 + allowed_over) {
      bad = true;
      discrepancies.push_back(problem(line.line_no, "quantity", format_e4(p->received_e4),
                                      format_e4(line.qty_e4),
                                      format_e4(line.qty_e4 - p->received_e4),
                                      "billed more than was received by the invoice date"));
    }
    count += bad ? 1 : 0;
  }
  if (!in.lines.empty() &&
      beyond(in.amount_e4, lines_total_e4, tol.header_pct, tol.header_abs_e4)) {
    ++count;
    discrepancies.push_back(problem(std::nullopt, "header_amount", format_e4(lines_total_e4),
                                    format_e4(in.amount_e4),
                                    format_e4(in.amount_e4 - lines_total_e4),
                                    "the invoice amount is not the sum of its lines"));
  }
  const char* status = in.lines.empty() ? "no_lines" : count == 0 ? "matched" : "mismatch";
  if (in.lines.empty()) {
    ++count;
    discrepancies.push_back(
        problem(std::nullopt, "no_lines", "", "", "", "the invoice has no lines to match"));
  }
  return {{"status", status},
          {"po_number", in.po_number},
          {"discrepancy_count", count},
          {"lines_checked", in.lines.size()},
          {"discrepancies", std::move(discrepancies)}};
}

}  // namespace ledgerflow::finance
