// ISO 4217 currency codes and ISO 3166-1 alpha-2 country codes in current use, and the
// IBAN check (ISO 13616: country, check digits, mod-97 over the rearranged account).
// Thread-safety: stateless functions over constant tables.
#pragma once

#include <string>
#include <string_view>

namespace ledgerflow::records {

bool is_currency(std::string_view code);
bool is_country(std::string_view code);
// Empty when `iban` (spaces allowed, any case) is valid; otherwise the reason.
std::string iban_problem(std::string_view iban);
// Upper case, spaces removed.
std::string normalize_iban(std::string_view iban);

}  // namespace ledgerflow::records
