// read_numeric_csv(): loads a training table for `ledgerflow train` from a CSV file with
// a header row: the label column and the chosen feature columns, as float32 (what
// XGBoost trains on). Empty cells are missing (NaN) in features; a label must be present.
//
// Without an explicit feature list, the features are every column except the label,
// columns named label_* (other labels of a generated table) and columns named *_id
// (record keys), in file order. Only the chosen columns are parsed, so other columns may
// hold text.
//
// Errors name the file, the data row (1-based; the header is line 1, so row r is on line
// r + 1 unless quoted fields span lines) and the column: "data.csv: row 17 (line 18),
// column 'amount': 'abc' is not a number (an empty cell means missing)". Also refused:
// a missing label or feature column (the message lists the columns), duplicate column
// names, rows with the wrong number of fields, an unterminated quote, infinities and
// values beyond float32's range, no data rows.
// Limits: kMaxCsvBytes per file, kMaxTrainRows rows, kMaxForestFeatures features.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::datagen {

inline constexpr std::size_t kMaxCsvBytes = std::size_t{4} << 30;

struct NumericTable {
  std::vector<std::string> features;  // the chosen feature columns, in order
  std::string label;
  std::vector<float> values;  // rows x features.size(), row-major; NaN = missing
  std::vector<float> labels;  // one per row
  std::size_t rows() const { return labels.size(); }
};

struct CsvReadOptions {
  std::string label;
  std::vector<std::string> features;  // empty: every column but the label, label_*, *_id
};

// not_found / io_error for an absent or unreadable file; invalid_argument otherwise.
Result<NumericTable> read_numeric_csv(const std::string& path, const CsvReadOptions& options);
// The same for CSV text; `source` names it in messages.
Result<NumericTable> parse_numeric_csv(std::string_view text, const std::string& source,
                                       const CsvReadOptions& options);

}  // namespace ledgerflow::datagen
