// The weekly cash-flow forecast behind GET /v1/forecast/cash?weeks=N, per currency (no FX
// conversion). Pure: the caller loads open AR invoices with the late-payment model's
// expectation, and the approved AP invoices.
//
// Inflows: an open AR invoice pays on day T ~ Normal(due_day + expected_days_late, sd_days),
// conditioned on T >= as_of (it is known to be unpaid at as_of). With day d covering
// [d - 0.5, d + 0.5), week k (days as_of + 7k .. as_of + 7k + 6) gets
//   p_k = [S(as_of + 7k - 0.5) - S(as_of + 7k + 6.5)] / S(as_of - 0.5)
// where S is the normal survival function (std::erfc, accurate in the tails), so the p_k
// plus the mass beyond the horizon sum to 1. When S(as_of - 0.5) < 1e-9 (far overdue,
// beyond what the model describes) the whole invoice goes to week 0. Weekly expected inflow
// is sum(outstanding x p_k); the P10/P90 band is a normal approximation of a sum of
// independent Bernoulli-like payments: var_k = sum(outstanding^2 x p_k x (1 - p_k)),
// P10 = max(0, mean - 1.2816 sd), P90 = mean + 1.2816 sd.
// The naive forecast (for comparison) pays each invoice on its due day, overdue ones in
// week 0. Outflows: AP invoices paid on their due day, overdue ones in week 0, no band.
// Invoices with a non-positive amount are ignored (nothing to collect or pay); amounts due
// beyond the horizon are not in any week (AR reports them as beyond_horizon).
//
// Cost: one pass, O(n x weeks) erfc calls, no allocation per invoice (only per currency).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "plugins/finance/records/ar_ledger.h"

namespace ledgerflow::finance {

inline constexpr int kMaxForecastWeeks = 52;

struct ArExpectation {
  std::string invoice_id, currency;
  int due_day = 0;  // days since 1970-01-01
  std::int64_t outstanding_e4 = 0;
  double expected_days_late = 0;  // model's mean; negative = early; NaN counts as 0
  double sd_days = 10;            // clamped to >= 1 (NaN counts as 1)
};

// An approved AP invoice (the ledger's view: records/ar_ledger.h).
using ApCommitment = records::ApCommitment;

// Amounts in e4 (records/decimal.h). The expected inflow and its band are probability-
// weighted estimates, computed in binary floating point and rounded to cents; the naive
// inflow and the outflow are exact sums of the ledger's amounts; net = inflow - outflow.
struct ForecastWeek {
  int start_day = 0;  // first day of the week (as_of + 7k)
  std::int64_t inflow_e4 = 0, inflow_p10_e4 = 0, inflow_p90_e4 = 0;
  std::int64_t naive_inflow_e4 = 0;
  std::int64_t outflow_e4 = 0;
  std::int64_t net_e4 = 0;
};

struct CurrencyForecast {
  std::string currency;
  std::vector<ForecastWeek> weeks;
  std::int64_t beyond_horizon_e4 = 0;  // expected AR inflow after the last week, to cents
  std::size_t open_invoices = 0;       // AR invoices counted (outstanding > 0)
  std::size_t ap_invoices = 0;         // AP invoices counted (amount > 0)
};

struct CashForecast {
  int as_of_day = 0;
  int weeks = 0;
  std::vector<CurrencyForecast> currencies;  // sorted by currency code
};

// weeks must be in 1..52, else std::invalid_argument naming the value (the API checks the
// query parameter first; reaching this with a bad value is a caller bug).
CashForecast forecast_cash(const std::vector<ArExpectation>& ar,
                           const std::vector<ApCommitment>& ap, int as_of_day, int weeks);

// Backtest helper: mean absolute percentage error, in percent (10.0 = 10%), of forecast
// against actual over the weeks whose actual is > 0 (and that both vectors have); NaN when
// no week has an actual.
double weekly_mape(const std::vector<double>& forecast, const std::vector<double>& actual);

}  // namespace ledgerflow::finance
