#include "plugins/finance/datagen/calendar.h"

#include <cstdio>
#include <cstdlib>

namespace ledgerflow::datagen {
namespace {

thread_local int t_shift_days = 0;

}  // namespace

ScopedDateShift::ScopedDateShift(int days) : previous_(t_shift_days) {
  t_shift_days = days;
}

ScopedDateShift::~ScopedDateShift() {
  t_shift_days = previous_;
}

int date_shift_days() {
  return t_shift_days;
}

std::string format_date(int day) {
  return civil::format_date(day + t_shift_days);
}

std::string format_timestamp(std::int64_t utc_seconds, int offset_minutes) {
  std::int64_t local =
      utc_seconds + static_cast<std::int64_t>(offset_minutes) * 60 + day_start(t_shift_days);
  int day = day_of(local);
  auto second_of_day = static_cast<int>(local - day_start(day));
  CivilDate c = civil_from_days(day);
  char text[40];
  int n = std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d", c.year, c.month, c.day,
                        second_of_day / 3600, second_of_day / 60 % 60, second_of_day % 60);
  if (offset_minutes == 0) {
    std::snprintf(text + n, sizeof(text) - n, "Z");
  } else {
    int a = std::abs(offset_minutes);
    std::snprintf(text + n, sizeof(text) - n, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+', a / 60,
                  a % 60);
  }
  return text;
}

std::optional<int> parse_date(std::string_view text) {
  auto day = civil::parse_date(text);
  if (!day) return std::nullopt;
  return static_cast<int>(*day);
}

int local_hour(std::int64_t utc_seconds, int offset_minutes) {
  std::int64_t local = utc_seconds + static_cast<std::int64_t>(offset_minutes) * 60;
  return static_cast<int>((local - day_start(day_of(local))) / 3600);
}

}  // namespace ledgerflow::datagen
