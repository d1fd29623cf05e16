// ISO 8601 durations as used in definitions: PT30S, PT48H, P3D, P2W, P1DT12H, PT0.5S.
// Calendar units (years, months) are refused: their length depends on the date, and a
// timer must mean the same span whenever it is armed.
// Thread-safety: plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/common/result.h"

namespace ledgerflow::def {

struct Duration {
  std::int64_t ms = 0;  // milliseconds
  friend bool operator==(const Duration&, const Duration&) = default;
  friend auto operator<=>(const Duration&, const Duration&) = default;
};

constexpr std::int64_t kMaxDurationMs = 3660LL * 24 * 3600 * 1000;  // about ten years

// Parses text; the error message explains what is wrong ("'P1M': calendar months ...").
Result<Duration> parse_duration(std::string_view text);

// Canonical ISO text: P3D, PT48H, PT1M30S, PT0.5S.
std::string to_string(Duration d);

}  // namespace ledgerflow::def
