// Masking of sensitive fields: a workflow lists data paths under `sensitive:`
// (e.g. claim.payee_iban). Whatever the API returns about its instances — data,
// history, tasks, events — goes through mask_json first.
//
// Conservative by design: a field is masked wherever a key equal to the last segment of a
// sensitive path appears (at any depth), not only at the exact path, because the same
// value is copied into history events, action arguments and task context under other
// parents. Over-masking a same-named field is the price; a leak is not an option.
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace ledgerflow::api {

inline constexpr const char* kMasked = "****";

// The key names to mask for these sensitive paths.
std::set<std::string> masked_keys(const std::vector<std::string>& sensitive_paths);
// Replaces the value of every member named in `keys`, at any depth, with "****".
void mask_json(nlohmann::json& value, const std::set<std::string>& keys);

}  // namespace ledgerflow::api
