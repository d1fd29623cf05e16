// generate_ap(): base invoices first (vendors, POs, receipts), then the injected
// patterns, each drawn from its own forked stream, then everything sorted by arrival.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

#include "plugins/finance/datagen/ap_data.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/synthetic.h"
#include "plugins/finance/datagen/tables.h"
#include "plugins/finance/records/duplicate_rules.h"
#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {
using records::normalize_invoice_number;
namespace {

// Shares of all invoices (docs/record_formats.md labels; README.md "AP").
constexpr double kExactShare = 0.012;
constexpr double kNearShare = 0.008;
constexpr double kResubmissionShare = 0.006;
constexpr double kCrossVendorShare = 0.003;
constexpr double kSplitShare = 0.01;
constexpr double kMismatchShare = 0.03;
constexpr double kBankChangeShare = 0.12;  // of vendors

constexpr std::array<const char*, 4> kClerks = {"alice", "clerk2", "clerk3", "clerk4"};
constexpr std::array<double, 4> kClerkWeights = {55, 20, 15, 10};
constexpr std::array<int, 6> kTerms = {14, 30, 30, 30, 45, 60};
constexpr std::array<std::int64_t, 3> kThresholds = {1'000, 10'000, 50'000};  // approval tiers
constexpr std::array<double, 3> kThresholdWeights = {30, 50, 20};

struct VendorProfile {
  double log_line_total = 6;  // ln of a typical line total, in currency units
  double po_share = 0.5;
  int terms_days = 30;
  int number_style = 0;
  std::int64_t counter = 1;
  std::string prefix;  // letters of number style 2
};

struct Draft {
  Invoice inv;
  std::size_t vendor = 0;
  int original = -1;  // the draft it duplicates
  std::size_t sequence = 0;
};

std::int64_t work_time(Rng& rng) {
  return rng.uniform_int(8 * 3600, 18 * 3600);
}

std::string invoice_number_text(const VendorProfile& p, int date, std::int64_t n) {
  char text[48];
  int year = civil_from_days(date).year;
  auto v = static_cast<long long>(n);
  switch (p.number_style) {
    case 0:
      std::snprintf(text, sizeof(text), "INV-%d-%05lld", year, v);
      break;
    case 1:
      std::snprintf(text, sizeof(text), "%06lld", v);
      break;
    case 2:
      std::snprintf(text, sizeof(text), "%s%lld", p.prefix.c_str(), v);
      break;
    case 3:
      std::snprintf(text, sizeof(text), "%d/%04lld", year, v);
      break;
    default:
      std::snprintf(text, sizeof(text), "F%07lld", v);
      break;
  }
  return text;
}

// The same number as the normalisation sees it, written differently (case, separators,
// leading zeros), or unchanged.
std::string exact_variant(const std::string& number, Rng& rng) {
  std::string v = number;
  switch (rng.uniform_int(0, 4)) {
    case 1:
      for (char& c : v) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      break;
    case 2:
      for (char& c : v) c = c == '-' || c == '/' ? ' ' : c;
      if (v == number) v.insert(0, " ");
      break;
    case 3: {
      auto last = v.find_last_not_of("0123456789");
      v.insert(last == std::string::npos ? 0 : last + 1, "00");
      break;
    }
    case 4:
      std::erase_if(v, [](char c) { return c == '-' || c == '/' || c == ' '; });
      break;
    default:
      break;
  }
  return normalize_invoice_number(v) == normalize_invoice_number(number) ? v : number;
}

// Swaps two neighbouring, different digits of the last run of digits (not its leading
// zeros): a typing error at edit distance 1.
std::optional<std::string> transpose_digits(const std::string& number, Rng& rng) {
  auto end = number.find_last_of("0123456789");
  if (end == std::string::npos) return std::nullopt;
  std::size_t start = end;
  while (start > 0 && number[start - 1] >= '0' && number[start - 1] <= '9') --start;
  while (start < end && number[start] == '0') ++start;
  std::vector<std::size_t> positions;
  for (std::size_t i = start; i < end; ++i) {
    bool leading_zero_after = i == start && number[i + 1] == '0';
    if (number[i] != number[i + 1] && !leading_zero_after) positions.push_back(i);
  }
  if (positions.empty()) return std::nullopt;
  std::string out = number;
  std::size_t i = rng.pick(positions);
  std::swap(out[i], out[i + 1]);
  return out;
}

std::int64_t sum_lines(const std::vector<InvoiceLine>& lines) {
  std::int64_t total = 0;
  for (const auto& l : lines) total += l.qty * l.unit_price_cents;
  return total;
}

// k distinct indices of `pool`, by a partial Fisher-Yates shuffle.
std::vector<std::size_t> sample(Rng& rng, std::vector<std::size_t> pool, std::size_t k) {
  k = std::min(k, pool.size());
  for (std::size_t i = 0; i < k; ++i) {
    auto j = static_cast<std::size_t>(
        rng.uniform_int(static_cast<std::int64_t>(i), static_cast<std::int64_t>(pool.size()) - 1));
    std::swap(pool[i], pool[j]);
  }
  pool.resize(k);
  return pool;
}

std::size_t share(std::size_t rows, double fraction) {
  return static_cast<std::size_t>(std::llround(static_cast<double>(rows) * fraction));
}

class ApBuilder {
 public:
  ApBuilder(std::size_t rows, std::uint64_t seed) : rows_(rows), root_(seed) {}

  ApData build();

 private:
  void make_vendors(std::size_t count);
  Draft base_invoice(Rng& rng, std::size_t vendor, bool allow_po = true);
  void attach_po(Rng& rng, Draft& d);
  void assign_numbers();
  void inject_mismatches(Rng& rng, std::size_t count);
  void change_banks(Rng& rng);
  Draft copy_of(std::size_t original, Rng& rng, std::int64_t min_days, std::int64_t max_days);
  void inject_exact(Rng& rng, std::size_t count);
  void inject_near(Rng& rng, std::size_t count);
  void inject_resubmissions(Rng& rng, std::size_t count);
  void inject_cross_vendor(Rng& rng, std::size_t count);
  void inject_splits(Rng& rng, std::size_t parts);
  std::size_t twin_of(Rng& rng, std::size_t vendor, int before_day);
  std::string next_number(std::size_t vendor, int date, Rng& rng);
  std::vector<std::size_t> originals() const;  // base drafts a duplicate may copy
  void add(Draft d);
  ApData finish();

  std::size_t rows_;
  Rng root_;
  ApData data_;
  std::vector<VendorProfile> profiles_;
  std::vector<double> weights_;
  std::vector<Draft> drafts_;
  std::map<std::size_t, std::size_t> twins_;  // vendor -> its twin record
  std::size_t base_count_ = 0;
  std::int64_t next_po_ = 100'001;
  std::int64_t next_receipt_ = 100'001;
};

void ApBuilder::make_vendors(std::size_t count) {
  Rng rng = root_.fork(1);
  for (std::size_t i = 0; i < count; ++i) {
    Vendor v = vendor_identity(rng, i + 1);
    int created = rng.chance(0.15) ? kDataFirstDay + static_cast<int>(rng.uniform_int(0, 600))
                                   : kDataFirstDay - static_cast<int>(rng.uniform_int(30, 3000));
    v.created_at = day_start(created) + work_time(rng);
    v.bank_history.push_back({v.created_at, v.iban});
    VendorProfile p;
    p.log_line_total = std::log(rng.uniform(150, 8000));
    p.po_share = rng.chance(0.6) ? 0.9 : 0.15;
    p.terms_days = kTerms[rng.uniform_int(0, kTerms.size() - 1)];
    p.number_style = static_cast<int>(rng.uniform_int(0, 4));
    p.counter = rng.uniform_int(1, 5000);
    p.prefix = {static_cast<char>('A' + rng.uniform_int(0, 25)),
                static_cast<char>('A' + rng.uniform_int(0, 25))};
    data_.vendors.push_back(std::move(v));
    profiles_.push_back(p);
    weights_.push_back(rng.lognormal(0, 1));
  }
}

Draft ApBuilder::base_invoice(Rng& rng, std::size_t vendor, bool allow_po) {
  const auto& p = profiles_[vendor];
  const auto& v = data_.vendors[vendor];
  Draft d;
  d.vendor = vendor;
  Invoice& inv = d.inv;
  inv.vendor_id = v.vendor_id;
  int first = std::max(kDataFirstDay, day_of(v.created_at) + 7);
  inv.invoice_date = static_cast<int>(rng.uniform_int(std::min(first, kDataLastDay), kDataLastDay));
  inv.due_date = inv.invoice_date + p.terms_days;
  inv.currency = currency_of(v.country);
  inv.submitted_by = kClerks[rng.weighted(kClerkWeights)];
  inv.arrived_at =
      day_start(inv.invoice_date) + rng.uniform_int(0, 5) * kSecondsPerDay + work_time(rng);
  bool with_po = rng.chance(p.po_share) && allow_po;
  if (!with_po && rng.chance(0.08)) {  // a flat service fee: a round amount
    auto units =
        std::max<std::int64_t>(1, std::llround(rng.lognormal(p.log_line_total, 0.5) / 100));
    inv.lines.push_back({1, std::nullopt, 1, units * 100 * 100});
  } else {
    int lines = 1 + rng.chance(0.35) + rng.chance(0.15);
    for (int i = 1; i <= lines; ++i) {
      std::int64_t qty = rng.uniform_int(1, 20);
      double total = rng.lognormal(p.log_line_total - std::log(lines), 0.7) * 100;
      std::int64_t price =
          std::max<std::int64_t>(100, std::llround(total / static_cast<double>(qty)));
      inv.lines.push_back({i, std::nullopt, qty, price});
    }
  }
  if (with_po) attach_po(rng, d);
  inv.amount_cents = sum_lines(inv.lines);
  return d;
}

void ApBuilder::attach_po(Rng& rng, Draft& d) {
  Invoice& inv = d.inv;
  inv.po_number = "PO-" + std::to_string(next_po_++);
  for (auto& line : inv.lines) {
    line.po_line_no = line.line_no;
    std::int64_t ordered = line.qty;
    if (rng.chance(0.08)) ordered += rng.uniform_int(1, line.qty);  // partly delivered so far
    data_.po_lines.push_back({inv.po_number, inv.vendor_id, line.line_no,
                              "ITEM-" + std::to_string(rng.uniform_int(1000, 9999)), ordered,
                              line.unit_price_cents, inv.currency});
    int received_day = inv.invoice_date - static_cast<int>(rng.uniform_int(1, 14));
    data_.receipts.push_back({"GR-" + std::to_string(next_receipt_++), inv.po_number, line.line_no,
                              line.qty, day_start(received_day) + work_time(rng)});
  }
}

void ApBuilder::add(Draft d) {
  d.sequence = drafts_.size();
  drafts_.push_back(std::move(d));
}

// Vendor invoice numbers grow with the invoice date (vendors bill other customers too,
// so the counter jumps).
void ApBuilder::assign_numbers() {
  Rng rng = root_.fork(3);
  std::vector<std::size_t> order(drafts_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return drafts_[a].inv.invoice_date != drafts_[b].inv.invoice_date
               ? drafts_[a].inv.invoice_date < drafts_[b].inv.invoice_date
               : a < b;
  });
  for (std::size_t i : order) {
    Draft& d = drafts_[i];
    d.inv.invoice_number = next_number(d.vendor, d.inv.invoice_date, rng);
  }
}

std::string ApBuilder::next_number(std::size_t vendor, int date, Rng& rng) {
  auto& p = profiles_[vendor];
  p.counter += rng.uniform_int(3, 60);
  return invoice_number_text(p, date, p.counter);
}

void ApBuilder::inject_mismatches(Rng& rng, std::size_t count) {
  std::vector<std::size_t> pool;
  for (std::size_t i = 0; i < base_count_; ++i) {
    if (!drafts_[i].inv.po_number.empty()) pool.push_back(i);
  }
  std::map<std::pair<std::string, int>, std::size_t> receipt_of;  // (po, line) -> receipt
  for (std::size_t r = 0; r < data_.receipts.size(); ++r) {
    receipt_of[{data_.receipts[r].po_number, data_.receipts[r].line_no}] = r;
  }
  for (std::size_t i : sample(rng, pool, count)) {
    Invoice& inv = drafts_[i].inv;
    auto& line = inv.lines[rng.uniform_int(0, inv.lines.size() - 1)];
    auto found = receipt_of.find({inv.po_number, line.line_no});
    Receipt* receipt = found == receipt_of.end() ? nullptr : &data_.receipts[found->second];
    if (line.qty >= 2 && receipt != nullptr && rng.chance(0.5)) {
      receipt->qty_received =
          line.qty - rng.uniform_int(1, std::max<std::int64_t>(1, line.qty / 3));
      drafts_[i].inv.pattern = ApPattern::quantity_mismatch;
    } else {
      line.unit_price_cents =
          std::llround(static_cast<double>(line.unit_price_cents) * (1 + rng.uniform(0.05, 0.20)));
      drafts_[i].inv.pattern = ApPattern::price_mismatch;
    }
    inv.amount_cents = sum_lines(inv.lines);
    inv.label_error = true;
  }
}

// Some vendors change bank accounts, shortly before one of their invoices.
void ApBuilder::change_banks(Rng& rng) {
  std::vector<std::vector<std::size_t>> by_vendor(data_.vendors.size());
  for (std::size_t i = 0; i < base_count_; ++i) by_vendor[drafts_[i].vendor].push_back(i);
  for (std::size_t v = 0; v < by_vendor.size(); ++v) {
    if (!rng.chance(kBankChangeShare) || by_vendor[v].size() < 2) continue;
    const Invoice& target = drafts_[rng.pick(by_vendor[v])].inv;
    Vendor& vendor = data_.vendors[v];
    std::int64_t at =
        day_start(target.invoice_date - static_cast<int>(rng.uniform_int(1, 20))) + work_time(rng);
    if (at <= vendor.created_at + kSecondsPerDay) continue;
    vendor.iban = make_iban(rng, vendor.country);
    vendor.bank_changed_at = at;
    vendor.bank_history.push_back({at, vendor.iban});
  }
}

std::vector<std::size_t> ApBuilder::originals() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < base_count_; ++i) {
    if (drafts_[i].inv.pattern != ApPattern::split) out.push_back(i);
  }
  return out;
}

// A copy of a base invoice that arrives `min_days` to `max_days` after it.
Draft ApBuilder::copy_of(std::size_t original, Rng& rng, std::int64_t min_days,
                         std::int64_t max_days) {
  Draft d = drafts_[original];
  d.original = static_cast<int>(original);
  d.inv.arrived_at +=
      rng.uniform_int(min_days, max_days) * kSecondsPerDay + rng.uniform_int(60, 3600);
  d.inv.submitted_by = kClerks[rng.weighted(kClerkWeights)];
  return d;
}

void ApBuilder::inject_exact(Rng& rng, std::size_t count) {
  auto pool = originals();
  for (std::size_t n = 0; n < count; ++n) {
    Draft d = copy_of(rng.pick(pool), rng, 3, 60);
    d.inv.invoice_number = exact_variant(d.inv.invoice_number, rng);
    d.inv.pattern = ApPattern::exact_duplicate;
    add(std::move(d));
  }
}

void ApBuilder::inject_near(Rng& rng, std::size_t count) {
  auto pool = originals();
  for (std::size_t n = 0; n < count; ++n) {
    std::optional<std::string> number;
    std::size_t original = 0;
    for (int attempt = 0; attempt < 50 && !number; ++attempt) {
      original = rng.pick(pool);
      number = transpose_digits(drafts_[original].inv.invoice_number, rng);
    }
    if (!number) {  // all digits alike in 50 draws: practically never; keep the row count
      inject_exact(rng, 1);
      continue;
    }
    Draft d = copy_of(original, rng, 2, 45);
    Invoice& inv = d.inv;
    inv.invoice_number = *number;
    std::int64_t before = inv.amount_cents;
    double factor = 1 + rng.uniform(-0.009, 0.009);
    for (auto& line : inv.lines) {
      line.unit_price_cents = std::llround(static_cast<double>(line.unit_price_cents) * factor);
    }
    inv.amount_cents = sum_lines(inv.lines);
    if (std::llabs(inv.amount_cents - before) * 100 > std::max(before, inv.amount_cents)) {
      inv.lines = drafts_[original].inv.lines;  // rounding pushed it past 1%: keep the amount
      inv.amount_cents = before;
    }
    // Dated up to 7 days either side; PO invoices only later, so their receipts (booked
    // before the original's date) still precede them.
    int shift = static_cast<int>(rng.uniform_int(inv.po_number.empty() ? -7 : 0, 7));
    inv.invoice_date += shift;
    inv.due_date += shift;
    inv.arrived_at = std::max(inv.arrived_at, day_start(inv.invoice_date) + work_time(rng));
    inv.pattern = ApPattern::near_duplicate;
    add(std::move(d));
  }
}

void ApBuilder::inject_resubmissions(Rng& rng, std::size_t count) {
  auto pool = originals();
  for (std::size_t n = 0; n < count; ++n) {
    Draft d = copy_of(rng.pick(pool), rng, 10, 90);
    d.inv.invoice_number = next_number(d.vendor, d.inv.invoice_date, rng);
    d.inv.pattern = ApPattern::resubmission;
    add(std::move(d));
  }
}

// The vendor's second master record: another id and a name written differently, the
// same bank account (the way one supplier ends up in the vendor master twice).
std::size_t ApBuilder::twin_of(Rng& rng, std::size_t vendor, int before_day) {
  if (auto it = twins_.find(vendor); it != twins_.end()) return it->second;
  Vendor twin = data_.vendors[vendor];
  twin.vendor_id = record_id("V-", data_.vendors.size() + 1, 5);
  for (char& c : twin.name) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  twin.tax_id = make_tax_id(rng, twin.country);
  twin.created_at =
      day_start(before_day - static_cast<int>(rng.uniform_int(1, 60))) + work_time(rng);
  twin.bank_changed_at.reset();
  twin.bank_history = {{twin.created_at, twin.iban}};
  std::size_t index = data_.vendors.size();
  data_.vendors.push_back(std::move(twin));
  profiles_.push_back(profiles_[vendor]);
  weights_.push_back(0);
  twins_[vendor] = index;
  return index;
}

void ApBuilder::inject_cross_vendor(Rng& rng, std::size_t count) {
  // Vendors whose account never changed, so the twins share it at every point in time.
  std::vector<std::size_t> pool;
  for (std::size_t i : originals()) {
    if (!data_.vendors[drafts_[i].vendor].bank_changed_at) pool.push_back(i);
  }
  for (std::size_t n = 0; n < count; ++n) {
    std::size_t original = rng.pick(pool);
    Draft d = copy_of(original, rng, 2, 40);
    d.vendor = twin_of(rng, drafts_[original].vendor, d.inv.invoice_date);
    d.inv.vendor_id = data_.vendors[d.vendor].vendor_id;
    if (rng.chance(0.5)) d.inv.invoice_number = next_number(d.vendor, d.inv.invoice_date, rng);
    d.inv.po_number.clear();
    for (auto& line : d.inv.lines) line.po_line_no.reset();
    d.inv.label_error = false;
    d.inv.pattern = ApPattern::cross_vendor_duplicate;
    add(std::move(d));
  }
}

// Groups of 2-3 invoices of one vendor within a few days, each just under an approval
// tier (0.5-1.5%, 3-4%, 5.5-6.5% below it, so no two are within 1% of each other and
// none looks like a near duplicate of another).
void ApBuilder::inject_splits(Rng& rng, std::size_t parts) {
  WeightedPicker vendors(weights_);
  while (parts >= 2) {
    std::size_t k = parts == 4 || parts < 3 ? 2 : static_cast<std::size_t>(rng.uniform_int(2, 3));
    std::size_t vendor = vendors.pick(rng);
    std::int64_t tier = kThresholds[rng.weighted(kThresholdWeights)];
    Draft first = base_invoice(rng, vendor, false);
    for (std::size_t i = 0; i < k; ++i) {
      Draft d = first;
      d.inv.po_number.clear();
      double below = 0.005 + 0.025 * static_cast<double>(i) + rng.uniform(0, 0.01);
      std::int64_t units =
          static_cast<std::int64_t>(static_cast<double>(tier) * (1 - below) / 10) * 10;
      d.inv.lines = {{1, std::nullopt, 1, units * 100}};
      d.inv.amount_cents = units * 100;
      int shift = static_cast<int>(rng.uniform_int(0, 3));
      d.inv.invoice_date = std::min(kDataLastDay, d.inv.invoice_date + shift);
      d.inv.due_date = d.inv.invoice_date + profiles_[vendor].terms_days;
      d.inv.arrived_at =
          day_start(d.inv.invoice_date) + rng.uniform_int(0, 2) * kSecondsPerDay + work_time(rng);
      d.inv.invoice_number = next_number(vendor, d.inv.invoice_date, rng);
      d.inv.pattern = ApPattern::split;
      add(std::move(d));
    }
    parts -= k;
  }
}

ApData ApBuilder::build() {
  std::size_t exact = share(rows_, kExactShare), near = share(rows_, kNearShare),
              resubmissions = share(rows_, kResubmissionShare),
              cross = share(rows_, kCrossVendorShare), splits = share(rows_, kSplitShare);
  if (splits == 1) splits = 0;
  std::size_t injected = exact + near + resubmissions + cross + splits;
  base_count_ = rows_ - injected;
  make_vendors(std::clamp<std::size_t>(rows_ / 40, 10, 50'000));
  {
    Rng rng = root_.fork(2);
    WeightedPicker vendors(weights_);
    for (std::size_t i = 0; i < base_count_; ++i) add(base_invoice(rng, vendors.pick(rng)));
  }
  assign_numbers();
  Rng inject = root_.fork(4);
  inject_mismatches(inject, share(rows_, kMismatchShare));
  change_banks(inject);
  inject_cross_vendor(inject, cross);
  inject_exact(inject, exact);
  inject_near(inject, near);
  inject_resubmissions(inject, resubmissions);
  inject_splits(inject, splits);
  return finish();
}

// Sorts by arrival, assigns invoice ids in that order and resolves duplicate links.
ApData ApBuilder::finish() {
  std::vector<std::size_t> order(drafts_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return drafts_[a].inv.arrived_at != drafts_[b].inv.arrived_at
               ? drafts_[a].inv.arrived_at < drafts_[b].inv.arrived_at
               : a < b;
  });
  std::vector<std::string> ids(drafts_.size());
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    ids[order[rank]] = record_id("API-", rank + 1, 6);
  }
  for (std::size_t i : order) {
    Draft& d = drafts_[i];
    d.inv.invoice_id = ids[i];
    if (d.original >= 0) d.inv.label_duplicate_of = ids[static_cast<std::size_t>(d.original)];
    data_.invoices.push_back(std::move(d.inv));
  }
  return std::move(data_);
}

}  // namespace

ApData generate_ap(std::size_t invoices, std::uint64_t seed) {
  return ApBuilder(std::max<std::size_t>(invoices, 100), seed).build();
}

}  // namespace ledgerflow::datagen
