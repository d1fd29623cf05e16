// FeatureTable: the training table gen-data writes as features.csv, one row per scored
// item (an invoice, an AR invoice, an order, a payment), in the item's time order:
//
//   <id column>, <numeric feature columns...>, <label columns...>[, <text label column>]
//
// Missing values are NaN in memory and empty in the file. The numeric columns come
// first in the order the shipped workflow's score state lists them, then further
// analysis features, then the labels (`label_*`), so
// `ledgerflow train --data features.csv --label label_x --features <the workflow's>`
// trains the served model. Thread-safety: a plain value.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ledgerflow::datagen {

struct FeatureTable {
  std::string id_name;               // "invoice_id", ...
  std::vector<std::string> columns;  // numeric features and numeric labels
  std::vector<std::string> ids;      // one per row
  std::vector<std::vector<double>> rows;
  std::string text_name;           // an optional text label column ("label_pattern")
  std::vector<std::string> texts;  // one per row when text_name is set

  // The index of a numeric column; columns.size() when absent.
  std::size_t column(std::string_view name) const;
  // The value at (row, column name); NaN when the column is absent.
  double at(std::size_t row, std::string_view name) const;

  std::string to_csv() const;
};

}  // namespace ledgerflow::datagen
