#include "plugins/finance/datagen/tables.h"

#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/synthetic.h"

namespace ledgerflow::datagen {

FeatureTable feature_table(std::string id_name, const std::vector<std::string>& features,
                           std::initializer_list<const char*> extras, std::string text_name) {
  FeatureTable table;
  table.id_name = std::move(id_name);
  table.columns = features;
  for (const char* extra : extras) table.columns.emplace_back(extra);
  table.text_name = std::move(text_name);
  return table;
}

Vendor vendor_identity(Rng& rng, std::size_t number) {
  Vendor v;
  v.vendor_id = record_id("V-", number, 5);
  v.country = partner_country(rng);
  v.name = company_name(rng, v.country);
  v.iban = make_iban(rng, v.country);
  v.tax_id = make_tax_id(rng, v.country);
  return v;
}

GeneratedFile csv_file(std::string name, const CsvWriter& csv) {
  return {std::move(name), csv.contents(), csv.rows()};
}

GeneratedFile features_file(const FeatureTable& features) {
  return {"features.csv", features.to_csv(), features.rows.size()};
}

GeneratedFile vendors_file(const std::vector<Vendor>& vendors) {
  CsvWriter csv(
      {"vendor_id", "name", "country", "iban", "tax_id", "created_at", "bank_changed_at"});
  for (const auto& v : vendors) {
    csv.text(v.vendor_id).text(v.name).text(v.country).text(v.iban).text(v.tax_id);
    csv.text(format_timestamp(v.created_at));
    v.bank_changed_at ? csv.text(format_timestamp(*v.bank_changed_at)) : csv.empty();
    csv.end_row();
  }
  return csv_file("vendors.csv", csv);
}

}  // namespace ledgerflow::datagen
