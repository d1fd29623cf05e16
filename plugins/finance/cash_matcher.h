// Cash application for accounts receivable: which open customer invoices an incoming bank
// payment settles. Pure: the caller (ar.match_payment) loads the payment and the candidate
// invoices, and applies or parks the result. Written here because no library matches
// remittance text to invoices; the string distance is the one of the AP duplicate rules
// (records::edit_distance), the number key the one the database indexes
// (records::invoice_number_key).
//
// Decision rules, in order:
//  1. Reference evidence. The reference yields number keys (reference_keys); each number
//     token is one "group" (the token and its glued prefix). Per group: an invoice whose
//     key equals one of its keys is named exactly (1.0); only when none of the payer's
//     invoices is named exactly, an invoice at OSA distance 1 from a key of >= 6 characters
//     is named with a typo (0.8). Sequential invoice numbers are neighbours, so a typo never
//     overrides an exact hit (it may only be offered as a correction, see 5).
//  2. Payer: payment.customer_id if given. Otherwise the one customer owning every named
//     invoice (exact hits, else typo hits), else the one customer owning every open invoice
//     of exactly the payment amount (flag customer_inferred either way). Still unknown: flag
//     unknown_payer, status unmatched, suggestions from the evidence at <= 0.4.
//  3. Invoices of another customer named exactly (or with a typo, by a number that names
//     none of the payer's): flag reference_other_customer (blocking); offered as a
//     suggestion at 0.3, never applied. Except when the payment names its payer, the
//     payer's invoices the reference names (with a typo) fit the amount and the other
//     customer's do not: then it was a typo of the payer's number (dense number sequences
//     make that common) and the flag is reference_other_customer_ignored (not blocking).
//  4. Invoices in another currency are never allocated. If the reference names only such
//     invoices of the payer: flag currency_mismatch (blocking), then rule 6.
//  5. Referenced set R (payer's, payment currency; one option per group, every combination
//     of options tried, at most 512). Fit of sum(R) against the amount:
//       equal                                   0.99 (0.93 with a typo)
//       amount short within tolerance           0.95 (0.90)  flag short_payment, short_e4
//       amount above (overpayment)              0.85 (0.80)  flag overpayment, unapplied_e4
//       amount short beyond tolerance (partial) 0.70 (0.65)  flag partial_payment, oldest
//                                                            due first
//     Tolerance: shortfall <= short_tolerance_e4 AND <= short_tolerance_pct of sum(R).
//     Also offered, never above 0.8: a neighbour (distance 1) of a named invoice in its
//     place when that fits the amount (0.75, the typo landed on a real number); R plus
//     unreferenced invoices covering an overpayment (0.8); an invoice of exactly the
//     amount (0.5).
//  6. No reference evidence, over the payer's open invoices in the currency: exactly one of
//     the amount -> 0.92; several -> 0.5 each, oldest due first. Else a subset-sum search
//     (1..max_invoices invoices among the search_pool oldest-due, at most search_steps
//     steps) for sets summing to the amount exactly -> one: 0.9, several: 0.6; or else
//     within the short tolerance -> one: 0.9, several: 0.55. Several are ranked by the
//     spread of their due dates, then size. A "one" the search could not prove unique (the
//     pool was cut or the steps ran out: flag search_truncated) gets 0.85; a single exact
//     set gets 0.6 when a short fit of fewer invoices explains the amount too (offered at
//     0.55). Nothing: the closest single invoices at < 0.4 and flag no_match (no open
//     invoice: no suggestion, unmatched).
//  7. Amount > 3x the payer's open balance in the currency: flag unusual_payer. A payer
//     inferred only from the amount caps every confidence at 0.85 (nothing says who paid).
//  8. Ranking by confidence (ties keep the order above: due day, then invoice id). matched
//     when the best confidence >= auto_apply_min, no second suggestion has the same
//     confidence, and no blocking flag (reference_other_customer, currency_mismatch,
//     unknown_payer); else ambiguous with suggestions, unmatched without. amount <= 0:
//     unmatched, flag invalid_amount.
// Result flags short_payment / overpayment / partial_payment describe the first suggestion.
// Allocations never exceed an invoice's outstanding, name an invoice at most once, and sum
// to <= the payment amount, except for a short payment: then they are the full outstanding
// and sum to amount + short_e4 (the caller books short_e4 as bank charges).
// Deterministic: the result depends only on the arguments (not on candidate order, beyond
// which of two rows with the same invoice_id is kept: the first).
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plugins/finance/records/decimal.h"

namespace ledgerflow::finance {

// Upper-case letters and digits only: "SI-2024-000123" -> "SI2024000123". The database
// indexes invoice numbers by this key (records::invoice_number_key).
std::string invoice_number_key(std::string_view number);

// Candidate invoice-number keys in a free-text reference, in order of appearance, without
// duplicates, at most 20: the key of every maximal token of letters, digits, '-', '/', '.'
// that contains a digit; after it, when the token right before it is a short word (letters
// only, key <= 4 characters: "INV", "RE", "Nr."), the word's key glued to its key
// ("INV 2024-00123" yields "202400123", "INV202400123"). Punctuation-only tokens are skipped.
// Keys shorter than 4 or longer than 64 characters are dropped.
std::vector<std::string> reference_keys(std::string_view reference);

struct OpenInvoice {
  std::string invoice_id, customer_id, invoice_number, currency;
  int invoice_day = 0, due_day = 0;  // days since 1970-01-01
  std::int64_t outstanding_e4 = 0;   // what is still unpaid (> 0; others are ignored)
};

struct PaymentToMatch {
  std::string payment_id, customer_id;  // customer_id may be empty
  std::string currency, reference;
  std::int64_t amount_e4 = 0;
  int received_day = 0;
};

struct MatchPolicy {
  std::int64_t short_tolerance_e4 = 25 * records::kE4;  // a payment this much below the total
  double short_tolerance_pct = 1.0;    // ... and at most this percent of it still closes it
  double auto_apply_min = 0.9;         // confidence needed to apply without a person
  std::size_t max_invoices = 6;        // invoices one payment may settle in the subset-sum search
  std::size_t max_suggestions = 5;     // (at least 1 is returned when there is any)
  std::size_t search_pool = 40;        // oldest-due open invoices the search considers
  std::size_t search_steps = 200'000;  // subsets the search may extend before giving up
};

struct Allocation {
  std::string invoice_id;
  std::int64_t amount_e4 = 0;
};

struct Suggestion {
  std::vector<Allocation> allocations;  // sums to <= the amount, or amount + short_e4
  std::int64_t short_e4 = 0;            // shortfall written off (short payment), else 0
  double confidence = 0;                // 0..1
  std::string reason;                   // e.g. "reference SI2024000123 (exact), amount exact"
};

enum class MatchStatus { matched, ambiguous, unmatched };

struct MatchResult {
  MatchStatus status = MatchStatus::unmatched;
  std::string customer_id;              // as given, or inferred (flag customer_inferred)
  std::vector<Suggestion> suggestions;  // ranked, best first; for `matched` the first applies
  std::vector<std::string> flags;       // see the rules above
  std::int64_t unapplied_e4 = 0;        // payment amount not allocated by the first suggestion
  std::int64_t short_e4 = 0;            // the first suggestion's short_e4
};

std::string_view to_string(MatchStatus s);

// `candidates`: the payer's open invoices plus any open invoice (any customer) whose number
// key the reference names or that has the payment's exact amount; may contain duplicates
// (deduped by invoice_id) and invoices of other customers. When the payer had to be
// inferred, the candidates hold only some of its invoices; the caller may load them all
// and call again with customer_id set.
MatchResult match_payment(const PaymentToMatch& payment, const std::vector<OpenInvoice>& candidates,
                          const MatchPolicy& policy = {});

}  // namespace ledgerflow::finance
