// A strict RFC 4180 CSV reader for record files: comma separated, fields optionally in
// double quotes (a quote inside is doubled), CRLF or LF line ends, a UTF-8 BOM ignored.
// Quoted fields may span lines; every row remembers the line it starts on, so errors can
// name both the data row and the line. Refused with the line: an unterminated quote, text
// after a closing quote, a quote inside an unquoted field, a NUL byte. A row with another
// number of fields than the header is kept: the caller reports it as that row's error.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::records {

struct CsvRow {
  std::size_t line = 0;  // 1-based line the row starts on
  std::vector<std::string> fields;
};

struct CsvTable {
  std::vector<std::string> header;
  std::vector<CsvRow> rows;  // data rows; row r (1-based) is rows[r - 1]
};

// `source` names the text in messages ("invoices.csv"). `max_rows` bounds the rows read.
Result<CsvTable> parse_csv(std::string_view text, const std::string& source, std::size_t max_rows);

}  // namespace ledgerflow::records
