// Features are computed only from what was known at the item's time: hand-built cases
// where a later record would change an earlier item's features, and a truncation check
// (an item's features do not change when everything after it is removed).
#include <catch2/catch.hpp>

#include <cmath>
#include <set>

#include "plugins/finance/datagen/ap_data.h"
#include "plugins/finance/datagen/ar_data.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/o2c_data.h"
#include "plugins/finance/datagen/payments_data.h"

using namespace ledgerflow::datagen;

namespace {

constexpr int kDay = kDataFirstDay + 100;

bool same_rows(const FeatureTable& full, const FeatureTable& prefix) {
  REQUIRE(prefix.rows.size() <= full.rows.size());
  for (std::size_t r = 0; r < prefix.rows.size(); ++r) {
    for (std::size_t c = 0; c < prefix.columns.size(); ++c) {
      double a = full.rows[r][c], b = prefix.rows[r][c];
      if (std::isnan(a) && std::isnan(b)) continue;
      if (a != b) {
        FAIL_CHECK("row " << r << " (" << full.ids[r] << ") column " << full.columns[c] << ": " << a
                          << " with later data, " << b << " without");
        return false;
      }
    }
  }
  return true;
}

Invoice ap_invoice(std::string id, std::string number, int date, std::int64_t cents) {
  Invoice inv;
  inv.invoice_id = std::move(id);
  inv.vendor_id = "V-1";
  inv.invoice_number = std::move(number);
  inv.invoice_date = date;
  inv.due_date = date + 30;
  inv.currency = "EUR";
  inv.amount_cents = cents;
  inv.lines = {{1, std::nullopt, 1, cents}};
  return inv;
}

}  // namespace

TEST_CASE("AP features: a later duplicate or bank change is not seen by an earlier invoice",
          "[datagen]") {
  ApData d;
  Vendor v;
  v.vendor_id = "V-1";
  v.iban = "DE02";
  v.country = "DE";
  v.created_at = day_start(kDay - 100);
  v.bank_changed_at = day_start(kDay + 50);
  d.vendors.push_back(v);
  d.invoices.push_back(ap_invoice("A", "INV-0001", kDay, 100'000));
  d.invoices.push_back(ap_invoice("B", "inv 1", kDay, 100'000));  // arrives later: duplicate
  d.invoices.push_back(ap_invoice("C", "INV-0777", kDay + 60, 50'000));
  FeatureTable f = ap_features(d);
  REQUIRE(f.rows.size() == 3);
  CHECK(f.at(0, "exact_dup_count") == 0);
  CHECK(f.at(0, "dup_best_similarity") == 0);
  CHECK(std::isnan(f.at(0, "days_since_bank_change")));  // changed 50 days later
  CHECK(std::isnan(f.at(0, "amount_vs_vendor_mean")));   // no earlier invoices
  CHECK(f.at(0, "vendor_age_days") == 100);
  CHECK(f.at(1, "exact_dup_count") == 1);
  CHECK(f.at(1, "dup_best_similarity") == 1.0);
  CHECK(f.at(1, "dup_candidate_count") == 1);
  CHECK(f.at(2, "days_since_bank_change") == 10);
  CHECK(f.at(2, "amount_vs_vendor_mean") == 0.5);
  CHECK(f.at(2, "dup_candidate_count") == 0);

  // Arrival order decides which one is the duplicate.
  std::swap(d.invoices[0], d.invoices[1]);
  FeatureTable swapped = ap_features(d);
  CHECK(swapped.at(0, "exact_dup_count") == 0);
  CHECK(swapped.at(1, "exact_dup_count") == 1);
}

TEST_CASE("AR features: a settlement after the invoice date is not history yet", "[datagen]") {
  ArData d;
  Customer c;
  c.customer_id = "C-1";
  c.credit_limit_cents = 1'000'000;  // 10,000.00
  c.payment_terms_days = 30;
  c.created_at = day_start(kDay - 400);
  d.customers.push_back(c);
  auto invoice = [&](std::string id, int date, int settled_on, std::int64_t cents) {
    ArInvoice inv;
    inv.invoice_id = std::move(id);
    inv.customer_id = "C-1";
    inv.invoice_date = date;
    inv.due_date = date + 30;
    inv.amount_cents = cents;
    inv.settled_on = settled_on;
    inv.label_days_late = settled_on - inv.due_date;
    return inv;
  };
  d.invoices.push_back(invoice("X", kDay, kDay + 50, 200'000));       // 20 days late
  d.invoices.push_back(invoice("Y", kDay + 40, kDay + 65, 300'000));  // 5 days early
  d.invoices.push_back(invoice("Z", kDay + 60, kDay + 90, 100'000));
  FeatureTable f = ar_features(d);
  // Y is issued while X is still open: no history, X counts as open.
  CHECK(std::isnan(f.at(1, "avg_days_late")));
  CHECK(std::isnan(f.at(1, "late_ratio")));
  CHECK(f.at(1, "open_invoice_count") == 1);
  CHECK(f.at(1, "credit_utilisation") == Approx((2000.0 + 3000.0) / 10000.0));
  // Z: X was settled 20 days late before Z's date; Y is still open.
  CHECK(f.at(2, "avg_days_late") == 20);
  CHECK(f.at(2, "late_ratio") == 1);
  CHECK(f.at(2, "open_invoice_count") == 1);
  CHECK(f.at(2, "label_days_late") == 0);
  CHECK(f.at(0, "label_late") == 1);
  CHECK(f.at(1, "label_late") == 0);
}

TEST_CASE("payment features: the master data as of the request, not as of today", "[datagen]") {
  PaymentsData d;
  Vendor v;
  v.vendor_id = "V-1";
  v.country = "DE";
  v.created_at = day_start(kDay - 300);
  v.bank_history = {{v.created_at, "DE01"}, {day_start(kDay + 20), "DE02"}};
  v.iban = "DE02";  // today's master data
  v.bank_changed_at = day_start(kDay + 20);
  d.vendors.push_back(v);
  auto pay = [&](std::string id, int day, std::string iban) {
    OutgoingPayment p;
    p.payment_id = std::move(id);
    p.vendor_id = "V-1";
    p.amount_cents = 100'000;
    p.iban = std::move(iban);
    p.requested_by = "alice";
    p.requested_at = day_start(day) + 10 * 3600;
    p.offset_minutes = 0;
    return p;
  };
  d.payments.push_back(pay("P1", kDay + 10, "DE01"));
  d.payments.push_back(pay("P2", kDay + 25, "DE02"));
  d.payments.push_back(pay("P3", kDay + 26, "DE01"));
  FeatureTable f = payments_features(d);
  CHECK(f.at(0, "bank_changed_recently") == 0);  // the change came 10 days later
  CHECK(f.at(0, "iban_differs_from_master") == 0);
  CHECK(std::isnan(f.at(0, "days_since_bank_change")));
  CHECK(f.at(0, "new_payee") == 1);
  CHECK(f.at(1, "bank_changed_recently") == 1);
  CHECK(f.at(1, "days_since_bank_change") == 5);
  CHECK(f.at(1, "iban_differs_from_master") == 0);
  CHECK(f.at(1, "new_payee") == 0);
  CHECK(f.at(1, "new_iban") == 1);
  CHECK(f.at(1, "requester_rarity") == 0.5);  // one earlier request by alice
  CHECK(f.at(2, "iban_differs_from_master") == 1);
  CHECK(f.at(2, "new_iban") == 0);
  CHECK(f.at(2, "outside_business_hours") == 0);
}

TEST_CASE("O2C features: open orders and open AR as of the order date", "[datagen]") {
  O2cData d;
  Customer c;
  c.customer_id = "C-1";
  c.currency = "EUR";
  c.credit_limit_cents = 1'000'000;
  c.created_at = day_start(kDay - 400);
  c.payment_terms_days = 30;
  d.customers.push_back(c);
  auto order = [&](std::string id, int day, int invoiced_on) {
    Order o;
    o.order_id = std::move(id);
    o.customer_id = "C-1";
    o.order_date = day;
    o.currency = "EUR";
    o.amount_cents = 100'000;
    o.invoiced_on = invoiced_on;
    return o;
  };
  d.orders = {order("O1", kDay, kDay + 5), order("O2", kDay + 2, kDay + 8),
              order("O3", kDay + 40, kDay + 41)};
  ArInvoice i1;
  i1.invoice_id = "I1";
  i1.customer_id = "C-1";
  i1.invoice_date = kDay + 5;
  i1.due_date = kDay + 35;
  i1.amount_cents = 100'000;
  i1.settled_on = kDay + 60;
  ArInvoice i2 = i1;
  i2.invoice_id = "I2";
  i2.invoice_date = kDay + 8;
  i2.due_date = kDay + 38;
  i2.settled_on = kDay + 20;
  d.invoices = {i1, i2};
  FeatureTable f = o2c_features(d);
  CHECK(f.at(0, "exposure_total") == 1000);
  CHECK(f.at(1, "open_order_amount") == 1000);  // O1 not invoiced yet
  CHECK(f.at(1, "exposure_total") == 2000);
  // O3: O1's invoice is open and 5 days overdue; O2's was paid (early) on kDay + 20.
  CHECK(f.at(2, "open_order_amount") == 0);
  CHECK(f.at(2, "exposure_total") == 2000);
  CHECK(f.at(2, "overdue_ar_amount") == 1000);
  CHECK(f.at(2, "overdue_invoice_count") == 0);
  CHECK(f.at(2, "late_share") == 0);
  CHECK(f.at(2, "utilisation") == Approx(0.2));
}

TEST_CASE("features of an item do not change when later items are removed", "[datagen]") {
  SECTION("ap") {
    ApData data = generate_ap(3000, 21);
    FeatureTable full = ap_features(data);
    data.invoices.resize(1500);
    CHECK(same_rows(full, ap_features(data)));
  }
  SECTION("ar") {
    ArData data = generate_ar(3000, 21);
    FeatureTable full = ar_features(data);
    data.invoices.resize(1500);
    CHECK(same_rows(full, ar_features(data)));
  }
  SECTION("o2c") {
    O2cData data = generate_o2c(3000, 21);
    FeatureTable full = o2c_features(data);
    data.orders.resize(1500);
    std::set<std::string> kept;
    for (const auto& o : data.orders) kept.insert(o.order_id);
    std::erase_if(data.invoices, [&](const ArInvoice& i) { return !kept.count(i.order_id); });
    CHECK(same_rows(full, o2c_features(data)));
  }
  SECTION("payments") {
    PaymentsData data = generate_payments(3000, 21);
    FeatureTable full = payments_features(data);
    data.payments.resize(1500);
    CHECK(same_rows(full, payments_features(data)));
  }
}
