// generate_ar(), ar_features(), ar_files().
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "plugins/finance/datagen/ar_data.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/customer_book.h"
#include "plugins/finance/datagen/synthetic.h"
#include "plugins/finance/datagen/tables.h"
#include "plugins/ml/csv_writer.h"
#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLookbackDays = 365;           // the workflow's ar.customer_history lookback
constexpr double kCombinedShare = 0.3;       // invoices settling together are paid together
constexpr double kTypoShare = 0.1;           // references with a typo in a number
constexpr double kNoNumberShare = 0.04;      // references without any invoice number
constexpr double kNoCustomerShare = 0.1;     // payments without a customer id
constexpr double kShortPaymentShare = 0.03;  // bank charges deducted

const char* behaviour_name(PaymentBehaviour b) {
  switch (b) {
    case PaymentBehaviour::chronic_late:
      return "chronic_late";
    case PaymentBehaviour::deteriorating:
      return "deteriorating";
    case PaymentBehaviour::disputer:
      return "disputer";
    case PaymentBehaviour::punctual:
      break;
  }
  return "punctual";
}

// One typing error in a number: a digit dropped, changed, or swapped with its neighbour.
std::string with_typo(std::string number, Rng& rng) {
  std::vector<std::size_t> digits;
  for (std::size_t i = 0; i < number.size(); ++i) {
    if (number[i] >= '0' && number[i] <= '9') digits.push_back(i);
  }
  if (digits.size() < 2) return number;
  std::size_t at = digits[rng.uniform_int(digits.size() / 2, digits.size() - 1)];
  switch (rng.uniform_int(0, 2)) {
    case 0:
      number.erase(at, 1);
      break;
    case 1:
      number[at] = static_cast<char>('0' + (number[at] - '0' + rng.uniform_int(1, 9)) % 10);
      break;
    default:
      if (at + 1 < number.size() && number[at + 1] >= '0' && number[at + 1] <= '9') {
        std::swap(number[at], number[at + 1]);
      } else {
        std::swap(number[at], number[at - 1]);
      }
      break;
  }
  return number;
}

std::string month_text(int day) {
  static constexpr std::array<const char*, 12> kMonths = {
      "January", "February", "March",     "April",   "May",      "June",
      "July",    "August",   "September", "October", "November", "December"};
  CivilDate c = civil_from_days(day);
  return std::string(kMonths[c.month - 1]) + " " + std::to_string(c.year);
}

// Free text as a bank delivers it.
std::string payment_reference(Rng& rng, const Customer& customer, std::vector<std::string> numbers,
                              int pay_day) {
  if (rng.chance(kNoNumberShare)) return customer.name + " payment " + month_text(pay_day);
  if (rng.chance(kTypoShare)) {
    auto& n = numbers[rng.uniform_int(0, numbers.size() - 1)];
    n = with_typo(n, rng);
  }
  if (numbers.size() > 1) {
    std::string joined;
    const char* separator = rng.chance(0.5) ? ", " : " ";
    for (std::size_t i = 0; i < numbers.size(); ++i) joined += (i ? separator : "") + numbers[i];
    return rng.chance(0.5) ? "Invoices " + joined : joined;
  }
  const std::string& n = numbers.front();
  switch (rng.uniform_int(0, 4)) {
    case 0:
      return n;
    case 1:
      return "Invoice " + n;
    case 2: {
      std::string compact = n;
      std::erase(compact, '-');
      return "INV " + compact;
    }
    case 3:
      return customer.name + " " + n;
    default:
      return "Payment for invoice " + n;
  }
}

class ArBuilder {
 public:
  ArBuilder(std::size_t rows, std::uint64_t seed) : rows_(rows), root_(seed) {}
  ArData build();

 private:
  void make_invoices();
  void make_payments();

  std::size_t rows_;
  Rng root_;
  CustomerBook book_;
  ArData data_;
};

void ArBuilder::make_invoices() {
  Rng rng = root_.fork(2);
  std::vector<double> weights;
  for (const auto& p : book_.profiles) weights.push_back(p.weight);
  WeightedPicker picker(weights);
  struct Draft {
    ArInvoice inv;
    std::size_t sequence;
  };
  std::vector<Draft> drafts;
  for (std::size_t i = 0; i < rows_; ++i) {
    std::size_t c = picker.pick(rng);
    const Customer& customer = book_.customers[c];
    const CustomerProfile& profile = book_.profiles[c];
    ArInvoice inv;
    inv.customer_id = customer.customer_id;
    int first = std::min(kDataLastDay, std::max(kDataFirstDay, day_of(customer.created_at) + 1));
    inv.invoice_date = static_cast<int>(rng.uniform_int(first, kDataLastDay));
    inv.due_date = inv.invoice_date + customer.payment_terms_days;
    inv.currency = customer.currency;
    inv.amount_cents =
        std::max<std::int64_t>(1000, std::llround(rng.lognormal(profile.log_amount, 0.6) * 100));
    inv.disputed = rng.chance(profile.dispute_rate);
    inv.disputed_on = inv.invoice_date + static_cast<int>(rng.uniform_int(3, 20));
    int late =
        draw_days_late(rng, customer, profile, inv.invoice_date, inv.amount_cents, inv.disputed);
    inv.settled_on = std::max(inv.due_date + late, inv.invoice_date + 1);
    inv.label_days_late = *inv.settled_on - inv.due_date;
    drafts.push_back({std::move(inv), i});
  }
  std::sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
    return a.inv.invoice_date != b.inv.invoice_date ? a.inv.invoice_date < b.inv.invoice_date
                                                    : a.sequence < b.sequence;
  });
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    ArInvoice& inv = drafts[i].inv;
    inv.invoice_id = record_id("ARI-", i + 1, 6);
    char number[40];
    std::snprintf(number, sizeof(number), "SI-%d-%06zu", civil_from_days(inv.invoice_date).year,
                  i + 1);
    inv.invoice_number = number;
    data_.invoices.push_back(std::move(inv));
  }
}

// Groups each customer's settlements into payments: invoices settling within 3 days of
// each other are sometimes paid together (on the last one's day).
void ArBuilder::make_payments() {
  Rng rng = root_.fork(3);
  std::map<std::string, std::size_t> customer_index;
  for (std::size_t c = 0; c < book_.customers.size(); ++c)
    customer_index[book_.customers[c].customer_id] = c;
  std::vector<std::vector<std::size_t>> by_customer(book_.customers.size());
  for (std::size_t i = 0; i < data_.invoices.size(); ++i) {
    by_customer[customer_index[data_.invoices[i].customer_id]].push_back(i);
  }
  struct Draft {
    IncomingPayment payment;
    std::size_t sequence;
  };
  std::vector<Draft> drafts;
  for (std::size_t c = 0; c < by_customer.size(); ++c) {
    auto& list = by_customer[c];
    std::stable_sort(list.begin(), list.end(), [&](std::size_t a, std::size_t b) {
      return *data_.invoices[a].settled_on < *data_.invoices[b].settled_on;
    });
    for (std::size_t k = 0; k < list.size();) {
      std::size_t end = k + 1;
      int first_day = *data_.invoices[list[k]].settled_on;
      while (end < list.size() && end - k < 4 &&
             *data_.invoices[list[end]].settled_on - first_day <= 3 && rng.chance(kCombinedShare)) {
        ++end;
      }
      int pay_day = *data_.invoices[list[end - 1]].settled_on;
      const Customer& customer = book_.customers[c];
      IncomingPayment p;
      p.customer_id = rng.chance(kNoCustomerShare) ? "" : customer.customer_id;
      p.currency = customer.currency;
      std::vector<std::string> numbers;
      for (std::size_t m = k; m < end; ++m) {
        ArInvoice& inv = data_.invoices[list[m]];
        inv.settled_on = pay_day;
        inv.label_days_late = pay_day - inv.due_date;
        p.amount_cents += inv.amount_cents;
        p.invoice_ids.push_back(inv.invoice_id);
        numbers.push_back(inv.invoice_number);
      }
      if (rng.chance(kShortPaymentShare)) p.amount_cents -= rng.uniform_int(500, 2500);
      p.received_at = day_start(pay_day) + rng.uniform_int(7 * 3600, 17 * 3600);
      p.reference = payment_reference(rng, customer, std::move(numbers), pay_day);
      drafts.push_back({std::move(p), drafts.size()});
      k = end;
    }
  }
  std::sort(drafts.begin(), drafts.end(), [](const Draft& a, const Draft& b) {
    return a.payment.received_at != b.payment.received_at
               ? a.payment.received_at < b.payment.received_at
               : a.sequence < b.sequence;
  });
  for (std::size_t i = 0; i < drafts.size(); ++i) {
    drafts[i].payment.payment_id = record_id("RCV-", i + 1, 6);
    data_.payments.push_back(std::move(drafts[i].payment));
  }
}

ArData ArBuilder::build() {
  Rng rng = root_.fork(1);
  book_ = make_customers(rng, std::clamp<std::size_t>(rows_ / 25, 10, 100'000), rows_);
  make_invoices();
  make_payments();
  data_.customers = book_.customers;
  return std::move(data_);
}

}  // namespace

ArData generate_ar(std::size_t invoices, std::uint64_t seed) {
  return ArBuilder(std::max<std::size_t>(invoices, 100), seed).build();
}

const std::vector<std::string>& ar_model_features() {
  static const std::vector<std::string> names = {
      "amount",        "payment_terms_days", "days_to_due",       "customer_age_days",
      "avg_days_late", "late_ratio",         "credit_utilisation"};
  return names;
}

FeatureTable ar_features(const ArData& data) {
  FeatureTable table = feature_table("invoice_id", ar_model_features(),
                                     {"recent_days_late", "disputes", "amount_vs_usual",
                                      "open_invoice_count", "label_late", "label_days_late"},
                                     "label_behaviour");
  auto index = index_by(data.customers, &Customer::customer_id);
  std::vector<CustomerHistory> history(data.customers.size());
  for (const ArInvoice& inv : data.invoices) {
    std::size_t c = index[inv.customer_id];
    const Customer& customer = data.customers[c];
    int day = inv.invoice_date;
    auto settled = history[c].settled(day, kLookbackDays);
    auto open = history[c].open(day);
    auto [usual, usual_count] = history[c].mean_amount(day, kLookbackDays);
    double amount = static_cast<double>(inv.amount_cents) / 100;
    double limit = static_cast<double>(customer.credit_limit_cents) / 100;
    bool has_history = settled.count > 0;
    table.ids.push_back(inv.invoice_id);
    table.rows.push_back({amount, static_cast<double>(customer.payment_terms_days),
                          static_cast<double>(inv.due_date - inv.invoice_date),
                          static_cast<double>(days_between(customer.created_at, day_start(day))),
                          has_history ? settled.avg_days_late : kNaN,
                          has_history ? settled.late_ratio : kNaN,
                          limit > 0 ? (open.amount + amount) / limit : 1.0,
                          // extras
                          settled.recent_count > 0 ? settled.recent_days_late : kNaN,
                          static_cast<double>(history[c].disputes(day, kLookbackDays)),
                          usual_count > 0 ? amount / usual : kNaN, static_cast<double>(open.count),
                          // labels
                          inv.label_days_late && *inv.label_days_late > 0 ? 1.0 : 0.0,
                          inv.label_days_late ? static_cast<double>(*inv.label_days_late) : kNaN});
    table.texts.emplace_back(behaviour_name(customer.behaviour));
    history[c].add(inv);
  }
  return table;
}

GeneratedFile customers_file(const std::vector<Customer>& customers) {
  CsvWriter csv({"customer_id", "name", "country", "credit_limit", "currency", "payment_terms_days",
                 "created_at"});
  for (const auto& c : customers) {
    csv.text(c.customer_id)
        .text(c.name)
        .text(c.country)
        .money(c.credit_limit_cents)
        .text(c.currency);
    csv.integer(c.payment_terms_days).text(format_timestamp(c.created_at)).end_row();
  }
  return csv_file("customers.csv", csv);
}

GeneratedFile ar_invoices_file(const std::vector<ArInvoice>& invoices) {
  // o2c invoices name the order they bill (an optional column of ar_invoices).
  const bool orders = std::any_of(invoices.begin(), invoices.end(),
                                  [](const ArInvoice& i) { return !i.order_id.empty(); });
  std::vector<std::string> columns = {"invoice_id",   "customer_id", "invoice_number",
                                      "invoice_date", "due_date",    "currency",
                                      "amount",       "disputed",    "disputed_at"};
  if (orders) columns.emplace_back("order_id");
  columns.emplace_back("label_days_late");
  CsvWriter csv(columns);
  for (const auto& inv : invoices) {
    csv.text(inv.invoice_id).text(inv.customer_id).text(inv.invoice_number);
    csv.text(format_date(inv.invoice_date)).text(format_date(inv.due_date)).text(inv.currency);
    csv.money(inv.amount_cents).text(inv.disputed ? "true" : "false");
    inv.disputed ? csv.text(format_date(inv.disputed_on)) : csv.empty();
    if (orders) csv.text(inv.order_id);
    inv.label_days_late ? csv.integer(*inv.label_days_late) : csv.empty();
    csv.end_row();
  }
  return csv_file("ar_invoices.csv", csv);
}

std::vector<GeneratedFile> ar_files(const ArData& data, const FeatureTable& features) {
  std::vector<GeneratedFile> files;
  files.push_back(customers_file(data.customers));
  files.push_back(ar_invoices_file(data.invoices));
  CsvWriter payments(
      {"payment_id", "customer_id", "amount", "currency", "received_at", "reference"});
  for (const auto& p : data.payments) {
    payments.text(p.payment_id).text(p.customer_id).money(p.amount_cents).text(p.currency);
    payments.text(format_timestamp(p.received_at)).text(p.reference).end_row();
  }
  files.push_back(csv_file("incoming_payments.csv", payments));
  files.push_back(features_file(features));
  return files;
}

}  // namespace ledgerflow::datagen
