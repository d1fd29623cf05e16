// engine/common/civil_date: day arithmetic on days since 1970-01-01.
#include <catch2/catch.hpp>

#include "engine/common/civil_date.h"

namespace civil = ledgerflow::civil;

TEST_CASE("civil dates convert to days since the epoch and back", "[unit][civil_date]") {
  static_assert(civil::days_from_civil(1970, 1, 1) == 0);
  CHECK(civil::days_from_civil(2024, 1, 1) == 19723);
  CHECK(civil::days_from_civil(2025, 12, 31) == 20453);
  CHECK(civil::days_from_civil(1969, 12, 31) == -1);
  CHECK(civil::days_from_civil(2000, 3, 1) - civil::days_from_civil(2000, 2, 28) == 2);  // leap
  CHECK(civil::days_from_civil(1900, 3, 1) - civil::days_from_civil(1900, 2, 28) == 1);  // not
  for (std::int64_t day : {-800000, -1, 0, 59, 19723, 20453, 2932896}) {
    const civil::Date d = civil::civil_from_days(day);
    CHECK(civil::days_from_civil(d.year, d.month, d.day) == day);
  }
  const civil::Date leap = civil::civil_from_days(civil::days_from_civil(2024, 2, 29));
  CHECK(leap.year == 2024);
  CHECK(leap.month == 2);
  CHECK(leap.day == 29);
}

TEST_CASE("civil calendar rules: leap years, month lengths, weekdays", "[unit][civil_date]") {
  CHECK(civil::is_leap(2024));
  CHECK(civil::is_leap(2000));
  CHECK_FALSE(civil::is_leap(1900));
  CHECK_FALSE(civil::is_leap(2025));
  CHECK(civil::days_in_month(2024, 2) == 29);
  CHECK(civil::days_in_month(2025, 2) == 28);
  CHECK(civil::days_in_month(2025, 4) == 30);
  CHECK(civil::days_in_month(2025, 12) == 31);
  CHECK(civil::weekday(0) == 3);                                   // Thursday
  CHECK(civil::weekday(-1) == 2);                                  // Wednesday
  CHECK(civil::weekday(civil::days_from_civil(2024, 1, 1)) == 0);  // Monday
}

TEST_CASE("civil dates format and parse as YYYY-MM-DD", "[unit][civil_date]") {
  CHECK(civil::format_date(0) == "1970-01-01");
  CHECK(civil::format_date(20453) == "2025-12-31");
  CHECK(civil::format_date(-1) == "1969-12-31");
  CHECK(civil::parse_date("2024-02-29") == civil::days_from_civil(2024, 2, 29));
  CHECK(civil::parse_date("1970-01-01") == 0);
  CHECK_FALSE(civil::parse_date("2025-02-29"));  // not a leap year
  CHECK_FALSE(civil::parse_date("2025-13-01"));
  CHECK_FALSE(civil::parse_date("2025-00-10"));
  CHECK_FALSE(civil::parse_date("2025-01-00"));
  CHECK_FALSE(civil::parse_date("2025-1-01"));
  CHECK_FALSE(civil::parse_date("2025-01-01T00:00:00Z"));
  CHECK_FALSE(civil::parse_date("2025/01/01"));
}
