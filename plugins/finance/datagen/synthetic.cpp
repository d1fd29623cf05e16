#include "plugins/finance/datagen/synthetic.h"

#include <array>
#include <cstdio>

namespace ledgerflow::datagen {
namespace {

constexpr std::array kFirst = {"Nord",   "Sud",   "Bell",   "Alt",   "Stern",  "Blau",  "Grun",
                               "Hoch",   "Lind",  "Oster",  "West",  "Falk",   "Rhein", "Elb",
                               "Tann",   "Berg",  "Silber", "Adler", "Kron",   "Mont",  "Clear",
                               "Bright", "Iron",  "Oak",    "River", "Summit", "Atlas", "Vega",
                               "Orion",  "Delta", "Nova",   "Polar"};
constexpr std::array kSecond = {"wind",  "tech",  "feld", "haus", "werk", "stone", "bridge",
                                "point", "line",  "way",  "mark", "gate", "port",  "field",
                                "view",  "ridge", "tal",  "hof",  "land", "wave"};
constexpr std::array kTrade = {
    "Logistik", "Foods",     "Systems",  "Consulting", "Industrie",       "Packaging", "Software",
    "Trading",  "Services",  "Metals",   "Energy",     "Office Supplies", "Print",     "Facility",
    "Media",    "Chemicals", "Textiles", "Components", "Freight",         "Labs"};

std::string_view legal_form(std::string_view country) {
  if (country == "DE" || country == "AT") return "GmbH";
  if (country == "GB") return "Ltd";
  if (country == "US") return "Inc";
  if (country == "NL" || country == "BE") return "B.V.";
  if (country == "FR") return "SAS";
  if (country == "ES") return "S.L.";
  if (country == "IT") return "S.r.l.";
  return "SA";
}

int bban_digits(std::string_view country) {
  if (country == "DE") return 18;
  if (country == "FR") return 23;
  if (country == "ES") return 20;
  if (country == "IT") return 23;
  if (country == "AT") return 16;
  if (country == "BE") return 12;
  if (country == "LT") return 16;
  if (country == "CY") return 24;
  if (country == "MT") return 27;
  if (country == "RO") return 20;
  if (country == "BG") return 18;
  if (country == "PL") return 24;
  return 18;
}

// ISO 13616: move the country and "00" to the end, letters to 10..35, take mod 97.
int check_digits(std::string_view country, std::string_view bban) {
  std::string rearranged = std::string(bban) + std::string(country) + "00";
  int mod = 0;
  for (char c : rearranged) {
    if (c >= '0' && c <= '9') {
      mod = (mod * 10 + (c - '0')) % 97;
    } else {
      int v = c - 'A' + 10;
      mod = (mod * 100 + v) % 97;
    }
  }
  return 98 - mod;
}

}  // namespace

std::string company_name(Rng& rng, std::string_view country) {
  std::string name = std::string(kFirst[rng.uniform_int(0, kFirst.size() - 1)]) +
                     kSecond[rng.uniform_int(0, kSecond.size() - 1)];
  name += ' ';
  name += kTrade[rng.uniform_int(0, kTrade.size() - 1)];
  name += ' ';
  name += legal_form(country);
  return name;
}

std::string partner_country(Rng& rng) {
  static const std::array<double, 9> weights = {40, 10, 10, 10, 8, 7, 7, 4, 4};
  static const std::array<const char*, 9> countries = {"DE", "FR", "NL", "GB", "AT",
                                                       "ES", "IT", "BE", "US"};
  return countries[rng.weighted(weights)];
}

std::string make_iban(Rng& rng, std::string_view country) {
  std::string cc = country == "US" ? "DE" : std::string(country);
  std::string bban;
  if (cc == "NL" || cc == "GB") {
    static constexpr std::string_view kBanks[] = {"ABNA", "INGB", "RABO", "BARC", "HSBC", "LOYD"};
    bban = std::string(kBanks[rng.uniform_int(0, 2) + (cc == "GB" ? 3 : 0)]);
    int digits = cc == "NL" ? 10 : 14;
    for (int i = 0; i < digits; ++i) bban += static_cast<char>('0' + rng.uniform_int(0, 9));
  } else {
    int digits = bban_digits(cc);
    for (int i = 0; i < digits; ++i) bban += static_cast<char>('0' + rng.uniform_int(0, 9));
  }
  char check[4];
  std::snprintf(check, sizeof(check), "%02d", check_digits(cc, bban));
  return cc + check + bban;
}

std::string make_tax_id(Rng& rng, std::string_view country) {
  std::string out(country);
  int digits = static_cast<int>(rng.uniform_int(9, 11));
  for (int i = 0; i < digits; ++i) out += static_cast<char>('0' + rng.uniform_int(0, 9));
  return out;
}

std::string record_id(std::string_view prefix, std::size_t n, int width) {
  std::string digits = std::to_string(n);
  std::string out(prefix);
  if (static_cast<int>(digits.size()) < width) out.append(width - digits.size(), '0');
  return out + digits;
}

std::string currency_of(std::string_view country) {
  if (country == "GB") return "GBP";
  if (country == "US") return "USD";
  return "EUR";
}

}  // namespace ledgerflow::datagen
