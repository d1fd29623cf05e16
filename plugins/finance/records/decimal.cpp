#include "plugins/finance/records/decimal.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace ledgerflow::records {
namespace {

std::optional<std::int64_t> refuse(std::string* why, const char* reason) {
  if (why != nullptr) *why = reason;
  return std::nullopt;
}

}  // namespace

std::optional<std::int64_t> parse_decimal_e4(std::string_view text, std::string* why) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::int64_t whole = 0;
  std::size_t digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++digits) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > kMaxAbsE4 / kE4) return refuse(why, "is too large");
  }
  std::int64_t fraction = 0;
  std::size_t decimals = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++decimals) {
      if (decimals == 4) {
        if (text[i] != '0') return refuse(why, "has more than 4 decimals");
        continue;
      }
      fraction = fraction * 10 + (text[i] - '0');
    }
    if (decimals == 0) return refuse(why, "is not a decimal number (nothing after the point)");
  }
  if (digits == 0 && decimals == 0) return refuse(why, "is not a decimal number");
  if (i != text.size()) return refuse(why, "is not a plain decimal number (digits, '.', sign)");
  for (std::size_t d = decimals; d < 4; ++d) fraction *= 10;
  const std::int64_t value = whole * kE4 + fraction;
  return negative ? -value : value;
}

std::optional<std::int64_t> double_to_e4(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  const double scaled = value * static_cast<double>(kE4);
  if (std::fabs(scaled) > static_cast<double>(kMaxAbsE4)) return std::nullopt;
  const double rounded = std::nearbyint(scaled);
  // A JSON number like 12.34 arrives as the nearest double; accept it when it is within
  // rounding noise of a 4-decimal value (a few ulps of `scaled`), refuse 12.34567 — and
  // 1234.56789 (a relative 1e-6 would have let a fifth decimal through above ~50).
  if (std::fabs(scaled - rounded) > std::max(1e-3, std::fabs(scaled) * 1e-15)) {
    return std::nullopt;
  }
  return static_cast<std::int64_t>(rounded);
}

std::string format_e4(std::int64_t e4) {
  const bool negative = e4 < 0;
  const std::uint64_t magnitude =
      negative ? static_cast<std::uint64_t>(-(e4 + 1)) + 1 : static_cast<std::uint64_t>(e4);
  std::string fraction = std::to_string(magnitude % kE4);
  fraction.insert(0, 4 - fraction.size(), '0');
  while (fraction.size() > 2 && fraction.back() == '0') fraction.pop_back();
  return (negative ? "-" : "") + std::to_string(magnitude / kE4) + "." + fraction;
}

}  // namespace ledgerflow::records
