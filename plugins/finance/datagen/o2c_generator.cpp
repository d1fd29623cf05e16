// generate_o2c(), o2c_features(), o2c_files().
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "plugins/finance/datagen/ar_data.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/customer_book.h"
#include "plugins/finance/datagen/o2c_data.h"
#include "plugins/finance/datagen/synthetic.h"
#include "plugins/finance/datagen/tables.h"
#include "plugins/ml/csv_writer.h"
#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLookbackDays = 365;
constexpr double kDefaultingShare = 0.1;  // of customers
constexpr int kDistressDays = 120;        // before the default: more orders, later payments
constexpr double kDistressOrderShare = 0.4;
constexpr double kOtherCurrencyShare = 0.02;

struct Span {
  int first = 0;
  int last = -1;  // empty when last < first
};

// The days a customer can order on: after its creation, before its default.
Span order_span(const Customer& c) {
  Span s{std::max(kDataFirstDay, day_of(c.created_at) + 1), kDataLastDay};
  if (c.default_day) s.last = std::min(s.last, *c.default_day - 1);
  return s;
}

std::string other_currency(const std::string& currency) {
  return currency == "EUR" ? "USD" : "EUR";
}

class O2cBuilder {
 public:
  O2cBuilder(std::size_t rows, std::uint64_t seed) : rows_(rows), root_(seed) {}
  O2cData build();

 private:
  void choose_defaults();
  void make_orders();
  void make_invoices();

  std::size_t rows_;
  Rng root_;
  CustomerBook book_;
  O2cData data_;
  std::map<std::string, std::size_t> index_;
};

void O2cBuilder::choose_defaults() {
  Rng rng = root_.fork(2);
  for (auto& c : book_.customers) {
    bool defaults = rng.chance(kDefaultingShare);
    int earliest = std::max(kDataFirstDay, day_of(c.created_at)) + 150;
    int day = static_cast<int>(rng.uniform_int(earliest, kDataLastDay + 60));
    if (defaults && earliest <= kDataLastDay) c.default_day = day;
  }
}

void O2cBuilder::make_orders() {
  Rng rng = root_.fork(3);
  std::vector<double> weights;
  for (const auto& p : book_.profiles) weights.push_back(p.weight);
  WeightedPicker picker(weights);
  struct Draft {
    Order order;
    std::size_t sequence;
  };
  std::vector<Draft> drafts;
  while (drafts.size() < rows_) {
    std::size_t c = picker.pick(rng);
    const Customer& customer = book_.customers[c];
    Span span = order_span(customer);
    if (span.last < span.first) continue;
    Order o;
    o.customer_id = customer.customer_id;
    bool distress = customer.default_day && rng.chance(kDistressOrderShare);
    int from = distress ? std::max(span.first, *customer.default_day - kDistressDays) : span.first;
    o.order_date = static_cast<int>(rng.uniform_int(from, span.last));
    double amount = rng.lognormal(book_.profiles[c].log_amount, 0.6);
    if (distress) amount *= rng.uniform(1.0, 2.0);
    o.amount_cents = std::max<std::int64_t>(1000, std::llround(amount * 100));
    o.currency =
        rng.chance(kOtherCurrencyShare) ? other_currency(customer.currency) : customer.currency;
    o.invoiced_on = o.order_date + static_cast<int>(rng.uniform_int(0, 7));
    drafts.push_back({std::move(o), drafts.size()});
  }
  std::sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
    return a.order.order_date != b.order.order_date ? a.order.order_date < b.order.order_date
                                                    : a.sequence < b.sequence;
  });
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    drafts[i].order.order_id = record_id("SO-", i + 1, 6);
    data_.orders.push_back(std::move(drafts[i].order));
  }
}

// One invoice per order; a defaulting customer pays later as its default nears and
// never pays what is still open on its default day.
void O2cBuilder::make_invoices() {
  Rng rng = root_.fork(4);
  std::vector<std::size_t> order(data_.orders.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return data_.orders[a].invoiced_on < data_.orders[b].invoiced_on;
  });
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    Order& o = data_.orders[order[rank]];
    std::size_t c = index_[o.customer_id];
    const Customer& customer = book_.customers[c];
    const CustomerProfile& profile = book_.profiles[c];
    ArInvoice inv;
    inv.invoice_id = record_id("ARI-", rank + 1, 6);
    char number[40];
    std::snprintf(number, sizeof(number), "SI-%d-%06zu", civil_from_days(o.invoiced_on).year,
                  rank + 1);
    inv.invoice_number = number;
    inv.customer_id = o.customer_id;
    inv.invoice_date = o.invoiced_on;
    inv.due_date = inv.invoice_date + customer.payment_terms_days;
    inv.currency = o.currency;
    inv.amount_cents = o.amount_cents;
    inv.order_id = o.order_id;
    inv.disputed = rng.chance(profile.dispute_rate);
    inv.disputed_on = inv.invoice_date + static_cast<int>(rng.uniform_int(3, 20));
    int late =
        draw_days_late(rng, customer, profile, inv.invoice_date, inv.amount_cents, inv.disputed);
    if (customer.default_day) {
      int to_default = *customer.default_day - inv.invoice_date;
      if (to_default < kDistressDays) late += (kDistressDays - std::max(to_default, 0)) / 4;
    }
    int settled = std::max(inv.due_date + late, inv.invoice_date + 1);
    if (customer.default_day && settled >= *customer.default_day) {
      o.label_default = true;
    } else {
      inv.settled_on = settled;
      inv.label_days_late = settled - inv.due_date;
    }
    data_.invoices.push_back(std::move(inv));
  }
}

O2cData O2cBuilder::build() {
  Rng rng = root_.fork(1);
  book_ = make_customers(rng, std::clamp<std::size_t>(rows_ / 20, 10, 100'000), rows_);
  index_ = index_by(book_.customers, &Customer::customer_id);
  choose_defaults();
  make_orders();
  make_invoices();
  data_.customers = book_.customers;
  return std::move(data_);
}

}  // namespace

O2cData generate_o2c(std::size_t orders, std::uint64_t seed) {
  return O2cBuilder(std::max<std::size_t>(orders, 100), seed).build();
}

const std::vector<std::string>& o2c_model_features() {
  static const std::vector<std::string> names = {
      "order_amount",           "exposure_total",    "credit_limit",      "utilisation",
      "payment_terms_days",     "customer_age_days", "overdue_ar_amount", "overdue_invoice_count",
      "disputed_invoice_count", "currency_differs"};
  return names;
}

FeatureTable o2c_features(const O2cData& data) {
  FeatureTable table = feature_table(
      "order_id", o2c_model_features(),
      {"late_share", "avg_days_late", "recent_days_late", "open_order_amount", "label_default"});
  auto index = index_by(data.customers, &Customer::customer_id);
  // Every invoice up front: each query only looks at what is dated before its day.
  std::vector<CustomerHistory> history(data.customers.size());
  for (const ArInvoice& inv : data.invoices) history[index[inv.customer_id]].add(inv);
  std::vector<std::vector<const Order*>> earlier(data.customers.size());
  for (const Order& o : data.orders) {
    std::size_t c = index[o.customer_id];
    const Customer& customer = data.customers[c];
    int day = o.order_date;
    auto open = history[c].open(day);
    auto settled = history[c].settled(day, kLookbackDays);
    double open_orders = 0;
    for (const Order* other : earlier[c]) {
      if (other->invoiced_on >= day) open_orders += static_cast<double>(other->amount_cents) / 100;
    }
    double amount = static_cast<double>(o.amount_cents) / 100;
    double exposure = open.amount + open_orders + amount;
    double limit = static_cast<double>(customer.credit_limit_cents) / 100;
    table.ids.push_back(o.order_id);
    table.rows.push_back(
        {amount, exposure, limit, limit > 0 ? exposure / limit : 10.0,
         static_cast<double>(customer.payment_terms_days),
         static_cast<double>(days_between(customer.created_at, day_start(day))),
         open.overdue_amount, static_cast<double>(open.overdue_30),
         static_cast<double>(open.disputed), o.currency != customer.currency ? 1.0 : 0.0,
         // extras
         settled.count ? settled.late_ratio : kNaN, settled.count ? settled.avg_days_late : kNaN,
         settled.recent_count ? settled.recent_days_late : kNaN, open_orders,
         // label
         o.label_default ? 1.0 : 0.0});
    earlier[c].push_back(&o);
  }
  return table;
}

std::vector<GeneratedFile> o2c_files(const O2cData& data, const FeatureTable& features) {
  std::vector<GeneratedFile> files;
  files.push_back(customers_file(data.customers));
  CsvWriter orders(
      {"order_id", "customer_id", "order_date", "currency", "amount", "label_default"});
  for (const auto& o : data.orders) {
    orders.text(o.order_id).text(o.customer_id).text(format_date(o.order_date)).text(o.currency);
    orders.money(o.amount_cents).integer(o.label_default ? 1 : 0).end_row();
  }
  files.push_back(csv_file("orders.csv", orders));
  files.push_back(ar_invoices_file(data.invoices));
  // The bank feed: one payment per settled invoice, on its settlement day, naming it.
  struct Paid {
    std::int64_t at;
    const ArInvoice* invoice;
  };
  std::vector<Paid> paid;
  for (const auto& inv : data.invoices) {
    if (inv.settled_on) paid.push_back({day_start(*inv.settled_on) + 10 * 3600, &inv});
  }
  std::stable_sort(paid.begin(), paid.end(),
                   [](const Paid& a, const Paid& b) { return a.at < b.at; });
  CsvWriter payments(
      {"payment_id", "customer_id", "amount", "currency", "received_at", "reference"});
  for (std::size_t i = 0; i < paid.size(); ++i) {
    const ArInvoice& inv = *paid[i].invoice;
    payments.text(record_id("RCV-", i + 1, 6)).text(inv.customer_id).money(inv.amount_cents);
    payments.text(inv.currency).text(format_timestamp(paid[i].at));
    payments.text("Invoice " + inv.invoice_number).end_row();
  }
  files.push_back(csv_file("incoming_payments.csv", payments));
  files.push_back(features_file(features));
  return files;
}

}  // namespace ledgerflow::datagen
