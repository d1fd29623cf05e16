// Exact money and quantities: decimal strings with at most four decimals (docs/record_formats.md) held
// as integers in units of 1e-4 ("e4"). Parsing refuses anything that is not a plain
// decimal — exponents, thousands separators, NaN, values beyond ±900 billion — so that an
// amount is never rounded on its way in.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledgerflow::records {

inline constexpr std::int64_t kE4 = 10000;
// Beyond this an amount is refused (far above any real invoice; keeps sums in int64).
inline constexpr std::int64_t kMaxAbsE4 = std::int64_t{900'000'000'000'000} * kE4 / 1000;

// "1234.5", "-0.25", "+7", "12.3400" -> e4; nullopt for anything else (including more
// than four decimals, or an empty string). `why`, when given, says what is wrong.
std::optional<std::int64_t> parse_decimal_e4(std::string_view text, std::string* why = nullptr);

// A JSON number as it arrives (a double) -> e4, when it has at most four decimals.
std::optional<std::int64_t> double_to_e4(double value);

// e4 -> "1234.50": at least two decimals, trailing zeros beyond them dropped.
std::string format_e4(std::int64_t e4);
// e4 -> double, for what is not money: model features, statistics and scores computed
// from amounts. Money itself crosses every boundary as e4 or decimal text (format_e4).
inline double e4_to_double(std::int64_t e4) {
  return static_cast<double>(e4) / static_cast<double>(kE4);
}

}  // namespace ledgerflow::records
