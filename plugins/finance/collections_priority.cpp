#include "plugins/finance/collections_priority.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "plugins/finance/records/decimal.h"

namespace ledgerflow::finance {
namespace {

constexpr int kFullWeightDaysToDue = 7;    // due within a week: full weight
constexpr int kFloorWeightDaysToDue = 60;  // due in 60+ days: half weight
constexpr double kFloorWeight = 0.5;

// A factor that can never turn a priority negative or NaN (so the sort stays total).
double non_negative(double x) {
  return x > 0 ? x : 0.0;
}

// as_of - due_day, saturated to int (days since the epoch never get near the limits, but a
// sentinel value must not overflow).
int days_overdue_signed(int as_of_day, int due_day) {
  const std::int64_t d = std::int64_t{as_of_day} - due_day;
  return static_cast<int>(std::clamp<std::int64_t>(d, std::numeric_limits<int>::min(),
                                                   std::numeric_limits<int>::max()));
}

bool promise_open(const WorklistItem& item, int as_of_day) {
  return item.promised_day &&
         std::int64_t{as_of_day} <= std::int64_t{*item.promised_day} + kPromiseGraceDays;
}

double priority_of(const WorklistItem& item, int overdue, int as_of_day,
                   const PriorityPolicy& policy) {
  double p = item.p_late;
  if (!std::isfinite(p)) p = 0.5;
  p = std::clamp(p, 0.0, 1.0);
  // The priority is a ranking score (amount at risk), not an amount that is posted or
  // shown as money: binary floating point is fine here.
  const double amount = non_negative(records::e4_to_double(item.outstanding_e4));
  double factor = ageing_factor(overdue, policy);
  if (promise_open(item, as_of_day)) factor *= non_negative(policy.promised_factor);
  if (item.disputed) factor *= non_negative(policy.disputed_factor);
  const double priority = amount * p * factor;
  return std::isfinite(priority) ? non_negative(priority) : 0.0;
}

bool ranks_before(const WorklistItem& a, const WorklistItem& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  if (a.disputed != b.disputed) return !a.disputed;
  if (a.outstanding_e4 != b.outstanding_e4) return a.outstanding_e4 > b.outstanding_e4;
  if (a.due_day != b.due_day) return a.due_day < b.due_day;
  return a.invoice_id < b.invoice_id;
}

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace

double ageing_factor(int days_overdue_or_negative_days_to_due, const PriorityPolicy& policy) {
  const int days = days_overdue_or_negative_days_to_due;
  if (days > 0) {
    const double grown = 1.0 + static_cast<double>(days) / 30.0 * policy.ageing_per_30_days;
    return non_negative(std::min(grown, policy.max_ageing));
  }
  const double to_due = -static_cast<double>(days);
  double weight = 1.0;
  if (to_due >= kFloorWeightDaysToDue) {
    weight = kFloorWeight;
  } else if (to_due > kFullWeightDaysToDue) {
    weight = 1.0 - (1.0 - kFloorWeight) * (to_due - kFullWeightDaysToDue) /
                       (kFloorWeightDaysToDue - kFullWeightDaysToDue);
  }
  return non_negative(weight * policy.not_due_factor);
}

void rank_worklist(std::vector<WorklistItem>& items, int as_of_day, const PriorityPolicy& policy) {
  for (auto& item : items) {
    const int overdue = days_overdue_signed(as_of_day, item.due_day);
    item.days_overdue = std::max(0, overdue);
    item.priority = priority_of(item, overdue, as_of_day, policy);
  }
  std::stable_sort(items.begin(), items.end(), ranks_before);
}

std::string assign_collector(std::string_view customer_id,
                             const std::vector<std::string>& sorted_collectors) {
  if (sorted_collectors.empty()) return "";
  const std::uint64_t h = fnv1a64(customer_id);
  // The common case: the caller kept its promise, no copy.
  if (std::adjacent_find(sorted_collectors.begin(), sorted_collectors.end(),
                         [](const std::string& a, const std::string& b) { return a >= b; }) ==
      sorted_collectors.end()) {
    return sorted_collectors[h % sorted_collectors.size()];
  }
  std::vector<std::string> sorted = sorted_collectors;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  return sorted[h % sorted.size()];
}

}  // namespace ledgerflow::finance
