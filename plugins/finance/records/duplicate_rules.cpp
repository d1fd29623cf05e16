#include "plugins/finance/records/duplicate_rules.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace ledgerflow::records {

std::string_view rule_name(DuplicateRule rule) {
  switch (rule) {
    case DuplicateRule::exact:
      return "exact";
    case DuplicateRule::near:
      return "near";
    case DuplicateRule::resubmission:
      return "resubmission";
    case DuplicateRule::cross_vendor:
      return "cross_vendor";
    case DuplicateRule::none:
      break;
  }
  return "none";
}

double rule_similarity(DuplicateRule rule) {
  switch (rule) {
    case DuplicateRule::exact:
      return 1.0;
    case DuplicateRule::near:
      return 0.95;
    case DuplicateRule::resubmission:
    case DuplicateRule::cross_vendor:
      return 0.9;
    case DuplicateRule::none:
      break;
  }
  return 0.0;
}

std::string invoice_number_key(std::string_view number) {
  std::string out;
  for (char c : number) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
  }
  return out;
}

std::string normalize_invoice_number(std::string_view number) {
  std::string out;
  bool in_digits = false;      // inside a run of digits
  bool run_has_value = false;  // that run has seen a non-zero digit
  auto close_run = [&] {
    if (in_digits && !run_has_value) out += '0';  // a run of zeros only
    in_digits = false;
  };
  for (char c : number) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    bool digit = c >= '0' && c <= '9';
    if (!digit) {
      close_run();  // letters, spaces and punctuation all end a run of digits
      if (c >= 'A' && c <= 'Z') out += c;
      continue;
    }
    if (!in_digits) {
      in_digits = true;
      run_has_value = false;
    }
    if (c == '0' && !run_has_value) continue;
    run_has_value = true;
    out += c;
  }
  close_run();
  return out;
}

int edit_distance(std::string_view a, std::string_view b, int cap) {
  const int n = static_cast<int>(a.size());
  const int m = static_cast<int>(b.size());
  if (std::abs(n - m) > cap) return cap + 1;
  // Three rolling rows: i-2, i-1, i.
  std::vector<int> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (int j = 0; j <= m; ++j) prev[j] = j;
  for (int i = 1; i <= n; ++i) {
    cur[0] = i;
    int row_min = cur[0];
    for (int j = 1; j <= m; ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > cap) return cap + 1;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], cap + 1);
}

namespace {

// |a - b| <= 1% of the larger amount, in exact integer arithmetic.
bool within_one_percent(std::int64_t a, std::int64_t b) {
  std::int64_t larger = std::max(std::llabs(a), std::llabs(b));
  return std::llabs(a - b) * 100 <= larger;
}

}  // namespace

DuplicateRule match_duplicate(const DuplicateProbe& earlier, const DuplicateProbe& later) {
  if (earlier.vendor_id != later.vendor_id) {
    bool shared_account = !earlier.iban.empty() && earlier.iban == later.iban;
    if (shared_account && earlier.amount_minor == later.amount_minor &&
        earlier.invoice_date == later.invoice_date) {
      return DuplicateRule::cross_vendor;
    }
    return DuplicateRule::none;
  }
  if (earlier.normalized_number == later.normalized_number) return DuplicateRule::exact;
  if (within_one_percent(earlier.amount_minor, later.amount_minor) &&
      std::abs(earlier.invoice_date - later.invoice_date) <= 7 &&
      edit_distance(earlier.normalized_number, later.normalized_number, 1) <= 1) {
    return DuplicateRule::near;
  }
  if (earlier.amount_minor == later.amount_minor && earlier.invoice_date == later.invoice_date) {
    return DuplicateRule::resubmission;
  }
  return DuplicateRule::none;
}

}  // namespace ledgerflow::records
