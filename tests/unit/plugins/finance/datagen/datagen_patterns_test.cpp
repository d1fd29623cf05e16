// The patterns gen-data injects are really there, labelled, and findable by the rules
// the finance actions will use: AP duplicates of each kind, split invoices, PO/receipt
// mismatches, bank changes before invoices; AR behaviours and messy bank references;
// payment fraud patterns; O2C defaults.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <set>

#include "plugins/finance/datagen/ap_data.h"
#include "plugins/finance/datagen/ar_data.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/o2c_data.h"
#include "plugins/finance/datagen/payments_data.h"
#include "plugins/finance/records/duplicate_rules.h"

using namespace ledgerflow::datagen;
using namespace ledgerflow::records;

namespace {

const ApData& ap_sample() {
  static const ApData data = generate_ap(20000, 3);
  return data;
}

bool is_adjacent_transposition(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  std::vector<std::size_t> diff;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i]) diff.push_back(i);
  }
  return diff.size() == 2 && diff[1] == diff[0] + 1 && a[diff[0]] == b[diff[1]] &&
         a[diff[1]] == b[diff[0]];
}

}  // namespace

TEST_CASE("duplicate rules: normalisation and edit distance", "[datagen]") {
  CHECK(normalize_invoice_number("inv-000123") == "INV123");
  CHECK(normalize_invoice_number("INV 123") == "INV123");
  CHECK(normalize_invoice_number("INV-2024-00123") == normalize_invoice_number("inv 2024/123"));
  CHECK(normalize_invoice_number("000") == "0");
  CHECK(edit_distance("12345", "12435") == 1);  // a transposition
  CHECK(edit_distance("12345", "1245") == 1);
  CHECK(edit_distance("12345", "54321", 2) == 3);  // capped
  DuplicateProbe a{"V1", "DE1", "INV100", 100, 10000};
  DuplicateProbe b = a;
  CHECK(match_duplicate(a, b) == DuplicateRule::exact);
  b.normalized_number = "INV010";  // "10" -> "01": neighbours swapped
  CHECK(match_duplicate(a, b) == DuplicateRule::near);
  b.amount_minor = 10200;  // 2% off: no longer near; same date but other amount: none
  CHECK(match_duplicate(a, b) == DuplicateRule::none);
  b = a;
  b.normalized_number = "X999";
  CHECK(match_duplicate(a, b) == DuplicateRule::resubmission);
  b.vendor_id = "V2";  // another vendor with the same account, amount and date
  CHECK(match_duplicate(a, b) == DuplicateRule::cross_vendor);
  b.iban = "DE2";
  CHECK(match_duplicate(a, b) == DuplicateRule::none);
}

TEST_CASE("AP data: every kind of duplicate is injected, labelled and found by the rules",
          "[datagen]") {
  const ApData& data = ap_sample();
  std::map<std::string, const Invoice*> by_id;
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < data.invoices.size(); ++i) {
    by_id[data.invoices[i].invoice_id] = &data.invoices[i];
    position[data.invoices[i].invoice_id] = i;
  }
  std::map<std::string, const Vendor*> vendors;
  for (const auto& v : data.vendors) vendors[v.vendor_id] = &v;
  std::map<ApPattern, int> seen;
  int transposed = 0;
  for (const auto& inv : data.invoices) {
    if (inv.label_duplicate_of.empty()) continue;
    INFO(inv.invoice_id << " duplicates " << inv.label_duplicate_of);
    REQUIRE(by_id.count(inv.label_duplicate_of));
    const Invoice& original = *by_id[inv.label_duplicate_of];
    CHECK(position[original.invoice_id] < position[inv.invoice_id]);  // arrives later
    CHECK(original.label_duplicate_of.empty());
    ++seen[inv.pattern];
    DuplicateProbe earlier{original.vendor_id, vendors[original.vendor_id]->iban,
                           normalize_invoice_number(original.invoice_number), original.invoice_date,
                           original.amount_cents};
    DuplicateProbe later{inv.vendor_id, vendors[inv.vendor_id]->iban,
                         normalize_invoice_number(inv.invoice_number), inv.invoice_date,
                         inv.amount_cents};
    CHECK(match_duplicate(earlier, later) != DuplicateRule::none);
    switch (inv.pattern) {
      case ApPattern::exact_duplicate:
        CHECK(later.normalized_number == earlier.normalized_number);
        CHECK(inv.amount_cents == original.amount_cents);
        break;
      case ApPattern::near_duplicate:
        CHECK(inv.vendor_id == original.vendor_id);
        CHECK(std::abs(inv.invoice_date - original.invoice_date) <= 7);
        CHECK(std::llabs(inv.amount_cents - original.amount_cents) * 100 <=
              std::max(inv.amount_cents, original.amount_cents));
        CHECK(is_adjacent_transposition(inv.invoice_number, original.invoice_number));
        transposed += is_adjacent_transposition(inv.invoice_number, original.invoice_number);
        break;
      case ApPattern::resubmission:
        CHECK(inv.vendor_id == original.vendor_id);
        CHECK(inv.amount_cents == original.amount_cents);
        CHECK(inv.invoice_date == original.invoice_date);
        CHECK(later.normalized_number != earlier.normalized_number);
        break;
      case ApPattern::cross_vendor_duplicate:
        CHECK(inv.vendor_id != original.vendor_id);
        CHECK(vendors[inv.vendor_id]->iban == vendors[original.vendor_id]->iban);
        break;
      default:
        FAIL("unexpected pattern on a duplicate");
    }
  }
  CHECK(seen[ApPattern::exact_duplicate] >= 100);
  CHECK(seen[ApPattern::near_duplicate] >= 100);
  CHECK(seen[ApPattern::resubmission] >= 50);
  CHECK(seen[ApPattern::cross_vendor_duplicate] >= 20);
  CHECK(transposed == seen[ApPattern::near_duplicate]);
}

TEST_CASE("AP features: duplicates score high, originals rarely match a rule by chance",
          "[datagen]") {
  const ApData& data = ap_sample();
  FeatureTable f = ap_features(data);
  REQUIRE(f.rows.size() == data.invoices.size());
  std::size_t duplicates = 0, found = 0, originals = 0, false_matches = 0;
  std::size_t errors = 0, errors_found = 0;
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    bool duplicate = f.at(i, "label_duplicate") == 1;
    duplicates += duplicate;
    found += duplicate && f.at(i, "dup_best_similarity") >= 0.9;
    originals += !duplicate;
    false_matches += !duplicate && f.at(i, "dup_candidate_count") > 0;
    bool error = f.at(i, "label_error") == 1;
    errors += error;
    errors_found += error && f.at(i, "match_discrepancy_count") > 0;
    CHECK(f.at(i, "label_error_or_duplicate") == (duplicate || error ? 1 : 0));
  }
  CHECK(found == duplicates);
  CHECK(static_cast<double>(false_matches) / static_cast<double>(originals) < 0.005);
  CHECK(errors > 300);
  CHECK(errors_found == errors);
}

TEST_CASE("AP data: split invoices sit just under an approval tier", "[datagen]") {
  const ApData& data = ap_sample();
  std::map<std::string, std::vector<const Invoice*>> splits;  // by vendor
  for (const auto& inv : data.invoices) {
    if (inv.pattern != ApPattern::split) continue;
    splits[inv.vendor_id].push_back(&inv);
    bool under_tier = false;
    for (std::int64_t tier : {1'000, 10'000, 50'000}) {
      under_tier = under_tier || (inv.amount_cents < tier * 100 && inv.amount_cents >= tier * 93);
    }
    CHECK(under_tier);
    CHECK(inv.label_duplicate_of.empty());
    CHECK_FALSE(inv.label_error);
  }
  CHECK(splits.size() >= 50);
  // e.g. 9,950.00 under 10,000
  bool just_under_10k = false;
  for (const auto& inv : data.invoices) {
    just_under_10k =
        just_under_10k || (inv.pattern == ApPattern::split && inv.amount_cents >= 990'000 &&
                           inv.amount_cents < 1'000'000);
  }
  CHECK(just_under_10k);
}

TEST_CASE("AP data: mismatches are labelled, some bank changes come shortly before an invoice",
          "[datagen]") {
  const ApData& data = ap_sample();
  std::map<std::string, const Vendor*> vendors;
  for (const auto& v : data.vendors) vendors[v.vendor_id] = &v;
  int price = 0, quantity = 0, after_bank_change = 0;
  for (const auto& inv : data.invoices) {
    price += inv.pattern == ApPattern::price_mismatch;
    quantity += inv.pattern == ApPattern::quantity_mismatch;
    if (inv.pattern == ApPattern::price_mismatch || inv.pattern == ApPattern::quantity_mismatch) {
      CHECK(inv.label_error);
      CHECK_FALSE(inv.po_number.empty());
    }
    const Vendor& v = *vendors[inv.vendor_id];
    if (v.bank_changed_at) {
      auto days = days_between(*v.bank_changed_at, day_start(inv.invoice_date));
      after_bank_change += days >= 0 && days <= 20;
    }
  }
  CHECK(price > 100);
  CHECK(quantity > 100);
  CHECK(after_bank_change > 20);
}

TEST_CASE("AR data: behaviours differ, bank references are messy", "[datagen]") {
  ArData data = generate_ar(20000, 5);
  std::map<std::string, PaymentBehaviour> behaviour;
  for (const auto& c : data.customers) behaviour[c.customer_id] = c.behaviour;
  std::map<PaymentBehaviour, std::pair<int, int>> late;  // late, total
  int disputed = 0;
  for (const auto& inv : data.invoices) {
    REQUIRE(inv.label_days_late);
    auto& [l, n] = late[behaviour[inv.customer_id]];
    l += *inv.label_days_late > 0;
    ++n;
    disputed += inv.disputed;
  }
  auto share = [&](PaymentBehaviour b) {
    return static_cast<double>(late[b].first) / static_cast<double>(late[b].second);
  };
  CHECK(share(PaymentBehaviour::punctual) < 0.2);
  CHECK(share(PaymentBehaviour::chronic_late) > 0.7);
  CHECK(share(PaymentBehaviour::disputer) > share(PaymentBehaviour::punctual));
  CHECK(disputed > 200);
  int no_customer = 0, several = 0, no_exact_number = 0;
  for (const auto& p : data.payments) {
    no_customer += p.customer_id.empty();
    several += p.invoice_ids.size() > 1;
  }
  // References with a typo: the invoice's number does not appear verbatim.
  std::map<std::string, std::string> number_of;
  for (const auto& inv : data.invoices) number_of[inv.invoice_id] = inv.invoice_number;
  for (const auto& p : data.payments) {
    std::string compact_ref = p.reference;
    std::erase(compact_ref, '-');
    bool verbatim = false;
    for (const auto& id : p.invoice_ids) {
      std::string n = number_of[id];
      std::string compact = n;
      std::erase(compact, '-');
      verbatim = verbatim || p.reference.find(n) != std::string::npos ||
                 compact_ref.find(compact) != std::string::npos;
    }
    no_exact_number += !verbatim;
  }
  CHECK(no_customer > 500);
  CHECK(several > 200);
  CHECK(no_exact_number > 500);
}

TEST_CASE("payments data: fraud patterns are present and visible in the features", "[datagen]") {
  PaymentsData data = generate_payments(20000, 9);
  FeatureTable f = payments_features(data);
  std::map<std::string, int> patterns;
  int bank_change_recent = 0, differs = 0, rare_or_off_hours = 0, fraud = 0;
  for (std::size_t i = 0; i < data.payments.size(); ++i) {
    const auto& p = data.payments[i];
    if (!p.label_fraud) continue;
    ++fraud;
    ++patterns[p.pattern];
    if (p.pattern == "bank_change") {
      // Paid to the mule while it was on file: at most 45 days after the change.
      CHECK(f.at(i, "days_since_bank_change") <= 45);
      bank_change_recent += f.at(i, "bank_changed_recently") == 1;
    }
    if (p.pattern == "diverted_iban") differs += f.at(i, "iban_differs_from_master") == 1;
    rare_or_off_hours +=
        f.at(i, "outside_business_hours") == 1 || f.at(i, "requester_rarity") > 0.5;
  }
  CHECK(patterns["bank_change"] > 50);
  CHECK(patterns["diverted_iban"] > 50);
  CHECK(patterns["inflated_amount"] > 50);
  CHECK(bank_change_recent > patterns["bank_change"] * 9 / 10);
  CHECK(differs == patterns["diverted_iban"]);
  CHECK(rare_or_off_hours > fraud / 4);
}

TEST_CASE("O2C data: defaulted orders are the unpaid ones", "[datagen]") {
  O2cData data = generate_o2c(10000, 4);
  std::map<std::string, const ArInvoice*> invoice_of;
  for (const auto& inv : data.invoices) invoice_of[inv.order_id] = &inv;
  int defaults = 0;
  for (const auto& o : data.orders) {
    REQUIRE(invoice_of.count(o.order_id));
    const ArInvoice& inv = *invoice_of[o.order_id];
    CHECK(o.label_default == !inv.label_days_late.has_value());
    CHECK(inv.amount_cents == o.amount_cents);
    defaults += o.label_default;
  }
  CHECK(defaults > 50);
}
