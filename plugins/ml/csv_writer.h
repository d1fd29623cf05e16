// CsvWriter: builds one CSV file (RFC 4180: comma-separated, "\n" line ends, fields
// quoted when they hold a comma, quote or line break) in memory, with the number formats
// the generated files promise: money as a decimal string with exactly 2 decimals
// (from integer cents, never through a binary float), features as short exact decimals.
// write_file_atomically() puts a finished file in place through a temporary file and a
// rename, so a reader never sees half a file.
// Thread-safety: a CsvWriter is single-threaded; the free functions are stateless.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::datagen {

// 123456 -> "1234.56", -5 -> "-0.05".
std::string format_cents(std::int64_t cents);
// A feature value: NaN -> "" (missing); integral values as integers; others rounded to
// 6 decimals and printed in their shortest exact form ("0.25", "-1.333333").
std::string format_number(double value);

class CsvWriter {
 public:
  explicit CsvWriter(std::vector<std::string> header);

  CsvWriter& text(std::string_view value);
  CsvWriter& integer(std::int64_t value);
  CsvWriter& money(std::int64_t cents) { return raw(format_cents(cents)); }
  CsvWriter& number(double value) { return raw(format_number(value)); }
  CsvWriter& empty() { return raw(""); }
  // Ends the row; the row must have exactly one value per header column.
  void end_row();

  const std::vector<std::string>& header() const { return header_; }
  std::size_t rows() const { return rows_; }
  const std::string& contents() const { return out_; }

 private:
  CsvWriter& raw(std::string_view value);

  std::vector<std::string> header_;
  std::string out_;
  std::size_t column_ = 0;
  std::size_t rows_ = 0;
};

// io_error naming the path when the directory or file cannot be written.
Result<void> write_file_atomically(const std::string& path, std::string_view contents);

}  // namespace ledgerflow::datagen
