// Calendar arithmetic on days since 1970-01-01 (UTC, proleptic Gregorian): the one copy
// of Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms), used
// by the expression language's timestamps and the data generators' calendar.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledgerflow::civil {

struct Date {
  std::int64_t year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// Days since 1970-01-01 of y-m-d (m in 1..12, d in 1..31; out-of-range days roll over).
constexpr std::int64_t days_from_civil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// The calendar date of day `z` since 1970-01-01.
constexpr Date civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const auto d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

constexpr bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// Days in month m (1..12) of year y.
constexpr int days_in_month(std::int64_t y, int m) {
  constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
constexpr int weekday(std::int64_t day) {
  const auto w = static_cast<int>((day + 3) % 7);
  return w < 0 ? w + 7 : w;
}

// "2024-03-01" (years 0..9999 print as four digits).
std::string format_date(std::int64_t day);

// Exactly "YYYY-MM-DD" naming a real calendar day -> days since 1970-01-01; nullopt for
// any other shape or an impossible date (2025-02-30, month 13, day 0).
std::optional<std::int64_t> parse_date(std::string_view text);

}  // namespace ledgerflow::civil
