// Pseudonyms for sensitive feature values in decision records.
//
// A score step records the feature values it scored (the decision record, issue 5). A
// feature computed from a workflow's `sensitive:` data (or named there) is recorded as
//
//   hmac-sha256:<64 hex digits>  = HMAC-SHA-256(key, the value's compact JSON text)
//
// never in clear: the same value under the same key gives the same pseudonym (records
// stay joinable and comparable), and without the key it cannot be reversed by trying
// the few plausible values of a number. The key comes in through StepContext (step() is
// pure; the daemon and CLI read it from a key file: api/service/hmac_key.h).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/definition/definition.h"

namespace ledgerflow::scoring {

inline constexpr std::string_view kPseudonymPrefix = "hmac-sha256:";

// The pseudonym of `value` (null stays null: missingness is not the secret). With an
// empty key the value is still withheld: "hmac-sha256:unkeyed".
nlohmann::json pseudonymise(const nlohmann::json& value, std::string_view key);

// Whether feature `name`, computed by `feature`, reveals sensitive data: its name is a
// sensitive path or the last segment of one, or a path it reads and a sensitive path are
// one inside the other (reading `invoice` reads `invoice.vendor_iban`), or a segment of a
// path it reads is the last segment of a sensitive path (the API masks by key name at
// any depth, so a value copied under another parent counts too).
bool is_sensitive_feature(const def::Definition& d, const std::string& name,
                          const def::Expr& feature);

}  // namespace ledgerflow::scoring
