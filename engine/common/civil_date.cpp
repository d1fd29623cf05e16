#include "engine/common/civil_date.h"

#include <cstdio>

namespace ledgerflow::civil {

std::string format_date(std::int64_t day) {
  const Date c = civil_from_days(day);
  char text[48];
  int n = std::snprintf(text, sizeof(text), "%04lld-%02d-%02d", static_cast<long long>(c.year),
                        c.month, c.day);
  return std::string(text, static_cast<std::size_t>(n));
}

std::optional<std::int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int i = 0; i < 3; ++i) {
    for (std::size_t k = starts[i]; k < starts[i] + lengths[i]; ++k) {
      if (text[k] < '0' || text[k] > '9') return std::nullopt;
      parts[i] = parts[i] * 10 + (text[k] - '0');
    }
  }
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > days_in_month(parts[0], parts[1]))
    return std::nullopt;
  return days_from_civil(parts[0], parts[1], parts[2]);
}

}  // namespace ledgerflow::civil
