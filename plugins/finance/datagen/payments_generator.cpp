// generate_payments(), payments_features(), payments_files().
#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/payments_data.h"
#include "plugins/finance/datagen/synthetic.h"
#include "plugins/finance/datagen/tables.h"
#include "plugins/ml/csv_writer.h"
#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kLookbackDays = 365;  // the workflow's ap.vendor_payment_history lookback
constexpr double kFraudShare = 0.018;
constexpr double kLegitBankChangeShare = 0.08;  // of vendors
constexpr double kRareRequesterShare = 0.02;    // of legitimate payments
constexpr double kOffHoursShare = 0.04;         // legitimate batch runs early or late
constexpr int kLocalOffset = 60;                // the AP team works at +01:00

constexpr std::array<const char*, 6> kRegular = {"alice",  "clerk2",    "clerk3",
                                                 "clerk4", "treasury1", "treasury2"};
constexpr std::array<double, 6> kRegularWeights = {35, 20, 15, 10, 12, 8};
constexpr std::array<const char*, 6> kMuleCountries = {"LT", "CY", "MT", "RO", "BG", "PL"};
constexpr std::size_t kRareUsers = 30;

struct Profile {
  double log_amount = 8;
  double weight = 1;
};

class PaymentsBuilder {
 public:
  PaymentsBuilder(std::size_t rows, std::uint64_t seed) : rows_(rows), root_(seed) {}
  PaymentsData build();

 private:
  void make_vendors();
  int active_from(std::size_t v) const;
  std::int64_t request_time(Rng& rng, int day, bool off_hours);
  std::string rare_user(Rng& rng) const;
  std::string mule_iban(Rng& rng, const Vendor& vendor, double foreign_share);
  std::int64_t usual_amount(Rng& rng, std::size_t v);
  OutgoingPayment payment(std::size_t v, std::int64_t at, std::int64_t cents,
                          std::string requester);
  void legitimate(Rng& rng, std::size_t count);
  std::size_t bank_change_frauds(Rng& rng, std::size_t target);
  void diverted(Rng& rng, std::size_t count);
  void inflated(Rng& rng, std::size_t count);
  void finish();

  std::size_t rows_;
  Rng root_;
  PaymentsData data_;
  std::vector<Profile> profiles_;
  std::vector<OutgoingPayment> drafts_;
  // Fraudulent account changes: vendor, from, until (exclusive), the mule account.
  struct Takeover {
    std::size_t vendor;
    std::int64_t from, until;
    std::string iban;
  };
  std::vector<Takeover> takeovers_;
};

void PaymentsBuilder::make_vendors() {
  Rng rng = root_.fork(1);
  std::size_t count = std::clamp<std::size_t>(rows_ / 30, 10, 50'000);
  for (std::size_t i = 0; i < count; ++i) {
    Vendor v = vendor_identity(rng, i + 1);
    int created = rng.chance(0.1) ? kDataFirstDay + static_cast<int>(rng.uniform_int(0, 500))
                                  : kDataFirstDay - static_cast<int>(rng.uniform_int(30, 3000));
    v.created_at = day_start(created) + rng.uniform_int(8 * 3600, 17 * 3600);
    v.bank_history.push_back({v.created_at, v.iban});
    if (rng.chance(kLegitBankChangeShare)) {
      int from = std::max(kDataFirstDay, created + 30);
      int day = static_cast<int>(rng.uniform_int(std::min(from, kDataLastDay), kDataLastDay));
      std::string country = rng.chance(0.95) ? v.country : partner_country(rng);
      v.bank_history.push_back(
          {day_start(day) + rng.uniform_int(8 * 3600, 17 * 3600), make_iban(rng, country)});
    }
    data_.vendors.push_back(std::move(v));
    profiles_.push_back({std::log(rng.uniform(200, 20'000)), rng.lognormal(0, 1)});
  }
}

int PaymentsBuilder::active_from(std::size_t v) const {
  return std::min(kDataLastDay, std::max(kDataFirstDay, day_of(data_.vendors[v].created_at) + 3));
}

// Local business hours (08-17) on weekdays mostly; off-hours means 05-06 or 19-23.
std::int64_t PaymentsBuilder::request_time(Rng& rng, int day, bool off_hours) {
  if (is_weekend(day) && rng.chance(0.8)) day += 7 - weekday(day);  // to Monday
  std::int64_t hour = off_hours
                          ? (rng.chance(0.3) ? rng.uniform_int(5, 6) : rng.uniform_int(19, 23))
                          : rng.uniform_int(8, 17);
  std::int64_t local = day_start(day) + hour * 3600 + rng.uniform_int(0, 3599);
  return local - kLocalOffset * 60;
}

std::string PaymentsBuilder::rare_user(Rng& rng) const {
  return record_id("user.r", static_cast<std::size_t>(rng.uniform_int(1, kRareUsers)), 2);
}

std::string PaymentsBuilder::mule_iban(Rng& rng, const Vendor& vendor, double foreign_share) {
  std::string country = rng.chance(foreign_share)
                            ? kMuleCountries[rng.uniform_int(0, kMuleCountries.size() - 1)]
                            : vendor.country;
  return make_iban(rng, country);
}

std::int64_t PaymentsBuilder::usual_amount(Rng& rng, std::size_t v) {
  double amount = rng.lognormal(profiles_[v].log_amount, 0.35);
  auto cents = std::max<std::int64_t>(1000, std::llround(amount * 100));
  if (amount > 2000 && rng.chance(0.03)) cents = std::llround(amount / 1000) * 100'000;
  return cents;
}

OutgoingPayment PaymentsBuilder::payment(std::size_t v, std::int64_t at, std::int64_t cents,
                                         std::string requester) {
  const Vendor& vendor = data_.vendors[v];
  OutgoingPayment p;
  p.vendor_id = vendor.vendor_id;
  p.amount_cents = cents;
  p.currency = currency_of(vendor.country);
  p.iban = iban_at(vendor, at);
  p.requested_by = std::move(requester);
  p.requested_at = at;
  p.offset_minutes = kLocalOffset;
  return p;
}

void PaymentsBuilder::legitimate(Rng& rng, std::size_t count) {
  std::vector<double> weights;
  for (const auto& p : profiles_) weights.push_back(p.weight);
  WeightedPicker picker(weights);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t v = picker.pick(rng);
    int day = static_cast<int>(rng.uniform_int(active_from(v), kDataLastDay));
    std::int64_t at = request_time(rng, day, rng.chance(kOffHoursShare));
    std::string requester =
        rng.chance(kRareRequesterShare) ? rare_user(rng) : kRegular[rng.weighted(kRegularWeights)];
    OutgoingPayment p = payment(v, at, usual_amount(rng, v), std::move(requester));
    if (rng.chance(0.003)) p.iban = make_iban(rng, data_.vendors[v].country);  // a factoring bank
    drafts_.push_back(std::move(p));
  }
}

// Business email compromise: the vendor's bank details are changed to a mule account,
// payments follow within two weeks, and the change is reverted 3-6 weeks later. Returns
// the payments injected.
std::size_t PaymentsBuilder::bank_change_frauds(Rng& rng, std::size_t target) {
  std::size_t injected = 0;
  for (int attempts = 0; injected < target && attempts < 100'000; ++attempts) {
    std::size_t v = static_cast<std::size_t>(rng.uniform_int(0, data_.vendors.size() - 1));
    Vendor& vendor = data_.vendors[v];
    int first = active_from(v) + 30;
    if (first > kDataLastDay - 20) continue;  // too new for a takeover
    int day = static_cast<int>(rng.uniform_int(first, kDataLastDay - 20));
    std::int64_t from = day_start(day) + rng.uniform_int(8 * 3600, 17 * 3600);
    std::int64_t until = from + rng.uniform_int(21, 45) * kSecondsPerDay;
    std::string original = iban_at(vendor, from);
    std::string mule = mule_iban(rng, vendor, 0.6);
    vendor.bank_history.push_back({from, mule});
    vendor.bank_history.push_back({until, original});
    std::sort(vendor.bank_history.begin(), vendor.bank_history.end(),
              [](const BankChange& a, const BankChange& b) { return a.at < b.at; });
    takeovers_.push_back({v, from, until, mule});
    auto k = static_cast<std::size_t>(rng.uniform_int(1, 3));
    for (std::size_t i = 0; i < k && injected < target; ++i, ++injected) {
      int pay_day = day + static_cast<int>(rng.uniform_int(1, 14));
      std::int64_t cents = usual_amount(rng, v);
      if (rng.chance(0.4)) cents = std::llround(static_cast<double>(cents) * rng.uniform(2, 5));
      std::int64_t at = request_time(rng, pay_day, rng.chance(0.15));
      OutgoingPayment p = payment(v, at, cents, kRegular[rng.weighted(kRegularWeights)]);
      p.iban = mule;
      p.label_fraud = true;
      p.pattern = "bank_change";
      drafts_.push_back(std::move(p));
    }
  }
  return injected;
}

// A payment to an account that is not the vendor's, often requested by a rarely seen
// user outside business hours.
void PaymentsBuilder::diverted(Rng& rng, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t v = static_cast<std::size_t>(rng.uniform_int(0, data_.vendors.size() - 1));
    int day = static_cast<int>(rng.uniform_int(active_from(v), kDataLastDay));
    std::int64_t at = request_time(rng, day, rng.chance(0.5));
    std::int64_t cents =
        std::llround(static_cast<double>(usual_amount(rng, v)) * rng.uniform(0.8, 3));
    if (rng.chance(0.3)) cents = std::max<std::int64_t>(1, cents / 100'000) * 100'000;
    OutgoingPayment p = payment(
        v, at, cents, rng.chance(0.7) ? rare_user(rng) : kRegular[rng.weighted(kRegularWeights)]);
    p.iban = mule_iban(rng, data_.vendors[v], 0.5);
    p.label_fraud = true;
    p.pattern = "diverted_iban";
    drafts_.push_back(std::move(p));
  }
}

// A payment to the vendor's real account for far more than it is usually paid.
void PaymentsBuilder::inflated(Rng& rng, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t v = static_cast<std::size_t>(rng.uniform_int(0, data_.vendors.size() - 1));
    int day = static_cast<int>(
        rng.uniform_int(std::min(active_from(v) + 60, kDataLastDay), kDataLastDay));
    std::int64_t at = request_time(rng, day, rng.chance(0.4));
    double mean = std::exp(profiles_[v].log_amount);
    auto cents = std::llround(mean * rng.uniform(4, 15) * 100);
    if (rng.chance(0.5)) cents = std::max<std::int64_t>(1, cents / 100'000) * 100'000;
    OutgoingPayment p = payment(
        v, at, cents, rng.chance(0.5) ? rare_user(rng) : kRegular[rng.weighted(kRegularWeights)]);
    p.label_fraud = true;
    p.pattern = "inflated_amount";
    drafts_.push_back(std::move(p));
  }
}

// Payments that happened to be made while a mule account was on file went to it.
void PaymentsBuilder::finish() {
  for (auto& p : drafts_) {
    if (p.label_fraud) continue;
    for (const auto& t : takeovers_) {
      if (data_.vendors[t.vendor].vendor_id == p.vendor_id && p.requested_at >= t.from &&
          p.requested_at < t.until) {
        p.iban = t.iban;
        p.label_fraud = true;
        p.pattern = "bank_change";
      }
    }
  }
  std::vector<std::size_t> order(drafts_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return drafts_[a].requested_at < drafts_[b].requested_at;
  });
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    OutgoingPayment& p = drafts_[order[rank]];
    p.payment_id = record_id("PAY-", rank + 1, 6);
    data_.payments.push_back(std::move(p));
  }
  for (auto& v : data_.vendors) {
    v.iban = v.bank_history.back().iban;
    if (v.bank_history.size() > 1) v.bank_changed_at = v.bank_history.back().at;
  }
}

PaymentsData PaymentsBuilder::build() {
  make_vendors();
  std::size_t fraud = std::max<std::size_t>(
      3, static_cast<std::size_t>(std::llround(static_cast<double>(rows_) * kFraudShare)));
  Rng rng = root_.fork(2);
  std::size_t takeover_payments = bank_change_frauds(rng, fraud * 35 / 100);
  std::size_t diverted_count = fraud * 35 / 100;
  std::size_t inflated_count = fraud - takeover_payments - diverted_count;
  diverted(rng, diverted_count);
  inflated(rng, inflated_count);
  Rng legit = root_.fork(3);
  legitimate(legit, rows_ - fraud);
  finish();
  return std::move(data_);
}

}  // namespace

const std::string& iban_at(const Vendor& vendor, std::int64_t at) {
  const std::string* iban = &vendor.bank_history.front().iban;
  for (const auto& change : vendor.bank_history) {
    if (change.at > at) break;
    iban = &change.iban;
  }
  return *iban;
}

std::optional<std::int64_t> bank_change_before(const Vendor& vendor, std::int64_t at) {
  std::optional<std::int64_t> last;
  for (std::size_t i = 1; i < vendor.bank_history.size(); ++i) {
    if (vendor.bank_history[i].at > at) break;
    last = vendor.bank_history[i].at;
  }
  return last;
}

PaymentsData generate_payments(std::size_t payments, std::uint64_t seed) {
  return PaymentsBuilder(std::max<std::size_t>(payments, 100), seed).build();
}

const std::vector<std::string>& payments_model_features() {
  static const std::vector<std::string> names = {"amount",
                                                 "bank_changed_recently",
                                                 "new_payee",
                                                 "iban_differs_from_master",
                                                 "amount_zscore",
                                                 "round_amount",
                                                 "outside_business_hours",
                                                 "iban_country_differs"};
  return names;
}

namespace {

struct VendorStats {
  std::size_t count = 0;
  double mean = 0;
  double stddev = 0;  // sample standard deviation (n - 1)
  bool iban_seen = false;
};

// Earlier payments to the vendor requested in [at - lookback, at).
VendorStats vendor_stats(const std::vector<const OutgoingPayment*>& earlier, std::int64_t at,
                         const std::string& iban) {
  VendorStats s;
  double sum = 0, sum_sq = 0;
  for (const OutgoingPayment* p : earlier) {
    if (p->requested_at < at - kLookbackDays * kSecondsPerDay) continue;
    double amount = static_cast<double>(p->amount_cents) / 100;
    ++s.count;
    sum += amount;
    sum_sq += amount * amount;
    s.iban_seen = s.iban_seen || p->iban == iban;
  }
  if (s.count > 0) s.mean = sum / static_cast<double>(s.count);
  if (s.count > 1) {
    double n = static_cast<double>(s.count);
    s.stddev = std::sqrt(std::max(0.0, (sum_sq - n * s.mean * s.mean) / (n - 1)));
  }
  return s;
}

bool starts_with_country(const std::string& iban, const std::string& country) {
  return iban.size() >= country.size() &&
         std::equal(country.begin(), country.end(), iban.begin(),
                    [](char a, char b) { return std::toupper(a) == std::toupper(b); });
}

}  // namespace

FeatureTable payments_features(const PaymentsData& data) {
  FeatureTable table = feature_table("payment_id", payments_model_features(),
                                     {"amount_vs_vendor_mean", "days_since_bank_change", "hour",
                                      "new_iban", "requester_rarity", "label_fraud"},
                                     "label_pattern");
  auto index = index_by(data.vendors, &Vendor::vendor_id);
  std::vector<std::vector<const OutgoingPayment*>> earlier(data.vendors.size());
  std::map<std::string, std::vector<std::int64_t>> requests;  // user -> request times, ascending
  for (const OutgoingPayment& p : data.payments) {
    std::size_t v = index[p.vendor_id];
    const Vendor& vendor = data.vendors[v];
    VendorStats s = vendor_stats(earlier[v], p.requested_at, p.iban);
    auto change = bank_change_before(vendor, p.requested_at);
    double since_change =
        change ? static_cast<double>(days_between(*change, p.requested_at)) : kNaN;
    double amount = static_cast<double>(p.amount_cents) / 100;
    int hour = local_hour(p.requested_at, p.offset_minutes);
    auto& times = requests[p.requested_by];
    auto recent = std::lower_bound(times.begin(), times.end(),
                                   p.requested_at - kLookbackDays * kSecondsPerDay);
    double prior_requests = static_cast<double>(times.end() - recent);
    table.ids.push_back(p.payment_id);
    table.rows.push_back(
        {amount, change && since_change <= 30 ? 1.0 : 0.0, s.count == 0 ? 1.0 : 0.0,
         p.iban != iban_at(vendor, p.requested_at) ? 1.0 : 0.0,
         s.count > 1 && s.stddev > 0 ? (amount - s.mean) / s.stddev : 0.0,
         p.amount_cents % 100'000 == 0 ? 1.0 : 0.0, hour <= 6 || hour >= 19 ? 1.0 : 0.0,
         starts_with_country(p.iban, vendor.country) ? 0.0 : 1.0,
         // extras
         s.count > 0 ? amount / s.mean : kNaN, since_change, static_cast<double>(hour),
         s.iban_seen ? 0.0 : 1.0, 1.0 / (1.0 + prior_requests),
         // label
         p.label_fraud ? 1.0 : 0.0});
    table.texts.push_back(p.pattern);
    earlier[v].push_back(&p);
    times.push_back(p.requested_at);
  }
  return table;
}

std::vector<GeneratedFile> payments_files(const PaymentsData& data, const FeatureTable& features) {
  std::vector<GeneratedFile> files;
  files.push_back(vendors_file(data.vendors));
  CsvWriter payments({"payment_id", "vendor_id", "amount", "currency", "iban", "requested_by",
                      "requested_at", "label_fraud"});
  for (const auto& p : data.payments) {
    payments.text(p.payment_id)
        .text(p.vendor_id)
        .money(p.amount_cents)
        .text(p.currency)
        .text(p.iban);
    payments.text(p.requested_by).text(format_timestamp(p.requested_at, p.offset_minutes));
    payments.integer(p.label_fraud ? 1 : 0).end_row();
  }
  files.push_back(csv_file("outgoing_payments.csv", payments));
  files.push_back(features_file(features));
  return files;
}

}  // namespace ledgerflow::datagen
