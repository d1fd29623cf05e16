// The weekly cash-flow forecast (plugins/finance/cash_forecast.h): truncated-normal payment
// days per open AR invoice, the P10/P90 band, the naive due-day forecast, AP outflows, and a
// seeded simulation checking the forecast beats the naive one on weekly MAPE.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "plugins/finance/cash_forecast.h"

using namespace ledgerflow::finance;

namespace {

// An e4 amount in currency units, for the approximate checks (exact ones compare e4).
double units(std::int64_t e4) {
  return static_cast<double>(e4) / 10000.0;
}

constexpr std::int64_t kE4 = 10'000;
constexpr int kAsOf = 20'000;  // 2024-10-04

ArExpectation ar(const std::string& id, double amount, int due_day, double late = 0, double sd = 10,
                 const std::string& currency = "EUR") {
  return {id, currency, due_day, static_cast<std::int64_t>(std::llround(amount * kE4)), late, sd};
}

ApCommitment ap(const std::string& id, double amount, int due_day,
                const std::string& currency = "EUR") {
  return {id, currency, due_day, static_cast<std::int64_t>(std::llround(amount * kE4))};
}

const CurrencyForecast& only(const CashForecast& f) {
  REQUIRE(f.currencies.size() == 1);
  return f.currencies[0];
}

double total_inflow(const CurrencyForecast& c) {
  double sum = 0;
  for (const auto& w : c.weeks) sum += units(w.inflow_e4);
  return sum;
}

// Platform-independent draws: mt19937_64's output is fixed by the standard, the
// <random> distributions are not, so uniforms and normals are made here.
struct Draws {
  std::mt19937_64 gen;
  explicit Draws(std::uint64_t seed) : gen(seed) {}
  double uniform() { return static_cast<double>(gen() >> 11) * 0x1.0p-53; }  // [0, 1)
  int between(int lo, int hi) { return lo + static_cast<int>(gen() % (hi - lo + 1)); }
  double normal() {                     // Box-Muller
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.141592653589793 * u2);
  }
};

}  // namespace

TEST_CASE("cash forecast: an invoice with a small sd lands in its week", "[unit][finance]") {
  // Due on day 10 of the horizon: week 1 covers days 7..13, i.e. [6.5, 13.5).
  auto f = forecast_cash({ar("I1", 1000, kAsOf + 10, 0, 1)}, {}, kAsOf, 4);
  CHECK(f.as_of_day == kAsOf);
  CHECK(f.weeks == 4);
  const auto& c = only(f);
  CHECK(c.currency == "EUR");
  CHECK(c.open_invoices == 1);
  REQUIRE(c.weeks.size() == 4);
  for (int k = 0; k < 4; ++k) CHECK(c.weeks[k].start_day == kAsOf + 7 * k);
  CHECK(units(c.weeks[1].inflow_e4) == Approx(1000).margin(1));  // P(|Z| < 3.5) = 0.99953
  CHECK(units(c.weeks[0].inflow_e4) == Approx(0).margin(0.5));
  CHECK(units(c.weeks[2].inflow_e4) == Approx(0).margin(0.5));
  CHECK(units(c.weeks[1].naive_inflow_e4) == 1000);
  CHECK(units(c.weeks[0].naive_inflow_e4) == 0);
  CHECK(units(c.beyond_horizon_e4) == 0);

  // Expected lateness moves it: 7 days late -> day 17, week 2 (days 14..20).
  auto late = forecast_cash({ar("I1", 1000, kAsOf + 10, 7, 1)}, {}, kAsOf, 4);
  CHECK(units(only(late).weeks[2].inflow_e4) == Approx(1000).margin(1));
  CHECK(units(only(late).weeks[1].naive_inflow_e4) == 1000);  // naive ignores the model
}

TEST_CASE("cash forecast: weekly probabilities and beyond_horizon sum to the amount",
          "[unit][finance]") {
  SECTION("nearly all within a year") {
    auto f = forecast_cash({ar("I1", 1000, kAsOf + 100, 20, 30)}, {}, kAsOf, 52);
    const auto& c = only(f);
    CHECK(total_inflow(c) + units(c.beyond_horizon_e4) == Approx(1000).margin(0.3));
    CHECK(units(c.beyond_horizon_e4) == Approx(0).margin(0.01));
  }
  SECTION("a good part beyond a 13-week horizon") {
    auto f = forecast_cash({ar("I1", 1000, kAsOf + 90, 0, 20)}, {}, kAsOf, 13);
    const auto& c = only(f);
    CHECK(units(c.beyond_horizon_e4) > 300);  // horizon ends on day 90.5: about half
    CHECK(units(c.beyond_horizon_e4) < 700);
    CHECK(total_inflow(c) + units(c.beyond_horizon_e4) == Approx(1000).margin(0.1));
  }
}

TEST_CASE("cash forecast: an unpaid overdue invoice pays at or after as_of", "[unit][finance]") {
  // Mean 10 days before as_of: all mass is conditioned onto as_of and later.
  auto f = forecast_cash({ar("I1", 1000, kAsOf - 10, 0, 10)}, {}, kAsOf, 13);
  const auto& c = only(f);
  CHECK(total_inflow(c) + units(c.beyond_horizon_e4) == Approx(1000).margin(0.1));
  CHECK(units(c.weeks[0].inflow_e4) > 600);  // (Phi(1.65) - Phi(0.95)) / (1 - Phi(0.95)) = 0.71
  CHECK(units(c.weeks[0].inflow_e4) > units(c.weeks[1].inflow_e4));
  CHECK(units(c.weeks[1].inflow_e4) > units(c.weeks[2].inflow_e4));
  CHECK(units(c.weeks[0].naive_inflow_e4) == 1000);  // naive: overdue in week 0
}

TEST_CASE("cash forecast: far overdue beyond the model goes to week 0", "[unit][finance]") {
  auto f = forecast_cash({ar("I1", 1234.56, kAsOf - 200, 5, 10)}, {}, kAsOf, 13);
  const auto& c = only(f);
  CHECK(units(c.weeks[0].inflow_e4) == 1234.56);
  CHECK(units(c.weeks[0].inflow_p10_e4) == 1234.56);  // certain: no band
  CHECK(units(c.weeks[0].inflow_p90_e4) == 1234.56);
  CHECK(units(c.weeks[0].naive_inflow_e4) == 1234.56);
  for (int k = 1; k < 13; ++k) CHECK(units(c.weeks[k].inflow_e4) == 0);
  CHECK(units(c.beyond_horizon_e4) == 0);

  // Non-finite model output does not poison the sums.
  auto odd = forecast_cash({ar("N", 100, kAsOf + 3, std::nan(""), std::nan(""))}, {}, kAsOf, 2);
  CHECK(units(only(odd).weeks[0].inflow_e4) == Approx(100).margin(0.1));  // late 0, sd 1 -> day 3
}

TEST_CASE("cash forecast: naive forecast pays on the due day", "[unit][finance]") {
  auto f =
      forecast_cash({ar("a", 100, kAsOf - 30), ar("b", 200, kAsOf), ar("c", 300, kAsOf + 6),
                     ar("d", 400, kAsOf + 7), ar("e", 500, kAsOf + 20), ar("f", 600, kAsOf + 21)},
                    {}, kAsOf, 3);
  const auto& c = only(f);
  CHECK(c.open_invoices == 6);
  CHECK(units(c.weeks[0].naive_inflow_e4) == 600);  // a (overdue), b (today), c (day 6)
  CHECK(units(c.weeks[1].naive_inflow_e4) == 400);
  CHECK(units(c.weeks[2].naive_inflow_e4) == 500);  // f (day 21) is beyond 3 weeks
}

TEST_CASE("cash forecast: the band holds the mean, wider for one big invoice", "[unit][finance]") {
  auto one = forecast_cash({ar("big", 1'000'000, kAsOf + 10)}, {}, kAsOf, 4);
  std::vector<ArExpectation> many;
  for (int i = 0; i < 1000; ++i) many.push_back(ar("s" + std::to_string(i), 1000, kAsOf + 10));
  auto spread = forecast_cash(many, {}, kAsOf, 4);

  const auto& big = only(one);
  const auto& small = only(spread);
  for (int k = 0; k < 4; ++k) {
    INFO("week " << k);
    for (const auto* c : {&big, &small}) {
      CHECK(units(c->weeks[k].inflow_p10_e4) <= units(c->weeks[k].inflow_e4));
      CHECK(units(c->weeks[k].inflow_e4) <= units(c->weeks[k].inflow_p90_e4));
      CHECK(units(c->weeks[k].inflow_p10_e4) >= 0);
    }
    CHECK(units(big.weeks[k].inflow_e4) == Approx(units(small.weeks[k].inflow_e4)).margin(0.5));
  }
  // Same total, 1000 independent parts: the band narrows by sqrt(1000).
  const double wide = units(big.weeks[1].inflow_p90_e4) - units(big.weeks[1].inflow_e4);
  const double narrow = units(small.weeks[1].inflow_p90_e4) - units(small.weeks[1].inflow_e4);
  CHECK(wide > 100'000);
  CHECK(wide / narrow == Approx(std::sqrt(1000.0)).epsilon(0.01));
  // P10 clipped at zero where the sd exceeds the mean.
  CHECK(units(big.weeks[3].inflow_p10_e4) == 0);
}

TEST_CASE("cash forecast: currencies kept apart and sorted", "[unit][finance]") {
  auto f = forecast_cash({ar("u", 100, kAsOf + 3, 0, 1, "USD"), ar("e", 200, kAsOf + 3, 0, 1),
                          ar("c", 300, kAsOf + 3, 0, 1, "CHF"), ar("e2", 50, kAsOf + 3, 0, 1)},
                         {ap("g", 70, kAsOf + 1, "GBP")}, kAsOf, 2);
  REQUIRE(f.currencies.size() == 4);
  CHECK(f.currencies[0].currency == "CHF");
  CHECK(f.currencies[1].currency == "EUR");
  CHECK(f.currencies[2].currency == "GBP");
  CHECK(f.currencies[3].currency == "USD");
  CHECK(units(f.currencies[0].weeks[0].inflow_e4) == Approx(300).margin(0.1));
  CHECK(units(f.currencies[1].weeks[0].inflow_e4) == Approx(250).margin(0.1));
  CHECK(f.currencies[1].open_invoices == 2);
  CHECK(f.currencies[2].open_invoices == 0);
  CHECK(f.currencies[2].ap_invoices == 1);
  CHECK(units(f.currencies[2].weeks[0].outflow_e4) == 70);
  CHECK(units(f.currencies[2].weeks[0].net_e4) == -70);
  CHECK(units(f.currencies[3].weeks[0].inflow_e4) == Approx(100).margin(0.1));

  CHECK(forecast_cash({}, {}, kAsOf, 13).currencies.empty());
}

TEST_CASE("cash forecast: AP outflows on their due day", "[unit][finance]") {
  auto f = forecast_cash(
      {ar("in", 1000, kAsOf - 300)},  // far overdue: week 0
      {ap("late", 100.25, kAsOf - 3), ap("today", 50, kAsOf), ap("w1", 300, kAsOf + 7),
       ap("w1b", 0.1, kAsOf + 13), ap("w2", 0.2, kAsOf + 14), ap("out", 999, kAsOf + 21),
       ap("credit", -40, kAsOf + 1)},
      kAsOf, 3);
  const auto& c = only(f);
  CHECK(c.ap_invoices == 6);  // the credit is not a payment
  CHECK(units(c.weeks[0].outflow_e4) == 150.25);
  CHECK(units(c.weeks[1].outflow_e4) == 300.1);
  CHECK(units(c.weeks[2].outflow_e4) == 0.2);
  CHECK(units(c.weeks[0].net_e4) == 849.75);
  CHECK(units(c.weeks[1].net_e4) == -300.1);
  CHECK(units(c.weeks[1].inflow_p10_e4) == 0);
  CHECK(units(c.weeks[1].inflow_p90_e4) == 0);
}

TEST_CASE("cash forecast: weeks outside 1..52 are refused", "[unit][finance]") {
  CHECK_THROWS_WITH(forecast_cash({}, {}, kAsOf, 0), Catch::Contains("got 0"));
  CHECK_THROWS_WITH(forecast_cash({}, {}, kAsOf, 53), Catch::Contains("got 53"));
  CHECK_THROWS_AS(forecast_cash({}, {}, kAsOf, -1), std::invalid_argument);
  CHECK(forecast_cash({ar("a", 1, kAsOf)}, {}, kAsOf, 1).currencies[0].weeks.size() == 1);
  CHECK(forecast_cash({ar("a", 1, kAsOf)}, {}, kAsOf, 52).currencies[0].weeks.size() == 52);
}

TEST_CASE("cash forecast: weekly MAPE", "[unit][finance]") {
  CHECK(weekly_mape({110, 90, 50}, {100, 100, 0}) == Approx(10.0));  // week 2 has no actual
  CHECK(weekly_mape({100, 100}, {100, 100}) == 0.0);
  CHECK(weekly_mape({0, 300}, {100, 100}) == Approx(150.0));  // (100% + 200%) / 2
  CHECK(weekly_mape({120, 1, 2}, {100}) == Approx(20.0));     // only the shared weeks
  CHECK(std::isnan(weekly_mape({1, 2}, {0, 0})));
  CHECK(std::isnan(weekly_mape({}, {})));
  CHECK(std::isnan(weekly_mape({5}, {-3})));
}

TEST_CASE("cash forecast: beats the naive forecast on simulated payments", "[unit][finance]") {
  constexpr std::uint64_t kSeed = 20'240'601;
  constexpr int kWeeks = 13;
  constexpr int kInvoices = 2000;
  constexpr int kReplicates = 20;  // fresh payment days for the same invoices
  INFO("seed " << kSeed);
  Draws draws(kSeed);

  std::vector<ArExpectation> invoices;
  for (int i = 0; i < kInvoices; ++i) {
    const int due = kAsOf + draws.between(-10, 80);
    const double late = draws.between(-2, 25);  // customers differ; most pay late
    const double sd = 4 + 8 * draws.uniform();
    invoices.push_back(ar("I" + std::to_string(i), draws.between(200, 10'000), due, late, sd));
  }
  const auto f = forecast_cash(invoices, {}, kAsOf, kWeeks);
  const auto& c = only(f);
  std::vector<double> forecast, naive;
  for (const auto& w : c.weeks) {
    forecast.push_back(units(w.inflow_e4));
    naive.push_back(units(w.naive_inflow_e4));
  }

  int inside_band = 0;
  for (int r = 0; r < kReplicates; ++r) {
    // Actual payment days from the same distribution, given unpaid at as_of.
    std::vector<double> actual(kWeeks, 0.0);
    for (const auto& inv : invoices) {
      const double mu = inv.due_day + inv.expected_days_late;
      double t = 0;
      int tries = 0;
      do {
        t = mu + inv.sd_days * draws.normal();
      } while (t < kAsOf - 0.5 && ++tries < 100'000);  // mu >= as_of - 12: a few draws
      const int week = (static_cast<int>(std::floor(t + 0.5)) - kAsOf) / 7;
      if (week < kWeeks) actual[week] += static_cast<double>(inv.outstanding_e4) / kE4;
    }
    for (int k = 0; k < kWeeks; ++k) {
      inside_band += actual[k] >= units(c.weeks[k].inflow_p10_e4) &&
                     actual[k] <= units(c.weeks[k].inflow_p90_e4);
    }
    const double mape = weekly_mape(forecast, actual);
    const double naive_mape = weekly_mape(naive, actual);
    INFO("replicate " << r << ": forecast MAPE " << mape << "%, naive MAPE " << naive_mape << "%");
    CHECK(mape < naive_mape);
    CHECK(mape < 0.5 * naive_mape);  // not a close call
  }
  // The P10-P90 band holds the actual about 80% of the time.
  const double coverage = inside_band / double(kReplicates * kWeeks);
  INFO("actual inside the P10-P90 band in " << inside_band << " of " << kReplicates * kWeeks
                                            << " weeks");
  CHECK(coverage > 0.7);
  CHECK(coverage < 0.9);
}
