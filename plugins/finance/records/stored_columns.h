// The values a record's table stores beside its data: each StoredColumn of a RecordType
// (record_types.h) derived from the record's canonical data, and a key part given as
// text (a lookup's key prefix) as its column stores it. The SQLite record store binds
// these; the test fakes (tests/support/finance_fakes.h) index by them, so both agree.
// Thread-safety: stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "plugins/finance/records/record_types.h"

namespace ledgerflow::records {

// A stored column's value: an integer column's number or a text column's text.
using StoredValue = std::variant<std::int64_t, std::string>;

// `column` of a record whose canonical data is `data` (Derive says how; absent fields are
// '' or 0).
StoredValue stored_value(const nlohmann::json& data, const StoredColumn& column);

// A key part given as text (RecordStore lookups take keys as text): line numbers as
// integers, the rest as the text itself.
StoredValue key_part_value(const StoredColumn& column, const std::string& text);

}  // namespace ledgerflow::records
