// Synthetic identities for generated records: company names, countries, IBANs with
// valid ISO 13616 check digits (mod 97), tax ids, and record ids of a fixed width.
// Every value is drawn from the caller's Rng, so the same seed gives the same names.
// Thread-safety: stateless functions (the Rng is the caller's).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {

// "Nordwind Logistik GmbH", "Bellamy Foods Ltd", ... (unique enough; not guaranteed).
std::string company_name(Rng& rng, std::string_view country);
// A home country for a business partner: mostly DE, then FR, NL, GB, AT, ES, IT, BE, US.
std::string partner_country(Rng& rng);
// An IBAN of the country with correct check digits (for "US", a German IBAN: US
// vendors are paid to a euro account here).
std::string make_iban(Rng& rng, std::string_view country);
// A VAT-style tax id: country code and 9 to 11 digits.
std::string make_tax_id(Rng& rng, std::string_view country);
// "V-" + zero-padded n, at least `width` digits: record_id("V-", 7, 5) = "V-00007".
std::string record_id(std::string_view prefix, std::size_t n, int width = 6);
// Currency of a country (EUR, GBP, USD).
std::string currency_of(std::string_view country);

}  // namespace ledgerflow::datagen
