// ARFF (Weka's Attribute-Relation File Format) reading and conversion to the CSV that
// `ledgerflow train` reads, so public data sets shipped as ARFF (German credit in
// Debian's weka package) can be trained on. Written here because no Debian-packaged C++
// library reads ARFF, and the dense subset needed is small.
//
// Supported: @relation, @attribute NAME numeric|real|integer|{v1, v2, ...}, @data with
// dense rows, '%' comments, values quoted with ' or ", '?' for missing. Refused with the
// line number: sparse rows ({...}), string/date/relational attributes, a row whose value
// count differs from the attributes, a nominal value not declared, a non-numeric value of
// a numeric attribute.
//
// Conversion: numeric attributes stay; nominal attributes become one-hot columns
// "<attr>__<value>" (one column "<attr>__<second value>" for two-valued ones), or one
// ordinal column holding the value's index; the label attribute becomes a 0/1 column
// (1 for the positive value). Column names are lower case [a-z0-9_] ("<=" -> "le",
// "<" -> "lt", ">=" -> "ge", ">" -> "gt"; other characters -> "_"), unique.
// Limits: 256 MiB of text, 10,000 attributes. Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::datagen {

struct ArffAttribute {
  std::string name;
  bool nominal = false;
  std::vector<std::string> values;  // nominal only, in declaration order
};

struct ArffData {
  std::string relation;
  std::vector<ArffAttribute> attributes;
  // One value per attribute per row, as written (unquoted); nullopt = missing ('?').
  std::vector<std::vector<std::optional<std::string>>> rows;
};

Result<ArffData> parse_arff(std::string_view text, const std::string& source);
// not_found / io_error for the file; invalid_argument for content. Plain text only
// (gunzip a .arff.gz first).
Result<ArffData> read_arff(const std::string& path);

struct ArffCsvOptions {
  bool one_hot = true;   // else ordinal codes
  std::string label;     // a nominal attribute to turn into a 0/1 label column
  std::string positive;  // its value that is 1
};

// invalid_argument when the label attribute or its positive value is unknown.
Result<std::string> arff_to_csv(const ArffData& data, const ArffCsvOptions& options);

// "0<=X<200" -> "0_le_x_lt_200".
std::string column_name(std::string_view text);

}  // namespace ledgerflow::datagen
