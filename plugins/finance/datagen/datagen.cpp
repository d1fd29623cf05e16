#include "plugins/finance/datagen/datagen.h"

#include <cmath>
#include <filesystem>

#include "plugins/finance/datagen/ap_data.h"
#include "plugins/finance/datagen/ar_data.h"
#include "plugins/finance/datagen/calendar.h"
#include "plugins/finance/datagen/o2c_data.h"
#include "plugins/finance/datagen/payments_data.h"
#include "plugins/finance/datagen/records.h"
#include "plugins/ml/csv_writer.h"

namespace ledgerflow::datagen {
namespace {

static_assert(kDefaultEndDay == kDataLastDay && kPeriodDays == kDataLastDay - kDataFirstDay,
              "datagen.h's period constants mirror records.h");
static_assert(days_from_civil(2000, 1, 1) == kMinEndDay &&
                  days_from_civil(2999, 12, 31) == kMaxEndDay,
              "the --end-date range");

struct Generated {
  std::vector<GeneratedFile> files;
  FeatureTable features;
};

// A kind's features from its data, then its files (which include features.csv).
template <class Data>
Generated generated(const Data& data, FeatureTable (*features)(const Data&),
                    std::vector<GeneratedFile> (*files)(const Data&, const FeatureTable&)) {
  Generated g;
  g.features = features(data);
  g.files = files(data, g.features);
  return g;
}

Generated generate_kind(Kind kind, std::size_t rows, std::uint64_t seed) {
  switch (kind) {
    case Kind::ap:
      return generated(generate_ap(rows, seed), ap_features, ap_files);
    case Kind::ar:
      return generated(generate_ar(rows, seed), ar_features, ar_files);
    case Kind::o2c:
      return generated(generate_o2c(rows, seed), o2c_features, o2c_files);
    case Kind::payments:
      return generated(generate_payments(rows, seed), payments_features, payments_files);
  }
  return {};
}

// The share of 1s of every 0/1 label column (label_days_late is a count, not a rate).
std::vector<std::pair<std::string, double>> label_rates(const FeatureTable& t) {
  std::vector<std::pair<std::string, double>> rates;
  for (std::size_t c = 0; c < t.columns.size(); ++c) {
    if (t.columns[c].rfind("label_", 0) != 0 || t.columns[c] == "label_days_late") continue;
    double ones = 0;
    for (const auto& row : t.rows) ones += row[c] == 1;
    rates.emplace_back(t.columns[c],
                       t.rows.empty() ? 0 : ones / static_cast<double>(t.rows.size()));
  }
  return rates;
}

}  // namespace

std::optional<Kind> parse_kind(std::string_view text) {
  for (Kind k : {Kind::ap, Kind::ar, Kind::o2c, Kind::payments}) {
    if (kind_name(k) == text) return k;
  }
  return std::nullopt;
}

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::ap:
      return "ap";
    case Kind::ar:
      return "ar";
    case Kind::o2c:
      return "o2c";
    case Kind::payments:
      return "payments";
  }
  return "ap";
}

Result<GenSummary> generate(const GenSpec& spec) {
  if (spec.rows < kMinGenRows || spec.rows > kMaxGenRows) {
    return Error::invalid("gen-data: --rows must be in [" + std::to_string(kMinGenRows) + ", " +
                          std::to_string(kMaxGenRows) + "], got " + std::to_string(spec.rows));
  }
  if (spec.out_dir.empty()) return Error::invalid("gen-data: the output directory is empty");
  const int end_day = spec.end_day.value_or(kDefaultEndDay);
  if (end_day < kMinEndDay || end_day > kMaxEndDay) {
    return Error::invalid("gen-data: --end-date must be from " + format_date(kMinEndDay) + " to " +
                          format_date(kMaxEndDay) + ", got " + format_date(end_day));
  }
  const int shift = end_day - kDataLastDay;
  Generated g;
  {
    // The generators compute on the fixed period; the files are written shifted (the
    // formatting functions of calendar.h read the shift of this thread).
    ScopedDateShift shifted(shift);
    g = generate_kind(spec.kind, spec.rows, spec.seed);
  }
  GenSummary summary;
  summary.first_day = kDataFirstDay + shift;
  summary.last_day = end_day;
  summary.shift_days = shift;
  for (const auto& file : g.files) {
    std::string path = (std::filesystem::path(spec.out_dir) / file.name).string();
    if (auto r = write_file_atomically(path, file.contents); !r) {
      return Error::io("gen-data: " + r.error().message);
    }
    summary.files.push_back({path, file.rows});
  }
  summary.label_rates = label_rates(g.features);
  return summary;
}

}  // namespace ledgerflow::datagen
