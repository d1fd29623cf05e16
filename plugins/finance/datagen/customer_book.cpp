#include "plugins/finance/datagen/customer_book.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/synthetic.h"

namespace ledgerflow::datagen {
namespace {

constexpr std::array<int, 6> kTerms = {14, 30, 30, 30, 45, 60};
constexpr std::array<double, 4> kBehaviourWeights = {50, 20, 15, 15};
constexpr double kPeriodMonths = 24;

int clamp_days(double v) {
  return static_cast<int>(std::llround(std::clamp(v, -30.0, 365.0)));
}

}  // namespace

CustomerBook make_customers(Rng& rng, std::size_t count, std::size_t items) {
  CustomerBook book;
  double total_weight = 0;
  for (std::size_t i = 0; i < count; ++i) {
    Customer c;
    c.customer_id = record_id("C-", i + 1, 5);
    c.country = partner_country(rng);
    c.name = company_name(rng, c.country);
    c.currency = currency_of(c.country);
    c.payment_terms_days = kTerms[rng.uniform_int(0, kTerms.size() - 1)];
    int created = rng.chance(0.15) ? kDataFirstDay + static_cast<int>(rng.uniform_int(0, 500))
                                   : kDataFirstDay - static_cast<int>(rng.uniform_int(30, 2500));
    c.created_at = day_start(created) + rng.uniform_int(8 * 3600, 18 * 3600);
    c.behaviour = static_cast<PaymentBehaviour>(rng.weighted(kBehaviourWeights));
    CustomerProfile p;
    p.log_amount = std::log(rng.uniform(300, 15'000));
    p.weight = rng.lognormal(0, 0.8);
    p.turn_day = kDataFirstDay + static_cast<int>(rng.uniform_int(120, 500));
    p.dispute_rate = c.behaviour == PaymentBehaviour::disputer ? 0.25 : 0.02;
    total_weight += p.weight;
    book.customers.push_back(std::move(c));
    book.profiles.push_back(p);
  }
  // Credit limits: 3 to 6 months of the expected billing (enough for what normally stands
  // open: the payment terms, some lateness, orders not yet billed), in whole thousands;
  // 2% of customers have none (prepayment only).
  for (std::size_t i = 0; i < count; ++i) {
    const auto& p = book.profiles[i];
    double mean_amount = std::exp(p.log_amount + 0.5 * 0.6 * 0.6);
    double monthly =
        p.weight / total_weight * static_cast<double>(items) / kPeriodMonths * mean_amount;
    double limit = rng.chance(0.02)
                       ? 0
                       : std::max(1000.0, std::round(monthly * rng.uniform(3, 6) / 1000) * 1000);
    book.customers[i].credit_limit_cents = static_cast<std::int64_t>(limit) * 100;
  }
  return book;
}

int draw_days_late(Rng& rng, const Customer& customer, const CustomerProfile& profile, int day,
                   std::int64_t amount_cents, bool disputed) {
  double late = 0;
  if (disputed) {
    late = 15 + rng.exponential(25);
  } else {
    switch (customer.behaviour) {
      case PaymentBehaviour::punctual:
        late = rng.chance(0.06) ? rng.uniform(1, 12) : rng.normal(-3, 2);
        break;
      case PaymentBehaviour::chronic_late:
        late = rng.chance(0.15) ? rng.normal(-1, 2) : 5 + rng.exponential(15);
        break;
      case PaymentBehaviour::deteriorating: {
        double progress = std::clamp(static_cast<double>(day - profile.turn_day) /
                                         static_cast<double>(kDataLastDay - profile.turn_day),
                                     0.0, 1.0);
        double mean = -3 + 40 * progress;
        late = rng.normal(mean, 2 + 0.3 * std::max(mean, 0.0));
        break;
      }
      case PaymentBehaviour::disputer:
        late = rng.normal(0, 4);
        break;
    }
  }
  // Invoices far above the customer's usual size wait for a second signature.
  double usual = std::exp(profile.log_amount);
  if (static_cast<double>(amount_cents) / 100 > 3 * usual) late += rng.uniform(0, 10);
  return clamp_days(late);
}

CustomerHistory::Settled CustomerHistory::settled(int day, int lookback_days) const {
  Settled s;
  double total = 0;
  std::size_t late = 0;
  std::array<std::pair<int, int>, 3> latest{};  // (settled_on, days late), newest first
  std::size_t latest_count = 0;
  for (const ArInvoice* inv : invoices_) {
    if (inv->invoice_date >= day) break;  // added in issue order
    if (!inv->settled_on || *inv->settled_on >= day) continue;
    int days_late = *inv->settled_on - inv->due_date;
    std::pair<int, int> entry{*inv->settled_on, days_late};
    for (std::size_t k = 0; k < 3; ++k) {
      if (k == latest_count || entry.first >= latest[k].first) {
        for (std::size_t m = std::min<std::size_t>(latest_count, 2); m > k; --m)
          latest[m] = latest[m - 1];
        latest[k] = entry;
        latest_count = std::min<std::size_t>(latest_count + 1, 3);
        break;
      }
    }
    if (*inv->settled_on < day - lookback_days) continue;
    ++s.count;
    total += days_late;
    late += days_late > 0;
  }
  if (s.count > 0) {
    s.avg_days_late = total / static_cast<double>(s.count);
    s.late_ratio = static_cast<double>(late) / static_cast<double>(s.count);
  }
  s.recent_count = latest_count;
  if (latest_count > 0) {
    double sum = 0;
    for (std::size_t k = 0; k < latest_count; ++k) sum += latest[k].second;
    s.recent_days_late = sum / static_cast<double>(latest_count);
  }
  return s;
}

CustomerHistory::Open CustomerHistory::open(int day) const {
  Open o;
  for (const ArInvoice* inv : invoices_) {
    if (inv->invoice_date >= day) break;
    if (inv->settled_on && *inv->settled_on < day) continue;
    double amount = static_cast<double>(inv->amount_cents) / 100;
    ++o.count;
    o.amount += amount;
    if (inv->due_date < day) o.overdue_amount += amount;
    if (day - inv->due_date > 30) ++o.overdue_30;
    if (inv->disputed && inv->disputed_on < day) ++o.disputed;
  }
  return o;
}

std::size_t CustomerHistory::disputes(int day, int lookback_days) const {
  std::size_t n = 0;
  for (const ArInvoice* inv : invoices_) {
    if (inv->invoice_date >= day) break;
    n += inv->disputed && inv->disputed_on < day && inv->disputed_on >= day - lookback_days;
  }
  return n;
}

std::pair<double, std::size_t> CustomerHistory::mean_amount(int day, int lookback_days) const {
  double total = 0;
  std::size_t n = 0;
  for (const ArInvoice* inv : invoices_) {
    if (inv->invoice_date >= day) break;
    if (inv->invoice_date < day - lookback_days) continue;
    total += static_cast<double>(inv->amount_cents) / 100;
    ++n;
  }
  return {n ? total / static_cast<double>(n) : 0.0, n};
}

}  // namespace ledgerflow::datagen
