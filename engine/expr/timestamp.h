// Timestamps of the expression language: microseconds since the Unix epoch, UTC.
// Parsing accepts the two forms workflow data uses: a calendar date `YYYY-MM-DD`
// (midnight UTC) and an ISO 8601 / RFC 3339 timestamp
// `YYYY-MM-DDThh:mm:ss[.f{1,6}](Z|+hh:mm|-hh:mm)`. Formatting is ISO 8601 UTC,
// `2026-03-01T00:00:00Z` (with `.ffffff` only when there are microseconds).
// No time zone database, no clock: pure functions.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledgerflow::expr {

inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;
inline constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// nullopt when `text` is not one of the accepted forms or names an impossible date
// (2026-02-30, hour 24, offset beyond ±23:59). Years 0000..9999.
std::optional<std::int64_t> parse_timestamp(std::string_view text);

// ISO 8601 UTC text of `micros` (microseconds since 1970-01-01T00:00:00Z).
std::string format_timestamp(std::int64_t micros);

// The UTC day of `micros` as days since 1970-01-01 (rounded down, also before 1970), and
// a day's `YYYY-MM-DD`.
int day_of(std::int64_t micros);
std::string format_date(int day);

}  // namespace ledgerflow::expr
