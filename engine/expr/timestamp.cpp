#include "engine/expr/timestamp.h"

#include <cstdio>

#include "engine/common/civil_date.h"

namespace ledgerflow::expr {
namespace {

// Reads exactly `width` digits at text[*pos].
bool digits(std::string_view text, std::size_t* pos, int width, int* out) {
  if (*pos + static_cast<std::size_t>(width) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < width; ++i) {
    const char c = text[*pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<std::size_t>(width);
  *out = v;
  return true;
}

bool expect(std::string_view text, std::size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_timestamp(std::string_view text) {
  std::size_t pos = 0;
  int year = 0;
  int month = 0;
  int day = 0;
  if (!digits(text, &pos, 4, &year) || !expect(text, &pos, '-') || !digits(text, &pos, 2, &month) ||
      !expect(text, &pos, '-') || !digits(text, &pos, 2, &day)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > civil::days_in_month(year, month)) {
    return std::nullopt;
  }
  const std::int64_t days = civil::days_from_civil(year, month, day);
  if (pos == text.size()) return days * kMicrosPerDay;

  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!expect(text, &pos, 'T') || !digits(text, &pos, 2, &hour) || !expect(text, &pos, ':') ||
      !digits(text, &pos, 2, &minute) || !expect(text, &pos, ':') ||
      !digits(text, &pos, 2, &second)) {
    return std::nullopt;
  }
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;
  std::int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int count = 0;
    for (; pos < text.size() && text[pos] >= '0' && text[pos] <= '9'; ++pos, ++count) {
      if (count == 6) return std::nullopt;  // finer than a microsecond would be lost
      micros = micros * 10 + (text[pos] - '0');
    }
    if (count == 0) return std::nullopt;
    for (int i = count; i < 6; ++i) micros *= 10;
  }
  std::int64_t offset_minutes = 0;
  if (expect(text, &pos, 'Z')) {
    offset_minutes = 0;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int oh = 0;
    int om = 0;
    if (!digits(text, &pos, 2, &oh) || !expect(text, &pos, ':') || !digits(text, &pos, 2, &om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
  } else {
    return std::nullopt;  // a timestamp without a zone is ambiguous
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t seconds = hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return days * kMicrosPerDay + seconds * kMicrosPerSecond + micros;
}

int day_of(std::int64_t micros) {
  return static_cast<int>(micros / kMicrosPerDay - (micros % kMicrosPerDay < 0 ? 1 : 0));
}

std::string format_date(int day) {
  return format_timestamp(static_cast<std::int64_t>(day) * kMicrosPerDay).substr(0, 10);
}

std::string format_timestamp(std::int64_t micros) {
  std::int64_t days = micros / kMicrosPerDay;
  std::int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const civil::Date c = civil::civil_from_days(days);
  const std::int64_t secs = rest / kMicrosPerSecond;
  const std::int64_t frac = rest % kMicrosPerSecond;
  char buf[64];
  int n = std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02dT%02lld:%02lld:%02lld",
                        static_cast<long long>(c.year), c.month, c.day,
                        static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                        static_cast<long long>(secs % 60));
  if (frac != 0) {
    n += std::snprintf(buf + n, sizeof(buf) - static_cast<std::size_t>(n), ".%06lld",
                       static_cast<long long>(frac));
  }
  std::string out(buf, static_cast<std::size_t>(n));
  out.push_back('Z');
  return out;
}

}  // namespace ledgerflow::expr
