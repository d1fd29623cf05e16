// generate(): gen-data's library entry point. Writes one kind of synthetic finance data
// (ap, ar, o2c, payments) with labels as CSV files in the formats of docs/record_formats.md, plus the
// kind's features.csv (the training table), into a directory.
//
// Deterministic: the same kind, rows and seed give byte-identical files (all randomness
// comes from std::mt19937_64 streams forked from the seed; no clock, no random_device;
// records are sorted by their time with a stable tie-break). Files are written through
// temporary files and renamed, so a reader never sees half a file; a failure part-way can
// leave earlier files of the set in place (the message says which file failed).
// Limits: 100 to kMaxGenRows rows (the kind's main record: invoices, AR invoices,
// orders or payments). What each kind holds: plugins/finance/datagen/README.md.
//
// The data period is 2024-01-01 .. 2025-12-31 unless `end_day` moves it: then every date
// and timestamp written is shifted by the same whole number of days so that the period
// ends on `end_day` (features.csv holds no dates and is unchanged; weekdays move unless
// the shift is a multiple of 7; ids and invoice numbers keep the unshifted year). The
// same kind, rows, seed and end day give byte-identical files.
// Thread-safety: generate() may run concurrently for different directories.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::datagen {

inline constexpr std::size_t kMinGenRows = 100;
inline constexpr std::size_t kMaxGenRows = 2'000'000;

enum class Kind { ap, ar, o2c, payments };

std::optional<Kind> parse_kind(std::string_view text);
std::string_view kind_name(Kind kind);

// The last day of the data period an --end-date may name: 2000-01-01 .. 2999-12-31
// (days since 1970-01-01), so shifted dates keep four-digit years.
inline constexpr int kMinEndDay = 10'957;
inline constexpr int kMaxEndDay = 376'199;
// The unshifted period (records.h kDataFirstDay/kDataLastDay): 2024-01-01 .. 2025-12-31.
inline constexpr int kDefaultEndDay = 20'453;
inline constexpr int kPeriodDays = 730;  // first day = end day - kPeriodDays

struct GenSpec {
  Kind kind = Kind::ap;
  std::size_t rows = 1000;
  std::uint64_t seed = 1;
  std::string out_dir;
  // The period's last day (days since 1970-01-01); nullopt = kDefaultEndDay, unshifted.
  std::optional<int> end_day = std::nullopt;
};

struct GenSummary {
  struct File {
    std::string path;
    std::size_t rows = 0;
  };
  std::vector<File> files;
  // Label base rates of features.csv, e.g. {"label_duplicate", 0.029}.
  std::vector<std::pair<std::string, double>> label_rates;
  // The data period as written (days since 1970-01-01) and the shift applied to it.
  int first_day = 0, last_day = 0, shift_days = 0;
};

// invalid_argument for rows out of range, an end day outside [kMinEndDay, kMaxEndDay] or
// an empty directory name; io_error when a file cannot be written.
Result<GenSummary> generate(const GenSpec& spec);

}  // namespace ledgerflow::datagen
