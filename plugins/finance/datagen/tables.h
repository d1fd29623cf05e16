// What the four generators (ap, ar, o2c, payments) build the same way: a feature table's
// header, an index of master records by id, a vendor's synthetic identity, and the
// files they write (vendors.csv, any CsvWriter, features.csv).
// Thread-safety: stateless functions (the Rng is the caller's).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "plugins/finance/datagen/records.h"
#include "plugins/ml/csv_writer.h"
#include "plugins/ml/feature_table.h"
#include "plugins/ml/rng.h"

namespace ledgerflow::datagen {

// An empty table with columns `features` (the model's, in its order), then `extras`
// (further analysis features and the numeric labels), and an optional text label column.
FeatureTable feature_table(std::string id_name, const std::vector<std::string>& features,
                           std::initializer_list<const char*> extras, std::string text_name = {});

// id -> position in `items`, the id being the string member `id` of each item.
template <class T>
std::map<std::string, std::size_t> index_by(const std::vector<T>& items, std::string T::*id) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < items.size(); ++i) index[items[i].*id] = i;
  return index;
}

// Vendor number `number` (1-based): its id, then from `rng`, in this order, its country,
// name, IBAN and tax id. The caller adds the dates and the bank history.
Vendor vendor_identity(Rng& rng, std::size_t number);

GeneratedFile csv_file(std::string name, const CsvWriter& csv);
GeneratedFile features_file(const FeatureTable& features);
GeneratedFile vendors_file(const std::vector<Vendor>& vendors);

}  // namespace ledgerflow::datagen
