#include "plugins/finance/collections.h"

#include <algorithm>

namespace ledgerflow::finance {
namespace {

constexpr std::size_t kPage = 5000;
constexpr double kDefaultSdDays = 10;

// Calls `each` for every open AR invoice, in id order, up to `max_open`.
template <typename Each>
Result<bool> for_each_open(records::ArLedger& ledger, std::size_t max_open, std::size_t& count,
                           Each each) {
  std::string after;
  for (;;) {
    auto page = ledger.open_ar_page(after, kPage);
    if (!page) return page.error();
    for (const auto& s : *page) {
      if (count >= max_open) return true;
      ++count;
      each(s);
    }
    if (page->size() < kPage) return false;
    after = page->back().invoice_id;
  }
}

}  // namespace

Result<Worklist> build_worklist(records::ArLedger& ledger, const WorklistQuery& q) {
  Worklist out;
  std::vector<std::string> collectors = q.collectors;
  std::sort(collectors.begin(), collectors.end());
  collectors.erase(std::unique(collectors.begin(), collectors.end()), collectors.end());
  auto truncated =
      for_each_open(ledger, q.max_open, out.open_invoices, [&](const records::ArInvoiceState& s) {
        if (!q.currency.empty() && s.currency != q.currency) return;
        if (!q.include_disputed && s.in_dispute()) return;
        std::string collector = assign_collector(s.customer_id, collectors);
        if (!q.collector.empty() && collector != q.collector) return;
        WorklistItem item;
        item.invoice_id = s.invoice_id;
        item.customer_id = s.customer_id;
        item.invoice_number = s.invoice_number;
        item.currency = s.currency;
        item.due_day = s.due_day;
        item.outstanding_e4 = s.outstanding_e4();
        item.scored = s.p_late.has_value();
        item.p_late = s.p_late.value_or(0.5);
        item.expected_days_late = s.expected_days_late.value_or(0);
        item.dunning_level = s.dunning_level;
        item.promised_day = s.promised_day;
        item.disputed = s.in_dispute();
        item.collector = std::move(collector);
        out.items.push_back(std::move(item));
      });
  if (!truncated) return truncated.error();
  out.truncated = *truncated;
  rank_worklist(out.items, q.as_of_day, q.policy);
  return out;
}

Result<ForecastResult> build_forecast(records::ArLedger& ledger, int as_of_day, int weeks,
                                      std::size_t max_open) {
  if (weeks < 1 || weeks > kMaxForecastWeeks) {
    return Error::invalid("weeks must be an integer from 1 to " +
                          std::to_string(kMaxForecastWeeks) + ", got " + std::to_string(weeks));
  }
  std::vector<ArExpectation> ar;
  std::size_t count = 0;
  auto truncated = for_each_open(ledger, max_open, count, [&](const records::ArInvoiceState& s) {
    ar.push_back({s.invoice_id, s.currency, s.due_day, s.outstanding_e4(),
                  s.expected_days_late.value_or(0), s.sd_days_late.value_or(kDefaultSdDays)});
  });
  if (!truncated) return truncated.error();
  auto posted = ledger.ap_commitments(as_of_day, as_of_day + 7 * weeks - 1, max_open);
  if (!posted) return posted.error();
  ForecastResult out;
  out.forecast = forecast_cash(ar, *posted, as_of_day, weeks);
  out.truncated = *truncated || posted->size() >= max_open;
  return out;
}

}  // namespace ledgerflow::finance
