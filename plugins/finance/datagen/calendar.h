// Calendar arithmetic for the data generators: days since 1970-01-01 (proleptic
// Gregorian, Howard Hinnant's civil-date algorithms), ISO 8601 formatting, and
// days_between() with the expression language's exact semantics, so a feature computed
// here equals the one a workflow computes from the same records.
// Dates are whole days (UTC midnight); timestamps are seconds since the epoch, UTC.
//
// Shifted output (gen-data --end-date): a ScopedDateShift moves what format_date() and
// format_timestamp() write by whole days, on its own thread, while it lives. The
// generators keep computing on the fixed period (records.h), so every feature (a
// difference of days) is unchanged; only the written dates move.
// Thread-safety: stateless functions, except that the formatting functions read the
// calling thread's shift (thread_local).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "engine/common/civil_date.h"

namespace ledgerflow::datagen {

inline constexpr std::int64_t kSecondsPerDay = 86'400;

struct CivilDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
};

// engine/common/civil_date.h's arithmetic on the generators' int days.
constexpr int days_from_civil(int y, int m, int d) {
  return static_cast<int>(civil::days_from_civil(y, m, d));
}
constexpr CivilDate civil_from_days(int z) {
  const civil::Date c = civil::civil_from_days(z);
  return {static_cast<int>(c.year), c.month, c.day};
}
constexpr int weekday(int day) {
  return civil::weekday(day);
}
constexpr bool is_weekend(int day) {
  return weekday(day) >= 5;
}

constexpr std::int64_t day_start(int day) {
  return static_cast<std::int64_t>(day) * kSecondsPerDay;
}
// The day a UTC timestamp falls on.
constexpr int day_of(std::int64_t seconds) {
  std::int64_t d = seconds / kSecondsPerDay;
  if (seconds % kSecondsPerDay < 0) --d;
  return static_cast<int>(d);
}

// Whole days from `from` to `to`, truncated toward zero: days_between() of the expression
// language (a date argument counts as its UTC midnight).
constexpr std::int64_t days_between(std::int64_t from_seconds, std::int64_t to_seconds) {
  return (to_seconds - from_seconds) / kSecondsPerDay;
}

// "2024-03-01" (plus the thread's date shift, if any)
std::string format_date(int day);
// "2024-03-01T09:15:00Z", or with the local offset: "2024-03-01T10:15:00+01:00" for
// offset_minutes = 60 (the same instant). Plus the thread's date shift, if any.
std::string format_timestamp(std::int64_t utc_seconds, int offset_minutes = 0);

// "YYYY-MM-DD" (exactly that shape, a real calendar day) -> days since 1970-01-01.
std::optional<int> parse_date(std::string_view text);

// While alive, format_date() and format_timestamp() on this thread write every date
// `days` later (earlier when negative); the previous shift is restored on destruction
// (scopes nest). Whole days: the time of day and the UTC offset of a timestamp are kept,
// the weekday moves unless `days` is a multiple of 7.
class ScopedDateShift {
 public:
  explicit ScopedDateShift(int days);
  ~ScopedDateShift();
  ScopedDateShift(const ScopedDateShift&) = delete;
  ScopedDateShift& operator=(const ScopedDateShift&) = delete;

 private:
  int previous_;
};
// The calling thread's current shift in days (0 outside any ScopedDateShift).
int date_shift_days();
// The local hour (0..23) of a UTC timestamp shown at an offset.
int local_hour(std::int64_t utc_seconds, int offset_minutes);

}  // namespace ledgerflow::datagen
