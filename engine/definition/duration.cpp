#include "engine/definition/duration.h"

#include <cctype>

namespace ledgerflow::def {
namespace {

Error bad(std::string_view text, const std::string& why) {
  return Error::invalid("'" + std::string(text) + "' is not a valid ISO 8601 duration: " + why);
}

}  // namespace

Result<Duration> parse_duration(std::string_view text) {
  if (text.empty() || text[0] != 'P') return bad(text, "it must start with 'P' (e.g. PT48H, P3D)");
  std::size_t i = 1;
  bool in_time = false;
  bool any = false;
  std::int64_t total_ms = 0;
  int last_rank = -1;  // units must come in order: W D T H M S
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time) return bad(text, "'T' appears twice");
      in_time = true;
      ++i;
      if (i == text.size()) return bad(text, "nothing follows 'T'");
      continue;
    }
    std::size_t start = i;
    std::int64_t whole = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      whole = whole * 10 + (text[i] - '0');
      if (whole > kMaxDurationMs) return bad(text, "it is longer than the limit of P3660D");
      ++i;
    }
    std::int64_t frac_ms = 0;
    bool has_frac = false;
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      has_frac = true;
      ++i;
      std::int64_t scale = 100;
      std::size_t digits = 0;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        if (digits++ < 3) frac_ms += (text[i] - '0') * scale;
        scale /= 10;
        ++i;
      }
      if (digits == 0) return bad(text, "a decimal point must be followed by digits");
    }
    if (i == start || (i == start + 1 && has_frac))
      return bad(text, "a number is expected before each unit");
    if (i == text.size()) return bad(text, "the last number has no unit");
    char unit = text[i++];
    static constexpr std::string_view kDateOrder = "YMWD", kTimeOrder = "HMS";
    auto pos = in_time ? kTimeOrder.find(unit) : kDateOrder.find(unit);
    int rank =
        pos == std::string_view::npos ? last_rank + 1 : static_cast<int>(pos) + (in_time ? 10 : 0);
    if (rank <= last_rank)
      return bad(text, std::string("unit '") + unit + "' is repeated or out of order");
    last_rank = rank;
    std::int64_t unit_ms;
    if (!in_time) {
      switch (unit) {
        case 'Y':
          return bad(
              text, "calendar years are not supported (their length varies); use days, e.g. P365D");
        case 'M':
          return bad(
              text, "calendar months are not supported (their length varies); use days, e.g. P30D");
        case 'W':
          unit_ms = 7LL * 24 * 3600 * 1000;
          break;
        case 'D':
          unit_ms = 24LL * 3600 * 1000;
          break;
        case 'H':
        case 'S':
          return bad(text, std::string("'") + unit + "' belongs after 'T' (e.g. PT" + unit + ")");
        default:
          return bad(text, std::string("unknown unit '") + unit + "'");
      }
    } else {
      switch (unit) {
        case 'H':
          unit_ms = 3600LL * 1000;
          break;
        case 'M':
          unit_ms = 60LL * 1000;
          break;
        case 'S':
          unit_ms = 1000;
          break;
        default:
          return bad(text, std::string("unknown time unit '") + unit + "'");
      }
    }
    if (has_frac && !(in_time && unit == 'S')) return bad(text, "only seconds may have a fraction");
    total_ms += whole * unit_ms + (has_frac ? frac_ms : 0);
    if (total_ms > kMaxDurationMs) return bad(text, "it is longer than the limit of P3660D");
    any = true;
  }
  if (!any) return bad(text, "it has no amount (e.g. PT48H, P3D)");
  if (total_ms <= 0) return bad(text, "it must be longer than zero");
  return Duration{total_ms};
}

std::string to_string(Duration d) {
  std::int64_t ms = d.ms;
  std::string out = "P";
  const std::int64_t day = 24LL * 3600 * 1000;
  if (ms >= day) {
    out += std::to_string(ms / day) + "D";
    ms %= day;
  }
  if (ms > 0) {
    out += "T";
    if (ms >= 3600000) {
      out += std::to_string(ms / 3600000) + "H";
      ms %= 3600000;
    }
    if (ms >= 60000) {
      out += std::to_string(ms / 60000) + "M";
      ms %= 60000;
    }
    if (ms > 0) {
      out += std::to_string(ms / 1000);
      if (ms % 1000) {
        std::string frac = std::to_string(1000 + ms % 1000).substr(1);
        while (frac.back() == '0') frac.pop_back();
        out += "." + frac;
      }
      out += "S";
    }
  }
  if (out == "P") out = "PT0S";
  return out;
}

}  // namespace ledgerflow::def
