// The AP duplicate rules, one definition for everyone: ap.duplicate_candidates
// (plugins/finance) finds candidates by them, the generator labels injected duplicates by
// them, and the AP training features (dup_best_similarity, dup_candidate_count) count
// them, so the ap_invoice_risk model sees in production what it was trained on
// (plugins/finance/datagen/README.md, "AP features").
//
//   exact         same vendor, same normalised invoice number               1.00
//   near          same vendor, amount within 1%, invoice dates within 7
//                 days, normalised numbers at edit distance 1 (one insert,
//                 delete, substitution or transposition of neighbours)      0.95
//   resubmission  same vendor, same amount, same date, another number       0.90
//   cross_vendor  another vendor with the same IBAN, same amount and date   0.90
//
// Normalising a number: upper case, only letters and digits kept, leading zeros of each
// run of digits dropped ("inv-000123" and "INV 123" are both "INV123").
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ledgerflow::records {

enum class DuplicateRule { none, exact, near, resubmission, cross_vendor };

std::string_view rule_name(DuplicateRule rule);
double rule_similarity(DuplicateRule rule);  // 0 for none

std::string normalize_invoice_number(std::string_view number);

// The key AR invoice numbers are looked up by from bank references: letters and digits
// only, upper case, zeros kept ("SI-2024-000123" and "si 2024000123" are "SI2024000123").
std::string invoice_number_key(std::string_view number);

// Optimal string alignment distance (Levenshtein plus adjacent transpositions), capped:
// returns `cap` + 1 as soon as the distance is known to exceed `cap`.
int edit_distance(std::string_view a, std::string_view b, int cap = 3);

struct DuplicateProbe {
  std::string vendor_id;
  std::string iban;               // the vendor's bank account
  std::string normalized_number;  // normalize_invoice_number(invoice_number)
  int invoice_date = 0;           // days since 1970-01-01
  std::int64_t amount_minor = 0;  // in a fixed minor unit (cents, or 1e-4 in the store)
};

// The strongest rule by which `later` duplicates `earlier` (the first matching row of the
// table above), or none.
DuplicateRule match_duplicate(const DuplicateProbe& earlier, const DuplicateProbe& later);

}  // namespace ledgerflow::records
