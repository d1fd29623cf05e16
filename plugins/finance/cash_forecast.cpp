#include "plugins/finance/cash_forecast.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <stdexcept>
#include <string_view>

#include "plugins/finance/records/decimal.h"

namespace ledgerflow::finance {
namespace {

constexpr double kMinSurvival = 1e-9;        // below: far overdue, all in week 0
constexpr double kZ90 = 1.2815515655446004;  // standard normal 90% quantile
constexpr double kMinSdDays = 1.0;
constexpr double kE4 = static_cast<double>(records::kE4);

// P(Z > z) for a standard normal, accurate far into both tails.
double survival(double z) {
  return 0.5 * std::erfc(z / std::numbers::sqrt2);
}

// An estimate in e4, rounded to whole cents (still in e4).
std::int64_t to_cents_e4(double e4) {
  constexpr double kE4PerCent = kE4 / 100.0;
  return std::llround(e4 / kE4PerCent) * (records::kE4 / 100);
}

// Sums for one currency, in e4: the estimates (mean, var) in floating point, the naive
// inflow and the outflow exact.
struct Sums {
  explicit Sums(int weeks) : mean(weeks), var(weeks), naive(weeks), outflow(weeks) {}
  std::vector<double> mean, var;  // var in e4^2
  std::vector<std::int64_t> naive, outflow;
  double beyond = 0;
  std::size_t ar_count = 0, ap_count = 0;
};

using SumsByCurrency = std::map<std::string, Sums, std::less<>>;

Sums& sums_for(SumsByCurrency& by_currency, std::string_view currency, int weeks) {
  auto it = by_currency.find(currency);
  if (it == by_currency.end()) it = by_currency.emplace(std::string(currency), Sums(weeks)).first;
  return it->second;
}

// The week a payment on `day` falls in: 0 when at or before as_of, -1 beyond the horizon.
int week_of(int day, int as_of_day, int weeks) {
  if (day <= as_of_day) return 0;
  const std::int64_t k = (std::int64_t{day} - as_of_day) / 7;
  return k < weeks ? static_cast<int>(k) : -1;
}

void add_inflow(Sums& s, const ArExpectation& inv, int as_of_day, int weeks) {
  const double amount = static_cast<double>(inv.outstanding_e4);
  const double late = std::isnan(inv.expected_days_late) ? 0.0 : inv.expected_days_late;
  const double sd = inv.sd_days >= kMinSdDays ? inv.sd_days : kMinSdDays;  // NaN -> 1
  const double mu = static_cast<double>(inv.due_day) + late;
  const double start = static_cast<double>(as_of_day) - 0.5;

  const double alive = survival((start - mu) / sd);
  if (!(alive >= kMinSurvival)) {  // far overdue (or NaN): the model says nothing useful
    s.mean[0] += amount;           // certain, so no variance
    return;
  }
  double left = alive;
  for (int k = 0; k < weeks; ++k) {
    const double right = survival((start + 7.0 * (k + 1) - mu) / sd);
    const double p = std::clamp((left - right) / alive, 0.0, 1.0);
    s.mean[k] += amount * p;
    s.var[k] += amount * amount * p * (1.0 - p);
    left = right;
  }
  s.beyond += amount * std::clamp(left / alive, 0.0, 1.0);
}

CurrencyForecast finish(const std::string& currency, const Sums& s, int as_of_day, int weeks) {
  CurrencyForecast out;
  out.currency = currency;
  out.beyond_horizon_e4 = to_cents_e4(s.beyond);
  out.open_invoices = s.ar_count;
  out.ap_invoices = s.ap_count;
  out.weeks.resize(weeks);
  for (int k = 0; k < weeks; ++k) {
    ForecastWeek& w = out.weeks[k];
    const double spread = kZ90 * std::sqrt(s.var[k]);
    w.start_day = as_of_day + 7 * k;
    w.inflow_e4 = to_cents_e4(s.mean[k]);
    w.inflow_p10_e4 = to_cents_e4(std::max(0.0, s.mean[k] - spread));
    w.inflow_p90_e4 = to_cents_e4(s.mean[k] + spread);
    w.naive_inflow_e4 = s.naive[k];
    w.outflow_e4 = s.outflow[k];
    w.net_e4 = w.inflow_e4 - w.outflow_e4;
  }
  return out;
}

}  // namespace

CashForecast forecast_cash(const std::vector<ArExpectation>& ar,
                           const std::vector<ApCommitment>& ap, int as_of_day, int weeks) {
  if (weeks < 1 || weeks > kMaxForecastWeeks) {
    throw std::invalid_argument("forecast weeks must be in 1.." +
                                std::to_string(kMaxForecastWeeks) + ", got " +
                                std::to_string(weeks));
  }
  SumsByCurrency by_currency;
  for (const auto& inv : ar) {
    if (inv.outstanding_e4 <= 0) continue;
    Sums& s = sums_for(by_currency, inv.currency, weeks);
    ++s.ar_count;
    add_inflow(s, inv, as_of_day, weeks);
    const int naive_week = week_of(inv.due_day, as_of_day, weeks);
    if (naive_week >= 0) s.naive[naive_week] += inv.outstanding_e4;
  }
  for (const auto& inv : ap) {
    if (inv.amount_e4 <= 0) continue;
    Sums& s = sums_for(by_currency, inv.currency, weeks);
    ++s.ap_count;
    const int week = week_of(inv.due_day, as_of_day, weeks);
    if (week >= 0) s.outflow[week] += inv.amount_e4;
  }

  CashForecast out;
  out.as_of_day = as_of_day;
  out.weeks = weeks;
  out.currencies.reserve(by_currency.size());
  for (const auto& [currency, sums] : by_currency) {
    out.currencies.push_back(finish(currency, sums, as_of_day, weeks));
  }
  return out;
}

double weekly_mape(const std::vector<double>& forecast, const std::vector<double>& actual) {
  const std::size_t n = std::min(forecast.size(), actual.size());
  double total = 0;
  std::size_t counted = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (!(actual[i] > 0)) continue;
    total += std::fabs(forecast[i] - actual[i]) / actual[i];
    ++counted;
  }
  if (counted == 0) return std::numeric_limits<double>::quiet_NaN();
  return 100.0 * total / static_cast<double>(counted);
}

}  // namespace ledgerflow::finance
