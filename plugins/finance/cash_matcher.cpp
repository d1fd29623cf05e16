#include "plugins/finance/cash_matcher.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "plugins/finance/records/duplicate_rules.h"

namespace ledgerflow::finance {
namespace {

using records::format_e4;

// The reference.
constexpr std::size_t kMaxReferenceKeys = 20;
constexpr std::size_t kMinKeyLength = 4;
constexpr std::size_t kMaxKeyLength = 64;  // longer tokens are not invoice numbers
constexpr std::size_t kMaxGlueLength = 4;
constexpr std::size_t kMinTypoKeyLength = 6;
// Work limits.
constexpr std::size_t kMaxReferenceChoices = 512;  // combinations of per-number options
constexpr std::size_t kMaxFitsKept = 64;           // subsets kept per kind of fit

// Confidences (header, rules 2-7).
constexpr double kRefExact = 0.99, kRefExactTypo = 0.93;
constexpr double kRefShort = 0.95, kRefShortTypo = 0.90;
constexpr double kRefOver = 0.85, kRefOverTypo = 0.80;
constexpr double kRefPartial = 0.70, kRefPartialTypo = 0.65;
constexpr double kRefCorrected = 0.75;
constexpr double kRefPlusUnreferenced = 0.80;
constexpr double kAmountBesideReference = 0.5;
constexpr double kOtherCustomer = 0.3;
constexpr double kAmountSingle = 0.92, kAmountSingleSeveral = 0.5;
constexpr double kSubsetOne = 0.9, kSubsetSeveral = 0.6, kShortSeveral = 0.55;
constexpr double kUnproven = 0.85;  // also the cap for a payer inferred from the amount only
constexpr double kClosestMax = 0.4;
constexpr double kUnknownPayerFit = 0.4, kUnknownPayerAmount = 0.3, kUnknownPayerNamed = 0.2;

bool is_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_token_char(char c) {
  return is_letter(c) || is_digit(c) || c == '-' || c == '/' || c == '.';
}

struct RefKey {
  std::string key;
  int group = 0;  // the number token it came from
};

std::vector<RefKey> scan_reference(std::string_view ref) {
  std::vector<RefKey> out;
  auto add = [&](std::string key, int group) {
    if (key.size() < kMinKeyLength || key.size() > kMaxKeyLength) return;
    for (const RefKey& k : out) {
      if (k.key == key) return;
    }
    if (out.size() < kMaxReferenceKeys) out.push_back({std::move(key), group});
  };
  std::string word;  // key of the previous token when it was a short word
  int group = 0;
  std::size_t i = 0;
  while (i < ref.size() && out.size() < kMaxReferenceKeys) {
    if (!is_token_char(ref[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < ref.size() && is_token_char(ref[end])) ++end;
    std::string key = invoice_number_key(ref.substr(i, end - i));
    i = end;
    if (key.empty()) continue;  // punctuation only ("-", "..."): transparent
    if (std::any_of(key.begin(), key.end(), is_digit)) {
      add(key, group);
      if (!word.empty()) add(word + key, group);
      ++group;
      word.clear();
    } else {
      word = key.size() <= kMaxGlueLength ? key : std::string();
    }
  }
  return out;
}

// A candidate with its reference evidence.
struct Inv {
  const OpenInvoice* src = nullptr;
  std::string key;
  int exact_key = -1;          // index of the reference key equal to `key`, or -1
  std::vector<int> typo_keys;  // reference keys (>= 6 chars) at distance 1, when not exact
};

bool by_due(const Inv* a, const Inv* b) {
  return std::tie(a->src->due_day, a->src->invoice_id) <
         std::tie(b->src->due_day, b->src->invoice_id);
}

std::vector<Inv> prepare(const std::vector<OpenInvoice>& candidates,
                         const std::vector<RefKey>& keys) {
  std::vector<Inv> out;
  std::set<std::string_view> seen;
  for (const OpenInvoice& c : candidates) {
    if (c.outstanding_e4 <= 0 || !seen.insert(c.invoice_id).second) continue;
    Inv inv;
    inv.src = &c;
    inv.key = invoice_number_key(c.invoice_number);
    for (std::size_t k = 0; k < keys.size() && inv.exact_key < 0; ++k) {
      if (keys[k].key == inv.key) inv.exact_key = static_cast<int>(k);
    }
    for (std::size_t k = 0; k < keys.size() && inv.exact_key < 0; ++k) {
      if (keys[k].key.size() >= kMinTypoKeyLength && !inv.key.empty() &&
          records::edit_distance(keys[k].key, inv.key, 1) == 1) {
        inv.typo_keys.push_back(static_cast<int>(k));
      }
    }
    out.push_back(std::move(inv));
  }
  std::sort(out.begin(), out.end(), [](const Inv& a, const Inv& b) { return by_due(&a, &b); });
  return out;
}

std::int64_t sum_of(const std::vector<const Inv*>& set) {
  std::int64_t sum = 0;
  for (const Inv* inv : set) sum += inv->src->outstanding_e4;
  return sum;
}

std::string numbers_of(const std::vector<const Inv*>& set) {
  std::string out;
  for (const Inv* inv : set) out += (out.empty() ? "" : ", ") + inv->src->invoice_number;
  return out;
}

bool within_short(std::int64_t shortfall, std::int64_t total, const MatchPolicy& policy) {
  return shortfall > 0 && shortfall <= policy.short_tolerance_e4 &&
         static_cast<double>(shortfall) * 100.0 <=
             policy.short_tolerance_pct * static_cast<double>(total);
}

enum class Fit { exact, short_paid, over, partial, other };

Fit fit_of(std::int64_t sum, std::int64_t amount, const MatchPolicy& policy) {
  if (sum == amount) return Fit::exact;
  if (sum < amount) return Fit::over;
  return within_short(sum - amount, sum, policy) ? Fit::short_paid : Fit::partial;
}

// ---- Subset-sum search ---------------------------------------------------------------------

struct Fits {
  std::vector<std::vector<const Inv*>> exact, short_paid;
  bool truncated = false;  // the step budget ran out: other fits may exist
};

// Sets of 1..max_size invoices of `pool` summing to `target`, or above it within the short
// tolerance (judged on base_e4 + the set's sum). Depth-first over the pool sorted by amount,
// pruned both ways: a set already above target + tolerance grows only larger, and one that
// its largest possible completion cannot lift to the target is dropped. Every extension of
// a set is one step; at most `steps` are taken, which bounds the work whatever the pool.
class SubsetSearch {
 public:
  SubsetSearch(std::vector<const Inv*> pool, std::int64_t target, std::int64_t base_e4,
               std::size_t max_size, std::size_t steps, const MatchPolicy& policy)
      : pool_(std::move(pool)),
        target_(target),
        base_e4_(base_e4),
        max_size_(max_size),
        steps_left_(steps),
        policy_(policy) {
    std::sort(pool_.begin(), pool_.end(), [](const Inv* a, const Inv* b) {
      return a->src->outstanding_e4 != b->src->outstanding_e4
                 ? a->src->outstanding_e4 < b->src->outstanding_e4
                 : by_due(a, b);
    });
    prefix_.push_back(0);
    for (const Inv* inv : pool_) prefix_.push_back(prefix_.back() + inv->src->outstanding_e4);
  }

  Fits run() {
    if (max_size_ > 0 && target_ > 0) visit(0, 0);
    return std::move(fits_);
  }

 private:
  void visit(std::size_t start, std::int64_t sum) {
    const std::size_t n = pool_.size();
    const std::size_t slots = max_size_ - chosen_.size();
    for (std::size_t i = start; i < n && !done_; ++i) {
      if (steps_left_ == 0) {
        fits_.truncated = done_ = true;
        return;
      }
      --steps_left_;
      const std::size_t from = std::max(i, n > slots ? n - slots : 0);
      if (sum + prefix_[n] - prefix_[from] < target_) return;  // later i reach even less
      const std::int64_t next = sum + pool_[i]->src->outstanding_e4;
      if (next > target_ + policy_.short_tolerance_e4) return;  // later i are larger
      chosen_.push_back(pool_[i]);
      record(next);
      if (chosen_.size() < max_size_) visit(i + 1, next);
      chosen_.pop_back();
    }
  }

  void record(std::int64_t sum) {
    if (sum == target_) {
      fits_.exact.push_back(chosen_);
      done_ = fits_.exact.size() >= kMaxFitsKept;  // enough to know it is not unique
    } else if (sum > target_ && fits_.short_paid.size() < kMaxFitsKept &&
               within_short(sum - target_, base_e4_ + sum, policy_)) {
      fits_.short_paid.push_back(chosen_);
    }
  }

  std::vector<const Inv*> pool_;
  std::vector<std::int64_t> prefix_;  // prefix_[i]: sum of the i smallest
  std::int64_t target_, base_e4_;
  std::size_t max_size_, steps_left_;
  const MatchPolicy& policy_;
  std::vector<const Inv*> chosen_;
  Fits fits_;
  bool done_ = false;
};

// Sets with near due dates first (a customer pays one statement run), then fewer invoices,
// then the oldest, then by invoice id.
void rank_sets(std::vector<std::vector<const Inv*>>& sets) {
  for (auto& s : sets) std::sort(s.begin(), s.end(), by_due);
  auto rank = [](const std::vector<const Inv*>& s) {
    std::vector<std::string_view> ids;
    for (const Inv* inv : s) ids.push_back(inv->src->invoice_id);
    return std::make_tuple(s.back()->src->due_day - s.front()->src->due_day, s.size(),
                           s.front()->src->due_day, ids);
  };
  std::stable_sort(sets.begin(), sets.end(),
                   [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
}

// ---- The matcher ---------------------------------------------------------------------------

struct Ranked {
  Suggestion suggestion;
  Fit fit = Fit::other;
};

struct Pick {
  enum Kind { exact, typo, corrected };
  const Inv* inv = nullptr;
  int key = 0;  // the reference key that names it
  Kind kind = exact;
};

// Per number group of the reference: who it names.
struct GroupHits {
  std::vector<Pick> own_exact, own_typo;                  // the payer's, in the payment currency
  std::vector<const Inv*> other_exact, other_typo;        // another customer's
  std::vector<const Inv*> currency_exact, currency_typo;  // the payer's, other currencies
  bool any_exact = false;

  // What the group names among the payer's invoices: its exact hits; else, unless it names a
  // payer's invoice in another currency exactly, its typo hits.
  const std::vector<Pick>& primary() const {
    static const std::vector<Pick> kNone;
    if (!own_exact.empty()) return own_exact;
    return currency_exact.empty() ? own_typo : kNone;
  }
};

class Matcher {
 public:
  Matcher(const PaymentToMatch& payment, const MatchPolicy& policy, std::vector<RefKey> keys,
          std::vector<Inv> invs)
      : payment_(payment), policy_(policy), keys_(std::move(keys)), invs_(std::move(invs)) {}

  MatchResult run();

 private:
  std::string infer_payer();
  std::vector<GroupHits> collect_hits() const;
  void reference_suggestions(const std::vector<GroupHits>& hits);
  void choose(const std::vector<std::vector<Pick>>& slots, std::size_t at, bool corrected,
              std::vector<Pick>& picks);
  void evaluate(const std::vector<Pick>& picks);
  void extend_overpayment(const std::vector<const Inv*>& set, bool typo);
  void amount_suggestions();
  void subset_suggestions();
  void add_sets(std::vector<std::vector<const Inv*>> sets, Fit fit, double confidence,
                const std::string& note);
  void closest_suggestions();
  void other_customer_suggestion(const std::vector<GroupHits>& hits);
  void unknown_payer_suggestions();
  void add(std::vector<const Inv*> set, Fit fit, double confidence, std::string reason);
  void flag(const std::string& name);
  bool has_flag(const std::string& name) const;
  MatchResult finish(MatchResult result);

  const PaymentToMatch& payment_;
  const MatchPolicy& policy_;
  const std::vector<RefKey> keys_;
  const std::vector<Inv> invs_;  // deduped, by due day
  std::string payer_;
  bool payer_from_amount_ = false;
  std::vector<const Inv*> own_;  // the payer's open invoices in the currency, by due day
  std::vector<Ranked> ranked_;
  std::vector<std::string> flags_;
  std::size_t choices_ = 0;
  bool reference_fits_ = false;         // a referenced set fits the amount
  std::vector<const Inv*> first_over_;  // the first referenced set paid over
  bool first_over_typo_ = false;
};

void Matcher::flag(const std::string& name) {
  if (!has_flag(name)) flags_.push_back(name);
}

bool Matcher::has_flag(const std::string& name) const {
  return std::find(flags_.begin(), flags_.end(), name) != flags_.end();
}

void Matcher::add(std::vector<const Inv*> set, Fit fit, double confidence, std::string reason) {
  std::sort(set.begin(), set.end(), by_due);
  set.erase(std::unique(set.begin(), set.end()), set.end());
  Ranked r;
  r.fit = fit;
  const bool full = fit == Fit::exact || fit == Fit::short_paid || fit == Fit::over;
  std::int64_t left = payment_.amount_e4;
  for (const Inv* inv : set) {
    const std::int64_t amount =
        full ? inv->src->outstanding_e4 : std::min(left, inv->src->outstanding_e4);
    if (amount <= 0) break;
    r.suggestion.allocations.push_back({inv->src->invoice_id, amount});
    left -= amount;
  }
  if (fit == Fit::short_paid) r.suggestion.short_e4 = -left;
  r.suggestion.confidence = payer_from_amount_ ? std::min(confidence, kUnproven) : confidence;
  r.suggestion.reason = std::move(reason);
  if (payer_from_amount_) r.suggestion.reason += ", payer inferred from the amount";
  ranked_.push_back(std::move(r));
}

std::string Matcher::infer_payer() {
  auto single_owner = [](const std::vector<const Inv*>& set) {
    std::string owner;
    for (const Inv* inv : set) {
      if (!owner.empty() && owner != inv->src->customer_id) return std::string();
      owner = inv->src->customer_id;
    }
    return owner;
  };
  std::vector<const Inv*> exact, typo, amount;
  for (const Inv& inv : invs_) {
    if (inv.exact_key >= 0) exact.push_back(&inv);
    if (!inv.typo_keys.empty()) typo.push_back(&inv);
    if (inv.src->outstanding_e4 == payment_.amount_e4 && inv.src->currency == payment_.currency)
      amount.push_back(&inv);
  }
  std::string owner = single_owner(exact.empty() ? typo : exact);
  if (owner.empty()) {
    owner = single_owner(amount);
    payer_from_amount_ = !owner.empty();
  }
  return owner;
}

std::vector<GroupHits> Matcher::collect_hits() const {
  int groups = 0;
  for (const RefKey& k : keys_) groups = std::max(groups, k.group + 1);
  std::vector<GroupHits> hits(groups);
  for (const Inv& inv : invs_) {
    const bool payer = inv.src->customer_id == payer_;
    const bool own = payer && inv.src->currency == payment_.currency;
    if (inv.exact_key >= 0) {
      GroupHits& g = hits[keys_[inv.exact_key].group];
      g.any_exact = true;
      if (own) {
        g.own_exact.push_back({&inv, inv.exact_key, Pick::exact});
      } else {
        (payer ? g.currency_exact : g.other_exact).push_back(&inv);
      }
    }
    std::set<int> seen;  // one pick per group
    for (int k : inv.typo_keys) {
      GroupHits& g = hits[keys_[k].group];
      if (!seen.insert(keys_[k].group).second) continue;
      if (own) {
        g.own_typo.push_back({&inv, k, Pick::typo});
      } else {
        (payer ? g.currency_typo : g.other_typo).push_back(&inv);
      }
    }
  }
  return hits;
}

// Every combination of one option per group (the payer's invoices the group names, or, as a
// correction, a neighbour of the one it names exactly), at most kMaxReferenceChoices.
void Matcher::reference_suggestions(const std::vector<GroupHits>& hits) {
  std::vector<std::vector<Pick>> slots;
  for (const GroupHits& g : hits) {
    if (g.primary().empty()) continue;
    std::vector<Pick> options = g.primary();
    if (!g.own_exact.empty()) {
      for (Pick p : g.own_typo) {
        p.kind = Pick::corrected;
        options.push_back(p);
      }
    }
    slots.push_back(std::move(options));
  }
  std::vector<Pick> picks;
  choose(slots, 0, false, picks);
  if (!reference_fits_ && !first_over_.empty()) extend_overpayment(first_over_, first_over_typo_);
  if (reference_fits_) return;
  for (const Inv* inv : own_) {
    if (inv->src->outstanding_e4 == payment_.amount_e4) {
      add({inv}, Fit::exact, kAmountBesideReference,
          "amount equals " + inv->src->invoice_number + ", which the reference does not name");
    }
  }
}

void Matcher::choose(const std::vector<std::vector<Pick>>& slots, std::size_t at, bool corrected,
                     std::vector<Pick>& picks) {
  if (choices_ >= kMaxReferenceChoices) return;
  if (at == slots.size()) {
    ++choices_;
    evaluate(picks);
    return;
  }
  for (const Pick& p : slots[at]) {
    if (p.kind == Pick::corrected && corrected) continue;  // one correction at most
    picks.push_back(p);
    choose(slots, at + 1, corrected || p.kind == Pick::corrected, picks);
    picks.pop_back();
  }
}

void Matcher::evaluate(const std::vector<Pick>& picks) {
  std::vector<const Inv*> set;
  bool typo = false, corrected = false;
  std::string reason = "reference ";
  for (const Pick& p : picks) {
    if (std::find(set.begin(), set.end(), p.inv) == set.end()) set.push_back(p.inv);
    typo |= p.kind == Pick::typo;
    corrected |= p.kind == Pick::corrected;
    if (&p != &picks.front()) reason += ", ";
    reason += keys_[p.key].key;
    if (p.kind == Pick::exact) reason += " (exact)";
    if (p.kind == Pick::typo) reason += " ~ " + p.inv->key + " (typo)";
    if (p.kind == Pick::corrected) reason += " -> " + p.inv->key + " (corrected)";
  }
  const std::int64_t sum = sum_of(set);
  const Fit fit = fit_of(sum, payment_.amount_e4, policy_);
  const bool fits = fit == Fit::exact || fit == Fit::short_paid;
  if (corrected && !fits) return;  // a correction is only worth offering when it fits
  double confidence = kRefCorrected;
  switch (fit) {
    case Fit::exact:
      reason += ", amount exact";
      if (!corrected) confidence = typo ? kRefExactTypo : kRefExact;
      break;
    case Fit::short_paid:
      reason += ", short by " + format_e4(sum - payment_.amount_e4) + " (within tolerance)";
      if (!corrected) confidence = typo ? kRefShortTypo : kRefShort;
      break;
    case Fit::over:
      reason += ", overpaid by " + format_e4(payment_.amount_e4 - sum);
      confidence = typo ? kRefOverTypo : kRefOver;
      break;
    default:
      reason += ", partial: " + format_e4(payment_.amount_e4) + " of " + format_e4(sum) +
                ", oldest due first";
      confidence = typo ? kRefPartialTypo : kRefPartial;
      break;
  }
  if (fits && !corrected) reference_fits_ = true;
  if (fit == Fit::over && first_over_.empty()) {
    first_over_ = set;
    first_over_typo_ = typo;
  }
  add(std::move(set), fit, confidence, std::move(reason));
}

// An overpayment may settle unreferenced invoices too: search the rest for the excess.
void Matcher::extend_overpayment(const std::vector<const Inv*>& set, bool typo) {
  std::vector<const Inv*> pool;
  for (const Inv* inv : own_) {
    if (pool.size() >= policy_.search_pool) break;
    if (std::find(set.begin(), set.end(), inv) == set.end()) pool.push_back(inv);
  }
  const std::int64_t base = sum_of(set);
  const std::int64_t excess = payment_.amount_e4 - base;
  Fits fits =
      SubsetSearch(pool, excess, base, policy_.max_invoices, policy_.search_steps, policy_).run();
  const bool exact = !fits.exact.empty();
  auto& found = exact ? fits.exact : fits.short_paid;
  if (found.empty()) return;
  rank_sets(found);
  std::vector<const Inv*> all = set;
  all.insert(all.end(), found.front().begin(), found.front().end());
  const double confidence = kRefPlusUnreferenced - (typo ? 0.05 : 0) - (found.size() > 1 ? 0.1 : 0);
  add(std::move(all), exact ? Fit::exact : Fit::short_paid, confidence,
      "referenced invoices plus unreferenced " + numbers_of(found.front()) + " cover the amount" +
          (exact ? "" : " within the short tolerance"));
}

// Rule 6: no reference evidence for the payer's invoices.
void Matcher::amount_suggestions() {
  if (own_.empty()) {
    flag("no_match");
    return;
  }
  std::vector<const Inv*> singles;
  for (const Inv* inv : own_) {
    if (inv->src->outstanding_e4 == payment_.amount_e4) singles.push_back(inv);
  }
  if (singles.size() == 1) {
    add(singles, Fit::exact, kAmountSingle,
        "amount equals " + singles.front()->src->invoice_number + " (only open invoice of it)");
    return;
  }
  for (const Inv* inv : singles) {
    add({inv}, Fit::exact, kAmountSingleSeveral,
        "amount equals " + inv->src->invoice_number + ", one of " + std::to_string(singles.size()) +
            " open invoices of it");
  }
  if (singles.empty()) subset_suggestions();
}

// Sets of 2..max_invoices invoices adding up to the amount, or of 1..max_invoices above it
// within the short tolerance (bank charges).
void Matcher::subset_suggestions() {
  const std::size_t pool_size = std::min(own_.size(), policy_.search_pool);
  std::vector<const Inv*> pool(own_.begin(), own_.begin() + static_cast<long>(pool_size));
  Fits fits =
      SubsetSearch(pool, payment_.amount_e4, 0, policy_.max_invoices, policy_.search_steps, policy_)
          .run();
  const bool cut = fits.truncated || own_.size() > pool.size();
  if (cut) flag("search_truncated");
  if (fits.exact.empty() && fits.short_paid.empty()) {
    closest_suggestions();
    return;
  }
  const bool exact = !fits.exact.empty();
  // A short fit of fewer invoices than every exact set explains the amount as simply (bank
  // charges on them): then even a single exact set is not proven, and the rivals are offered.
  std::vector<std::vector<const Inv*>> rivals;
  if (exact) {
    std::size_t fewest = policy_.max_invoices;
    for (const auto& set : fits.exact) fewest = std::min(fewest, set.size());
    for (const auto& set : fits.short_paid) {
      if (set.size() < fewest) rivals.push_back(set);
    }
  }
  auto& sets = exact ? fits.exact : fits.short_paid;
  double confidence = kSubsetOne;
  std::string note = " (the only set)";
  if (sets.size() > 1) {
    confidence = exact ? kSubsetSeveral : kShortSeveral;
    note = " (one of " + std::to_string(sets.size()) + " sets)";
  } else if (!rivals.empty()) {
    confidence = kSubsetSeveral;
    note = " (the only exact set, but fewer invoices fit short)";
  } else if (cut) {
    confidence = kUnproven;
    note = " (the only set found; search incomplete)";
  }
  add_sets(std::move(sets), exact ? Fit::exact : Fit::short_paid, confidence, note);
  add_sets(std::move(rivals), Fit::short_paid, kShortSeveral, " (fewer invoices, short)");
}

void Matcher::add_sets(std::vector<std::vector<const Inv*>> sets, Fit fit, double confidence,
                       const std::string& note) {
  rank_sets(sets);
  for (const auto& set : sets) {
    std::string what =
        set.size() == 1 ? set.front()->src->invoice_number : "the sum of " + numbers_of(set);
    add(set, fit, confidence,
        (fit == Fit::exact ? "amount equals " : "amount within tolerance of ") + what + note);
  }
}

// Nothing fits: the single invoices closest to the amount, for a person to look at.
void Matcher::closest_suggestions() {
  flag("no_match");
  std::vector<const Inv*> closest = own_;
  auto distance = [&](const Inv* inv) {
    const std::int64_t d = inv->src->outstanding_e4 - payment_.amount_e4;
    return d < 0 ? -d : d;
  };
  std::stable_sort(closest.begin(), closest.end(),
                   [&](const Inv* a, const Inv* b) { return distance(a) < distance(b); });
  closest.resize(std::min(closest.size(), std::max<std::size_t>(1, policy_.max_suggestions)));
  for (const Inv* inv : closest) {
    const double small =
        static_cast<double>(std::min(inv->src->outstanding_e4, payment_.amount_e4));
    const double large =
        static_cast<double>(std::max(inv->src->outstanding_e4, payment_.amount_e4));
    add({inv}, Fit::other, kClosestMax * small / large,
        "no combination fits; closest open invoice " + inv->src->invoice_number + " (" +
            format_e4(inv->src->outstanding_e4) + ")");
  }
}

void Matcher::other_customer_suggestion(const std::vector<GroupHits>& hits) {
  std::vector<const Inv*> named;
  bool any = false;
  for (const GroupHits& g : hits) {
    std::vector<const Inv*> other = g.other_exact;
    if (!g.any_exact && g.own_typo.empty()) other = g.other_typo;
    for (const Inv* inv : other) {
      any = true;
      if (inv->src->currency == payment_.currency) named.push_back(inv);
    }
  }
  if (!any) return;
  // Invoice numbers are dense sequences, so a mistyped digit often spells another
  // customer's real number. When the bank names the payer, the payer's own invoice one
  // edit away fits the amount, and what the other customer's number names does not, the
  // reference is a typo of the payer's invoice: noted, not blocking.
  const Fit other_fit = fit_of(sum_of(named), payment_.amount_e4, policy_);
  const bool other_fits = other_fit == Fit::exact || other_fit == Fit::short_paid;
  if (!payment_.customer_id.empty() && reference_fits_ && !other_fits) {
    flag("reference_other_customer_ignored");
    return;
  }
  flag("reference_other_customer");
  if (named.empty()) return;
  std::set<std::string> owners;
  for (const Inv* inv : named) owners.insert(inv->src->customer_id);
  std::string who;
  for (const std::string& o : owners) who += (who.empty() ? "" : ", ") + o;
  add(named, Fit::other, kOtherCustomer,
      "reference names " + numbers_of(named) + " of customer " + who + ", not the payer");
}

void Matcher::unknown_payer_suggestions() {
  std::map<std::string, std::vector<const Inv*>> named;  // by customer
  for (const Inv& inv : invs_) {
    if (inv.exact_key >= 0 && inv.src->currency == payment_.currency)
      named[inv.src->customer_id].push_back(&inv);
  }
  std::set<const Inv*> offered;
  for (auto& [customer, set] : named) {
    const Fit fit = fit_of(sum_of(set), payment_.amount_e4, policy_);
    const bool fits = fit == Fit::exact || fit == Fit::short_paid;
    offered.insert(set.begin(), set.end());
    add(set, fits ? fit : Fit::other, fits ? kUnknownPayerFit : kUnknownPayerNamed,
        "reference names " + numbers_of(set) + " of customer " + customer);
  }
  for (const Inv& inv : invs_) {
    if (inv.src->outstanding_e4 == payment_.amount_e4 && inv.src->currency == payment_.currency &&
        !offered.count(&inv)) {
      add({&inv}, Fit::exact, kUnknownPayerAmount,
          "amount equals " + inv.src->invoice_number + " of customer " + inv.src->customer_id);
    }
  }
}

MatchResult Matcher::run() {
  MatchResult result;
  payer_ = payment_.customer_id;
  if (payer_.empty()) {
    payer_ = infer_payer();
    if (payer_.empty()) {
      flag("unknown_payer");
      unknown_payer_suggestions();
      return finish(std::move(result));
    }
    flag("customer_inferred");
  }
  result.customer_id = payer_;
  std::int64_t open_e4 = 0;
  for (const Inv& inv : invs_) {
    if (inv.src->customer_id == payer_ && inv.src->currency == payment_.currency) {
      own_.push_back(&inv);
      open_e4 += inv.src->outstanding_e4;
    }
  }
  const std::vector<GroupHits> hits = collect_hits();
  const bool referenced = std::any_of(hits.begin(), hits.end(),
                                      [](const GroupHits& g) { return !g.primary().empty(); });
  if (referenced) {
    reference_suggestions(hits);
  } else {
    for (const GroupHits& g : hits) {
      if (!g.currency_exact.empty() || (!g.any_exact && !g.currency_typo.empty())) {
        flag("currency_mismatch");
      }
    }
    amount_suggestions();
  }
  other_customer_suggestion(hits);
  if (static_cast<double>(payment_.amount_e4) > 3.0 * static_cast<double>(open_e4)) {
    flag("unusual_payer");
  }
  return finish(std::move(result));
}

MatchResult Matcher::finish(MatchResult result) {
  std::stable_sort(ranked_.begin(), ranked_.end(), [](const Ranked& a, const Ranked& b) {
    return a.suggestion.confidence > b.suggestion.confidence;
  });
  std::vector<Ranked> unique;  // the same allocations offered twice: keep the better
  for (Ranked& r : ranked_) {
    auto same = [&](const Ranked& u) {
      if (u.suggestion.allocations.size() != r.suggestion.allocations.size()) return false;
      for (std::size_t i = 0; i < u.suggestion.allocations.size(); ++i) {
        const Allocation& a = u.suggestion.allocations[i];
        const Allocation& b = r.suggestion.allocations[i];
        if (a.invoice_id != b.invoice_id || a.amount_e4 != b.amount_e4) return false;
      }
      return true;
    };
    if (std::none_of(unique.begin(), unique.end(), same)) unique.push_back(std::move(r));
  }
  const bool blocked = has_flag("reference_other_customer") || has_flag("currency_mismatch") ||
                       has_flag("unknown_payer");
  result.unapplied_e4 = payment_.amount_e4;
  if (!unique.empty()) {
    const Ranked& best = unique.front();
    const bool tie =
        unique.size() > 1 && unique[1].suggestion.confidence >= best.suggestion.confidence;
    const bool apply = !blocked && !tie && best.suggestion.confidence >= policy_.auto_apply_min;
    result.status =
        apply ? MatchStatus::matched
              : (has_flag("unknown_payer") ? MatchStatus::unmatched : MatchStatus::ambiguous);
    std::int64_t allocated = 0;
    for (const Allocation& a : best.suggestion.allocations) allocated += a.amount_e4;
    result.short_e4 = best.suggestion.short_e4;
    result.unapplied_e4 = std::max<std::int64_t>(0, payment_.amount_e4 - allocated);
    if (best.fit == Fit::short_paid) flag("short_payment");
    if (best.fit == Fit::over) flag("overpayment");
    if (best.fit == Fit::partial) flag("partial_payment");
  }
  unique.resize(std::min(unique.size(), std::max<std::size_t>(1, policy_.max_suggestions)));
  for (Ranked& r : unique) result.suggestions.push_back(std::move(r.suggestion));
  result.flags = std::move(flags_);
  return result;
}

}  // namespace

std::string invoice_number_key(std::string_view number) {
  return records::invoice_number_key(number);
}

std::vector<std::string> reference_keys(std::string_view reference) {
  std::vector<std::string> out;
  for (RefKey& k : scan_reference(reference)) out.push_back(std::move(k.key));
  return out;
}

std::string_view to_string(MatchStatus s) {
  switch (s) {
    case MatchStatus::matched:
      return "matched";
    case MatchStatus::ambiguous:
      return "ambiguous";
    case MatchStatus::unmatched:
      break;
  }
  return "unmatched";
}

MatchResult match_payment(const PaymentToMatch& payment, const std::vector<OpenInvoice>& candidates,
                          const MatchPolicy& policy) {
  if (payment.amount_e4 <= 0) {
    MatchResult result;
    result.customer_id = payment.customer_id;
    result.flags = {"invalid_amount"};
    return result;
  }
  std::vector<RefKey> keys = scan_reference(payment.reference);
  std::vector<Inv> invs = prepare(candidates, keys);
  return Matcher(payment, policy, std::move(keys), std::move(invs)).run();
}

}  // namespace ledgerflow::finance
