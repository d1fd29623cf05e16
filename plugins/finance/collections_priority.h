// The AR collections worklist: open customer invoices ordered by
//   priority = outstanding (currency units) x P(late) x ageing factor
// so that a collector starts with the invoice where a call is worth the most. The ageing
// factor grows with days overdue (capped), shrinks for invoices not due for weeks, and is
// scaled down while an open promise to pay stands, and to zero for disputed invoices (those
// are worked in the dispute task). Pure: the caller loads the invoices and model scores.
//
// Amounts of different currencies are compared as they are: there is no FX conversion here,
// so a mixed-currency worklist ranks 1,000 JPY above 900 EUR. The API filters the worklist by
// currency when asked; callers wanting a cross-currency order must convert first.
//
// Collectors are assigned per customer by a stable hash (FNV-1a 64 of customer_id modulo
// the number of collectors), so a customer keeps the same collector across requests as long
// as the collector list does not change.
// Thread-safety: pure functions; rank_worklist mutates only the vector it is given.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ledgerflow::finance {

struct WorklistItem {
  std::string invoice_id, customer_id, invoice_number, currency;
  int due_day = 0;  // days since 1970-01-01
  std::int64_t outstanding_e4 = 0;
  double p_late = 0.5;              // from the late-payment model; 0.5 when not scored yet
  bool scored = false;              // informational: p_late is used as given either way
  double expected_days_late = 0;    // model's expectation (may be negative = early)
  std::string dunning_level;        // last dunning stage done ("" none)
  std::optional<int> promised_day;  // an open promise to pay
  bool disputed = false;
  std::string collector;  // assigned collector user id
  double priority = 0;    // filled by rank_worklist (currency units x p x factor, >= 0)
  int days_overdue = 0;   // filled: max(0, as_of - due_day)
};

struct PriorityPolicy {
  double ageing_per_30_days = 1.0;  // factor = 1 + days_overdue / 30 * this, for overdue items
  double max_ageing = 5.0;          // cap on the overdue factor
  double not_due_factor = 1.0;      // x (1.0 when due within 7 days, linearly down to 0.5 at 60+)
  double promised_factor = 0.3;     // an open promise not yet past (as_of <= promised_day + 3)
  double disputed_factor = 0.0;     // disputes are worked in the dispute task, not by collectors
};

// Days a promise may slip before it counts as broken and the priority is restored.
inline constexpr int kPromiseGraceDays = 3;

// The ageing factor for an invoice `days` overdue (positive) or due in -`days` days
// (negative or zero). Overdue: min(max_ageing, 1 + days / 30 * ageing_per_30_days).
// Not overdue: not_due_factor x (1.0 within 7 days of the due day, falling linearly to 0.5
// at 60 or more days). Never negative.
double ageing_factor(int days_overdue_or_negative_days_to_due, const PriorityPolicy& policy);

// Fills days_overdue and priority of every item, then sorts by priority descending; ties
// by larger outstanding first, then earlier due_day, then invoice_id; at equal priority a
// disputed item comes after an undisputed one, so disputes always sink to the end. The sort
// is stable, so the order is a pure function of the input order and values.
// priority = max(0, outstanding) x clamp(p_late, 0, 1) x ageing factor x promise factor
// x dispute factor; a non-finite p_late counts as 0.5 (unscored). No FX conversion (above).
void rank_worklist(std::vector<WorklistItem>& items, int as_of_day,
                   const PriorityPolicy& policy = {});

// Stable assignment of a customer to a collector: FNV-1a 64 of customer_id modulo the size
// of the sorted, de-duplicated collector list (a list that is not sorted or has duplicates
// is sorted and de-duplicated first, so the caller's order never changes the answer).
// "" when the list is empty.
std::string assign_collector(std::string_view customer_id,
                             const std::vector<std::string>& sorted_collectors);

}  // namespace ledgerflow::finance
