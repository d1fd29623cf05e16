// The business record types of docs/record_formats.md: their columns, keys and
// references, and the validation of one row into a canonical record.
//
// This table is the one description of a record type: validation reads its columns, and
// the SQLite record store (plugins/finance/sqlite) reads its table name, key and lookup
// columns to build every statement and binding of the rec_* tables. The tables' DDL is
// released history (plugins/finance/sqlite/finance_schema.cpp; migrations are never
// edited); a test checks that each created table has exactly the key, lookup and
// bookkeeping columns listed here.
//
// A validated record's `data` is canonical JSON: text as given (IBANs upper case without
// spaces), money and quantities as decimal strings ("1234.50"), integers as numbers,
// flags as 0/1, dates and timestamps as the ISO 8601 text given. Optional columns left
// empty are omitted. The same row always gives the same `data`, so an unchanged record
// re-imported is recognised and left alone.
// Thread-safety: the type table is constant; functions are stateless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::records {

enum class ColumnKind {
  id,         // a key or reference: 1..64 printable characters, no surrounding spaces
  text,       // up to 512 characters
  user,       // a user name (like id)
  date,       // YYYY-MM-DD
  timestamp,  // ISO 8601 with an offset (2026-03-01T09:30:00+01:00 or ...Z)
  money,      // decimal, at most 4 decimals, not negative
  quantity,   // decimal, at most 4 decimals, not negative
  line_no,    // integer 1..100000
  days,       // integer 0..3650 (payment terms)
  days_late,  // integer -3650..3650 (a label)
  currency,   // ISO 4217
  country,    // ISO 3166-1 alpha-2
  iban,       // ISO 13616 with valid check digits
  flag,       // 0/1 (true/false accepted)
};

struct ColumnSpec {
  std::string_view name;
  ColumnKind kind;
  bool required = true;
};

// `columns` of this record must name an existing record of `type` (by its whole key, or
// by a key prefix: an invoice names a PO by po_number, whose key is po_number + line_no).
struct ReferenceSpec {
  std::vector<std::string_view> columns;
  std::string_view type;
};

// How a stored column is derived from a record's canonical data.
enum class Derive {
  text,      // the field's text ('' when absent)
  integer,   // the field's integer
  day,       // a date -> days since 1970-01-01
  micros,    // a timestamp -> microseconds since the epoch (UTC)
  e4,        // a decimal -> units of 1e-4
  inv_norm,  // an invoice number -> normalised (duplicate_rules.h)
  inv_key,   // an invoice number -> its letters and digits, upper case (duplicate_rules.h)
};

// A column of a record's table: `column` holds `field` of the data, derived.
struct StoredColumn {
  std::string_view column;
  std::string_view field;
  Derive derive;
};

struct RecordType {
  std::string_view name;      // "invoices"
  std::string_view singular;  // "invoice": its name in a workflow's input
  std::vector<ColumnSpec> columns;
  std::vector<std::string_view> key;
  std::vector<ReferenceSpec> references;
  // Where it is stored: its table ("" for none), and the columns beside the key that
  // lookups filter on. Every table also has seq, updated_at_us and data.
  std::string_view table = {};
  std::vector<StoredColumn> lookups = {};
  const ColumnSpec* column(std::string_view name) const;
  // The key columns as stored: line numbers as integers, the rest as text.
  std::vector<StoredColumn> key_columns() const;
};

// Every type, in dependency order (a type only references types before it).
const std::vector<RecordType>& record_types();
const RecordType* find_record_type(std::string_view name);
// "vendors, purchase_orders, ..." for messages.
std::string record_type_names();

// One problem with one row.
struct RowProblem {
  std::string column;  // empty when the row as a whole is wrong
  std::string value;   // the offending value (shortened), or empty
  std::string reason;
};

struct Record {
  const RecordType* type = nullptr;
  std::size_t row = 0;           // 1-based data row in its batch
  std::size_t line = 0;          // CSV line the row starts on (0 for JSON)
  std::vector<std::string> key;  // the key columns' canonical values
  nlohmann::json data;           // canonical (see above)
  // An invoice sent with inline lines: the line numbers it has. Its other lines on file
  // are removed with it (the payload is the whole invoice).
  std::optional<std::vector<std::int64_t>> inline_line_nos;
  std::string key_text() const;  // key parts joined with '/'
};

// The cell values of one row by column name (absent and empty are the same: missing).
// `value_of` gives a column's text or nullptr.
struct RowCells {
  std::vector<std::pair<std::string, std::string>> cells;
  const std::string* find(std::string_view name) const;
};

// Validates one row: every problem of the row is appended to `problems` (so a user fixes
// a row in one go); a record is returned only when there is none. Unknown columns are
// the caller's business (checked once per file).
std::optional<Record> validate_row(const RecordType& type, const RowCells& row,
                                   std::vector<RowProblem>& problems);

// The workflow-facing form of a record: money and quantities as JSON numbers (records
// keep the exact text), without the label_* columns of generated data.
nlohmann::json to_workflow_json(const RecordType& type, const nlohmann::json& data);

}  // namespace ledgerflow::records
