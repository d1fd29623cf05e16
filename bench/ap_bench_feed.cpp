#include "ap_bench_feed.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "engine/expr/timestamp.h"

namespace ledgerflow::bench {
namespace {

constexpr int kFirstDay = 19'723;  // 2024-01-01
constexpr int kDays = 731;         // .. 2025-12-31
constexpr const char* kInvoiceHeader =
    "invoice_id,vendor_id,invoice_number,invoice_date,due_date,currency,amount,po_number,"
    "submitted_by\n";

std::string money(std::int64_t cents) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return buf;
}

// A German IBAN for account `n`: bank code 37040044, check digits computed (mod 97).
std::string iban_for(std::size_t n) {
  char bban[32];
  std::snprintf(bban, sizeof bban, "37040044%010zu",
                static_cast<std::size_t>(n % 10'000'000'000ULL));
  const std::string rearranged = std::string(bban) + "131400";  // D=13, E=14, "00"
  int remainder = 0;
  for (char c : rearranged) remainder = (remainder * 10 + (c - '0')) % 97;
  char out[40];
  std::snprintf(out, sizeof out, "DE%02d%s", 98 - remainder, bban);
  return out;
}

std::string vendor_id(std::size_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "V%07zu", v);
  return buf;
}

std::string stored_id(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "S%09zu", i);
  return buf;
}

std::string stored_number(std::size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "INV-%08zu", i);
  return buf;
}

void append_invoice(std::string& out, const std::string& id, std::size_t vendor,
                    const std::string& number, int day, std::int64_t cents, const std::string& po) {
  out += id + ',' + vendor_id(vendor) + ',' + number + ',' + expr::format_date(day) + ',' +
         expr::format_date(day + 30) + ",EUR," + money(cents) + ',' + po + ",clerk\n";
}

}  // namespace

ApBenchFeed::ApBenchFeed(std::size_t stored, std::uint64_t seed)
    : vendors_(std::max<std::size_t>(10, stored / kInvoicesPerVendor)), rng_(seed) {}

std::string ApBenchFeed::vendors_csv() const {
  std::string out = "vendor_id,name,country,iban,tax_id,created_at,bank_changed_at\n";
  for (std::size_t v = 0; v < vendors_; ++v) {
    // Every 100th vendor is paid into the previous one's account (cross-vendor checks).
    const std::size_t account = v % 100 == 99 ? v - 1 : v;
    char row[256];
    std::snprintf(row, sizeof row, "%s,Vendor %zu,DE,%s,DE%09zu,2020-01-01T00:00:00Z,\n",
                  vendor_id(v).c_str(), v, iban_for(account).c_str(), v);
    out += row;
  }
  return out;
}

std::int64_t ApBenchFeed::random_cents() {
  std::normal_distribution<double> z(0, 1.2);
  const double amount = 800 * std::exp(z(rng_));
  return std::max<std::int64_t>(100, static_cast<std::int64_t>(amount * 100));
}

std::string ApBenchFeed::stored_csv(std::size_t first, std::size_t n) {
  std::string out = kInvoiceHeader;
  out.reserve(n * 96);
  for (std::size_t i = first; i < first + n; ++i) {
    StoredInvoice s;
    s.vendor = static_cast<std::uint32_t>(pick(vendors_));
    s.day = kFirstDay + static_cast<int>(pick(kDays));
    s.cents = random_cents();
    stored_.push_back(s);
    append_invoice(out, stored_id(i), s.vendor, stored_number(i), s.day, s.cents, "");
  }
  return out;
}

void ApBenchFeed::add_po_invoice(Batch& b, const std::string& id, std::size_t vendor,
                                 const std::string& number, int day, int run, std::size_t i) {
  ++b.with_po;
  char po[32];
  std::snprintf(po, sizeof po, "PO-R%d-%06zu", run, i);
  const std::size_t lines = 1 + pick(3);
  const bool off = pick(100) < 3;
  b.mismatches += off ? 1 : 0;
  std::int64_t total = 0;
  for (std::size_t l = 1; l <= lines; ++l) {
    const auto qty = static_cast<long long>(1 + pick(20));
    const auto price = static_cast<std::int64_t>(500 + pick(50'000));
    const std::int64_t billed = off && l == 1 ? price * 110 / 100 : price;
    total += qty * billed;
    char row[256];
    std::snprintf(row, sizeof row, "%s,%s,%zu,Item %zu,%lld,%s,EUR\n", po,
                  vendor_id(vendor).c_str(), l, l, qty, money(price).c_str());
    b.purchase_orders += row;
    std::snprintf(row, sizeof row, "RC-%s-%zu,%s,%zu,%lld,%sT10:00:00Z\n", po, l, po, l, qty,
                  expr::format_date(day - 3).c_str());
    b.receipts += row;
    std::snprintf(row, sizeof row, "%s,%zu,%zu,%lld,%s\n", id.c_str(), l, l, qty,
                  money(billed).c_str());
    b.invoice_lines += row;
  }
  append_invoice(b.invoices, id, vendor, number, day, total, po);
}

ApBenchFeed::Batch ApBenchFeed::new_invoices(int run, std::size_t m) {
  Batch b;
  b.purchase_orders = "po_number,vendor_id,line_no,item,qty,unit_price,currency\n";
  b.receipts = "receipt_id,po_number,line_no,qty_received,received_at\n";
  b.invoices = kInvoiceHeader;
  b.invoice_lines = "invoice_id,line_no,po_line_no,qty,unit_price\n";
  for (std::size_t i = 0; i < m; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "R%d-%06zu", run, i);
    const std::size_t kind = pick(100);
    if (kind < 4 && !stored_.empty()) {  // a duplicate of a stored invoice
      const std::size_t j = pick(stored_.size());
      const StoredInvoice& s = stored_[j];
      std::string number = stored_number(j);
      std::int64_t cents = s.cents;
      int day = s.day;
      if (kind < 3) {  // exact: re-typed number ("inv 00001234")
        std::transform(number.begin(), number.end(), number.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        number[number.find('-')] = ' ';
        ++b.exact_dups;
      } else {  // near: one digit changed, amount +0.5%, two days later
        number.back() = number.back() == '9' ? '8' : static_cast<char>(number.back() + 1);
        cents += cents / 200;
        day = std::min(day + 2, kFirstDay + kDays - 1);
        ++b.near_dups;
      }
      append_invoice(b.invoices, id, s.vendor, number, day, cents, "");
      continue;
    }
    const std::size_t vendor = pick(vendors_);
    const int day = kFirstDay + 14 + static_cast<int>(pick(kDays - 14));
    char number[32];
    std::snprintf(number, sizeof number, "RUN%d/%06zu", run, i);
    if (pick(100) < 60) {
      add_po_invoice(b, id, vendor, number, day, run, i);
    } else {
      append_invoice(b.invoices, id, vendor, number, day, random_cents(), "");
    }
  }
  return b;
}

}  // namespace ledgerflow::bench
