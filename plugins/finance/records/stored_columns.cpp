#include "plugins/finance/records/stored_columns.h"

#include <cstdlib>

#include "engine/expr/timestamp.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/records/duplicate_rules.h"

namespace ledgerflow::records {
namespace {

std::string field_text(const nlohmann::json& data, std::string_view field) {
  auto it = data.find(field);
  if (it == data.end() || it->is_null()) return {};
  return it->is_string() ? it->get<std::string>() : it->dump();
}

std::int64_t micros_of(const std::string& text) {
  return expr::parse_timestamp(text).value_or(0);
}

}  // namespace

StoredValue stored_value(const nlohmann::json& data, const StoredColumn& c) {
  if (c.derive == Derive::integer) return data.value(c.field, std::int64_t{0});
  const std::string text = field_text(data, c.field);
  switch (c.derive) {
    case Derive::text:
      return text;
    case Derive::integer:
      break;  // above
    case Derive::day:
      return micros_of(text) / expr::kMicrosPerDay;
    case Derive::micros:
      return micros_of(text);
    case Derive::e4:
      return parse_decimal_e4(text).value_or(0);
    case Derive::inv_norm:
      return normalize_invoice_number(text);
    case Derive::inv_key:
      return invoice_number_key(text);
  }
  return text;
}

StoredValue key_part_value(const StoredColumn& column, const std::string& text) {
  if (column.derive == Derive::integer) return std::int64_t{std::atoll(text.c_str())};
  return text;
}

}  // namespace ledgerflow::records
