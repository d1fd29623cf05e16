#include "plugins/ml/feature_table.h"

#include <limits>

#include "plugins/ml/csv_writer.h"

namespace ledgerflow::datagen {

std::size_t FeatureTable::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return columns.size();
}

double FeatureTable::at(std::size_t row, std::string_view name) const {
  std::size_t c = column(name);
  if (c == columns.size() || row >= rows.size()) return std::numeric_limits<double>::quiet_NaN();
  return rows[row][c];
}

std::string FeatureTable::to_csv() const {
  std::vector<std::string> header{id_name};
  header.insert(header.end(), columns.begin(), columns.end());
  if (!text_name.empty()) header.push_back(text_name);
  CsvWriter csv(std::move(header));
  for (std::size_t r = 0; r < rows.size(); ++r) {
    csv.text(ids[r]);
    for (double v : rows[r]) csv.number(v);
    if (!text_name.empty()) csv.text(texts[r]);
    csv.end_row();
  }
  return csv.contents();
}

}  // namespace ledgerflow::datagen
