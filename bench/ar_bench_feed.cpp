#include "ar_bench_feed.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

#include "engine/expr/timestamp.h"

namespace ledgerflow::bench {
namespace {

constexpr int kIssueWindowDays = 120;  // open invoices were issued in the last 120 days
constexpr int kTerms[] = {14, 30, 30, 30, 45, 60};
constexpr double kDisputedShare = 0.02;

std::string money(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

std::string customer_id(std::size_t c) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "C-%07zu", c + 1);
  return buf;
}

std::string invoice_id(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "ARI-%09zu", i + 1);
  return buf;
}

// The sequence part of the number, and the number.
std::string sequence_text(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%07zu", i + 1);
  return buf;
}

std::string invoice_number(std::size_t i) {
  return "SI-2025-" + sequence_text(i);
}

struct CustomerTraits {
  const char* currency;
  const char* country;
  int terms;
  double log_amount;  // log of the usual invoice size
};

records::Record validated(const records::RecordType& type, records::RowCells cells,
                          std::size_t row) {
  std::vector<records::RowProblem> problems;
  auto r = records::validate_row(type, cells, problems);
  if (!r) {
    std::string all;
    for (const auto& p : problems) all += " " + p.column + " '" + p.value + "': " + p.reason;
    throw std::runtime_error("ar_bench feed: invalid " + std::string(type.name) + " row:" + all);
  }
  r->row = row;
  return std::move(*r);
}

}  // namespace

ArBenchFeed::ArBenchFeed(std::size_t open_invoices, std::uint64_t seed)
    : invoices_(open_invoices),
      customers_(std::max<std::size_t>(10, open_invoices / kOpenPerCustomer)),
      seed_(seed) {}

// splitmix64 of (seed, a, b): every field is a function of its index.
std::uint64_t ArBenchFeed::hash(std::uint64_t a, std::uint64_t b) const {
  std::uint64_t z = seed_ * 0x9E3779B97F4A7C15ULL + a * 0xBF58476D1CE4E5B9ULL + b + 1;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double ArBenchFeed::unit(std::uint64_t a, std::uint64_t b) const {
  return static_cast<double>(hash(a, b) >> 11) * 0x1.0p-53;
}

namespace {

CustomerTraits traits_of(double u_currency, double u_terms, double u_size) {
  CustomerTraits t{"EUR", "DE", 30, 0};
  if (u_currency >= 0.95) {
    t = {"GBP", "GB", 30, 0};
  } else if (u_currency >= 0.80) {
    t = {"USD", "US", 30, 0};
  }
  t.terms = kTerms[static_cast<std::size_t>(u_terms * std::size(kTerms))];
  t.log_amount = std::log(300.0) + u_size * (std::log(15'000.0) - std::log(300.0));
  return t;
}

}  // namespace

ArBenchFeed::Invoice ArBenchFeed::invoice(std::size_t i) const {
  Invoice inv;
  inv.customer = static_cast<std::uint32_t>(hash(i, 1) % customers_);
  const std::uint64_t c = inv.customer;
  const CustomerTraits t = traits_of(unit(c, 101), unit(c, 102), unit(c, 103));
  inv.invoice_day = kAsOfDay - static_cast<int>(hash(i, 2) % kIssueWindowDays);
  inv.due_day = inv.invoice_day + t.terms;
  // Log-normal around the customer's usual size (sd 0.6, Box-Muller).
  const double u1 = std::max(unit(i, 3), 1e-12), u2 = unit(i, 4);
  const double normal = std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
  inv.cents =
      std::max<std::int64_t>(1000, std::llround(std::exp(t.log_amount + 0.6 * normal) * 100));
  inv.disputed = unit(i, 5) < kDisputedShare;
  return inv;
}

std::vector<records::Record> ArBenchFeed::customer_records() const {
  const auto& type = *records::find_record_type("customers");
  std::vector<records::Record> out;
  out.reserve(customers_);
  for (std::size_t c = 0; c < customers_; ++c) {
    const CustomerTraits t = traits_of(unit(c, 101), unit(c, 102), unit(c, 103));
    const std::int64_t limit = 50'000 + static_cast<std::int64_t>(hash(c, 104) % 10) * 50'000;
    out.push_back(validated(type,
                            {{{"customer_id", customer_id(c)},
                              {"name", "Customer " + std::to_string(c + 1)},
                              {"country", t.country},
                              {"credit_limit", money(limit * 100)},
                              {"currency", t.currency},
                              {"payment_terms_days", std::to_string(t.terms)},
                              {"created_at", "2020-01-02T09:00:00Z"}}},
                            c + 1));
  }
  return out;
}

std::vector<records::Record> ArBenchFeed::invoice_records(std::size_t first, std::size_t n) const {
  const auto& type = *records::find_record_type("ar_invoices");
  std::vector<records::Record> out;
  out.reserve(n);
  for (std::size_t i = first; i < first + n && i < invoices_; ++i) {
    const Invoice inv = invoice(i);
    const CustomerTraits t =
        traits_of(unit(inv.customer, 101), unit(inv.customer, 102), unit(inv.customer, 103));
    out.push_back(validated(type,
                            {{{"invoice_id", invoice_id(i)},
                              {"customer_id", customer_id(inv.customer)},
                              {"invoice_number", invoice_number(i)},
                              {"invoice_date", expr::format_date(inv.invoice_day)},
                              {"due_date", expr::format_date(inv.due_day)},
                              {"currency", t.currency},
                              {"amount", money(inv.cents)},
                              {"disputed", inv.disputed ? "1" : "0"}}},
                            i - first + 1));
  }
  return out;
}

std::vector<std::size_t> ArBenchFeed::take_unused(std::uint32_t customer, std::size_t n) {
  std::vector<std::size_t> out;
  for (std::uint32_t i : by_customer_[customer]) {
    if (out.size() == n) break;
    if (!used_[i]) out.push_back(i);
  }
  if (out.size() < n) return {};
  for (std::size_t i : out) used_[i] = true;
  return out;
}

std::vector<ArBenchPayment> ArBenchFeed::payments(int run, std::size_t count) {
  if (by_customer_.empty()) {
    by_customer_.resize(customers_);
    used_.assign(invoices_, false);
    // Each customer's invoices in a seeded random order, so payments pick at random.
    for (std::size_t i = 0; i < invoices_; ++i) {
      by_customer_[invoice(i).customer].push_back(static_cast<std::uint32_t>(i));
    }
    std::mt19937_64 shuffle(seed_ ^ 0x5eedULL);
    for (auto& list : by_customer_) std::shuffle(list.begin(), list.end(), shuffle);
  }
  std::mt19937_64 rng(seed_ * 1000 + static_cast<std::uint64_t>(run));
  auto pick = [&](std::size_t n) { return static_cast<std::size_t>(rng() % n); };
  const std::string received_at = expr::format_date(kAsOfDay + 1) + "T10:00:00Z";
  std::vector<ArBenchPayment> out;
  for (std::size_t j = 0; j < count; ++j) {
    ArBenchPayment p;
    const std::size_t slot = j % 10;
    p.kind = slot < 4 ? "exact" : slot < 6 ? "typo" : slot < 8 ? "several" : "no_customer";
    const std::size_t want = p.kind == "several" ? 2 + pick(2) : 1;
    std::vector<std::size_t> chosen;
    std::uint32_t customer = 0;
    for (int attempt = 0; attempt < 1000 && chosen.empty(); ++attempt) {
      customer = static_cast<std::uint32_t>(pick(customers_));
      chosen = take_unused(customer, want);
    }
    if (chosen.empty()) break;  // the store is used up
    std::int64_t cents = 0;
    std::string reference;
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      const std::size_t i = chosen[k];
      cents += invoice(i).cents;
      p.invoice_ids.push_back(invoice_id(i));
      std::string number = invoice_number(i);
      if (p.kind == "typo") {
        std::string seq = sequence_text(i);
        const std::size_t at = 1 + pick(seq.size() - 2);  // never the first or last digit
        switch (pick(3)) {
          case 0:
            seq[at] = static_cast<char>('0' + (seq[at] - '0' + 1 + pick(9)) % 10);
            break;
          case 1:
            seq.erase(at, 1);
            break;
          default:
            if (seq[at] == seq[at + 1]) {
              seq[at] = static_cast<char>('0' + (seq[at] - '0' + 1) % 10);
            } else {
              std::swap(seq[at], seq[at + 1]);
            }
        }
        number = "SI-2025-" + seq;
      }
      reference += k == 0 ? "" : ", ";
      reference += number;
    }
    switch (pick(4)) {
      case 0:
        reference = "Invoice " + reference;
        break;
      case 1:
        reference = "INV " + reference + " thank you";
        break;
      case 2:
        reference = "Payment " + reference + " of " + expr::format_date(kAsOfDay);
        break;
      default:
        break;
    }
    const CustomerTraits t =
        traits_of(unit(customer, 101), unit(customer, 102), unit(customer, 103));
    char id[48];
    std::snprintf(id, sizeof id, "P%d-%06zu", run, j + 1);
    p.payment = {{"payment_id", id},
                 {"amount", static_cast<double>(cents) / 100},
                 {"currency", t.currency},
                 {"received_at", received_at},
                 {"reference", reference}};
    if (p.kind != "no_customer") p.payment["customer_id"] = customer_id(customer);
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace ledgerflow::bench
