// The AR collections worklist (plugins/finance/collections_priority.h): priority =
// outstanding x P(late) x ageing, with promises, disputes, deterministic ties, and the
// stable customer-to-collector assignment.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "plugins/finance/collections_priority.h"

using namespace ledgerflow::finance;

namespace {

constexpr std::int64_t kE4 = 10'000;
constexpr int kAsOf = 20'000;  // 2024-10-04

WorklistItem item(const std::string& id, double amount, double p_late, int due_day) {
  WorklistItem it;
  it.invoice_id = id;
  it.customer_id = "C-" + id;
  it.invoice_number = "INV-" + id;
  it.currency = "EUR";
  it.due_day = due_day;
  it.outstanding_e4 = static_cast<std::int64_t>(amount * kE4);
  it.p_late = p_late;
  it.scored = true;
  return it;
}

std::vector<std::string> ids(const std::vector<WorklistItem>& items) {
  std::vector<std::string> out;
  for (const auto& it : items) out.push_back(it.invoice_id);
  return out;
}

const WorklistItem& find(const std::vector<WorklistItem>& items, const std::string& id) {
  auto it = std::find_if(items.begin(), items.end(),
                         [&](const WorklistItem& w) { return w.invoice_id == id; });
  REQUIRE(it != items.end());
  return *it;
}

}  // namespace

TEST_CASE("collections: ageing factor by days overdue and days to due", "[unit][finance]") {
  PriorityPolicy policy;
  CHECK(ageing_factor(0, policy) == Approx(1.0));   // due today
  CHECK(ageing_factor(30, policy) == Approx(2.0));  // 1 + 30/30
  CHECK(ageing_factor(15, policy) == Approx(1.5));
  CHECK(ageing_factor(120, policy) == Approx(5.0));  // 1 + 4 = 5: at the cap
  CHECK(ageing_factor(300, policy) == Approx(5.0));  // 11: capped
  CHECK(ageing_factor(-7, policy) == Approx(1.0));   // due within a week: full weight
  CHECK(ageing_factor(-60, policy) == Approx(0.5));  // 60+ days out: half
  CHECK(ageing_factor(-400, policy) == Approx(0.5));
  CHECK(ageing_factor(-33, policy) == Approx(1.0 - 0.5 * 26.0 / 53.0));  // linear between
  CHECK(ageing_factor(-20, policy) > ageing_factor(-40, policy));

  policy.ageing_per_30_days = 0.5;
  policy.max_ageing = 2.0;
  policy.not_due_factor = 0.8;
  CHECK(ageing_factor(30, policy) == Approx(1.5));
  CHECK(ageing_factor(90, policy) == Approx(2.0));
  CHECK(ageing_factor(-3, policy) == Approx(0.8));
  CHECK(ageing_factor(-60, policy) == Approx(0.4));
}

TEST_CASE("collections: ordered by outstanding x P(late) among equally aged items",
          "[unit][finance]") {
  std::vector<WorklistItem> items = {
      item("A", 1000, 0.9, kAsOf),  // 900
      item("B", 5000, 0.1, kAsOf),  // 500
      item("C", 2000, 0.6, kAsOf),  // 1200
      item("D", 100, 1.0, kAsOf),   // 100
  };
  rank_worklist(items, kAsOf);
  CHECK(ids(items) == std::vector<std::string>{"C", "A", "B", "D"});
  CHECK(items[0].priority == Approx(1200.0));  // currency units, not e4
  CHECK(items[1].priority == Approx(900.0));
  for (const auto& it : items) CHECK(it.days_overdue == 0);
}

TEST_CASE("collections: ageing lifts an overdue invoice above a larger one not yet due",
          "[unit][finance]") {
  std::vector<WorklistItem> items = {
      item("big-not-due", 25'000, 0.5, kAsOf + 3),     // 12,500 x 1.0
      item("small-overdue", 10'000, 0.5, kAsOf - 60),  // 5,000 x 3.0 = 15,000
      item("big-far", 30'000, 0.5, kAsOf + 90),        // 15,000 x 0.5 = 7,500
  };
  rank_worklist(items, kAsOf);
  CHECK(ids(items) == std::vector<std::string>{"small-overdue", "big-not-due", "big-far"});
  CHECK(find(items, "small-overdue").days_overdue == 60);
  CHECK(find(items, "small-overdue").priority == Approx(15'000));
  CHECK(find(items, "big-not-due").days_overdue == 0);
  CHECK(find(items, "big-far").priority == Approx(7'500));

  // Without ageing the larger invoice would win.
  PriorityPolicy flat;
  flat.ageing_per_30_days = 0;
  rank_worklist(items, kAsOf, flat);
  CHECK(items[0].invoice_id == "big-not-due");
}

TEST_CASE("collections: the ageing factor is capped", "[unit][finance]") {
  std::vector<WorklistItem> items = {item("old", 1000, 1.0, kAsOf - 365),
                                     item("older", 1000, 1.0, kAsOf - 900)};
  rank_worklist(items, kAsOf);
  CHECK(items[0].priority == Approx(5000.0));
  CHECK(items[1].priority == Approx(5000.0));
  // Equal priority and amount: the earlier due day first.
  CHECK(items[0].invoice_id == "older");
  CHECK(items[0].days_overdue == 900);
}

TEST_CASE("collections: an open promise lowers the priority until it is broken",
          "[unit][finance]") {
  auto promised = item("P", 10'000, 0.5, kAsOf - 30);  // 5,000 x 2 = 10,000 unpromised
  promised.promised_day = kAsOf + 5;
  auto other = item("O", 6'000, 0.5, kAsOf - 30);  // 6,000
  std::vector<WorklistItem> items = {promised, other};

  rank_worklist(items, kAsOf);
  CHECK(ids(items) == std::vector<std::string>{"O", "P"});
  CHECK(find(items, "P").priority == Approx(10'000 * 0.3));

  // Still open on the last grace day (promised_day + 3); the ageing keeps growing.
  const int last_grace = kAsOf + 5 + kPromiseGraceDays;
  rank_worklist(items, last_grace);
  CHECK(find(items, "P").priority == Approx(5'000 * (1 + 38 / 30.0) * 0.3));
  CHECK(items[0].invoice_id == "O");

  // The day after: the promise is broken and the priority restored.
  rank_worklist(items, last_grace + 1);
  CHECK(find(items, "P").priority == Approx(5'000 * (1 + 39 / 30.0)));
  CHECK(ids(items) == std::vector<std::string>{"P", "O"});
}

TEST_CASE("collections: disputed invoices drop to zero and sort last", "[unit][finance]") {
  auto disputed = item("X-disputed", 1'000'000, 0.99, kAsOf - 200);
  disputed.disputed = true;
  auto zero_p = item("Z-zero-p", 10, 0.0, kAsOf);  // priority 0 too, but not disputed
  std::vector<WorklistItem> items = {disputed, item("A", 100, 0.1, kAsOf + 30), zero_p,
                                     item("B", 50, 0.2, kAsOf)};
  rank_worklist(items, kAsOf);
  CHECK(ids(items) == std::vector<std::string>{"B", "A", "Z-zero-p", "X-disputed"});
  CHECK(items.back().priority == 0.0);
  CHECK(items.back().days_overdue == 200);  // still reported

  PriorityPolicy keep;  // a policy that keeps disputes on the list at a tenth
  keep.disputed_factor = 0.1;
  rank_worklist(items, kAsOf, keep);
  CHECK(items[0].invoice_id == "X-disputed");
}

TEST_CASE("collections: odd inputs never break the ordering", "[unit][finance]") {
  auto nan_p = item("N", 100, std::numeric_limits<double>::quiet_NaN(), kAsOf);
  auto high_p = item("H", 100, 7.0, kAsOf);        // clamped to 1
  auto credit = item("C", -500, 1.0, kAsOf - 90);  // a credit balance: nothing to collect
  std::vector<WorklistItem> items = {credit, nan_p, high_p};
  rank_worklist(items, kAsOf);
  CHECK(ids(items) == std::vector<std::string>{"H", "N", "C"});
  CHECK(find(items, "N").priority == Approx(50.0));  // unscored: 0.5
  CHECK(find(items, "H").priority == Approx(100.0));
  CHECK(find(items, "C").priority == 0.0);
}

TEST_CASE("collections: ties are broken deterministically", "[unit][finance]") {
  // Same priority (100 x 0.5 x 1): larger outstanding cannot differ, so due day then id;
  // and same priority with a larger outstanding first.
  std::vector<WorklistItem> items = {
      item("t3", 100, 0.5, kAsOf),     item("t1", 100, 0.5, kAsOf),
      item("t0", 100, 0.5, kAsOf + 2),  // same factor (within 7 days), later due
      item("t2", 100, 0.5, kAsOf),     item("big", 200, 0.25, kAsOf),  // 50 as well
  };
  const std::vector<std::string> expected = {"big", "t1", "t2", "t3", "t0"};
  rank_worklist(items, kAsOf);
  CHECK(ids(items) == expected);

  // Every permutation of the input gives the same order.
  std::sort(items.begin(), items.end(),
            [](const auto& a, const auto& b) { return a.invoice_id < b.invoice_id; });
  int permutations = 0;
  do {
    auto copy = items;
    rank_worklist(copy, kAsOf);
    CHECK(ids(copy) == expected);
    ++permutations;
  } while (std::next_permutation(items.begin(), items.end(), [](const auto& a, const auto& b) {
    return a.invoice_id < b.invoice_id;
  }));
  CHECK(permutations == 120);
}

TEST_CASE("collections: a customer always gets the same collector", "[unit][finance]") {
  const std::vector<std::string> collectors = {"ana", "bo", "cy"};
  CHECK(assign_collector("CUST-1", {}).empty());
  CHECK(assign_collector("CUST-1", {"solo"}) == "solo");
  const std::string first = assign_collector("CUST-42", collectors);
  for (int i = 0; i < 5; ++i) CHECK(assign_collector("CUST-42", collectors) == first);
  // The caller's order (or a duplicate) does not change the answer.
  CHECK(assign_collector("CUST-42", {"cy", "ana", "bo"}) == first);
  CHECK(assign_collector("CUST-42", {"bo", "cy", "ana", "bo"}) == first);
}

TEST_CASE("collections: customers spread over the collectors", "[unit][finance]") {
  const std::vector<std::string> collectors = {"ana", "bo", "cy"};
  std::map<std::string, int> counts;
  char id[16];
  for (int i = 1; i <= 1000; ++i) {
    std::snprintf(id, sizeof id, "CUST-%05d", i);
    ++counts[assign_collector(id, collectors)];
  }
  REQUIRE(counts.size() == 3);
  for (const auto& [collector, n] : counts) {
    INFO(collector << ": " << n);
    CHECK(n >= 200);
    CHECK(n <= 460);
  }
}
