#include "plugins/datagen/calendar.h"

#include <cstdio>
#include <cstdlib>

namespace ledgerflow::datagen {

std::string format_date(int day) {
  CivilDate c = civil_from_days(day);
  char text[48];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02d", c.year, c.month, c.day);
  return text;
}

std::string format_timestamp(std::int64_t utc_seconds, int offset_minutes) {
  std::int64_t local = utc_seconds + static_cast<std::int64_t>(offset_minutes) * 60;
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

int local_hour(std::int64_t utc_seconds, int offset_minutes) {
  std::int64_t local = utc_seconds + static_cast<std::int64_t>(offset_minutes) * 60;
  return static_cast<int>((local - day_start(day_of(local))) / 3600);
}

}  // namespace ledgerflow::datagen
