// The collections worklist and the cash-flow forecast computed from an ArLedger: what
// GET /v1/collections/worklist and GET /v1/forecast/cash answer, and what the AR
// scenario test and bench/ar_bench measure.
//
// Both read every open AR invoice (paged by id, at most `max_open`; `truncated` says when
// there were more) and recompute from scratch on each call, so the answer follows the
// clock (invoices age) and the ledger (payments applied) without a background job.
// Thread-safety: stateless functions; the ledger is thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "engine/common/result.h"
#include "plugins/finance/records/ar_ledger.h"
#include "plugins/finance/cash_forecast.h"
#include "plugins/finance/collections_priority.h"

namespace ledgerflow::finance {

inline constexpr std::size_t kMaxOpenInvoices = 2'000'000;

struct WorklistQuery {
  int as_of_day = 0;
  std::string collector;                // only this collector's customers ("" all)
  std::string currency;                 // only this currency ("" all)
  std::vector<std::string> collectors;  // everyone who collects (assignment)
  bool include_disputed = false;
  std::size_t max_open = kMaxOpenInvoices;
  PriorityPolicy policy;
};

struct Worklist {
  std::vector<WorklistItem> items;  // ranked, highest priority first
  std::size_t open_invoices = 0;    // read from the ledger (before filters)
  bool truncated = false;
};

Result<Worklist> build_worklist(records::ArLedger& ledger, const WorklistQuery& query);

struct ForecastResult {
  CashForecast forecast;
  bool truncated = false;
};

// Inflows from open AR invoices (their recorded risk: expected days late and its sd;
// unscored ones pay on the due date with a 10-day sd), outflows from AP invoices posted
// to the journal and due from `as_of_day` to the end of the horizon.
Result<ForecastResult> build_forecast(records::ArLedger& ledger, int as_of_day, int weeks,
                                      std::size_t max_open = kMaxOpenInvoices);

}  // namespace ledgerflow::finance
