// generate(): gen-data's library entry point. Writes one kind of synthetic finance data
// (ap, ar, o2c, payments) with labels as CSV files in DATA.md's formats, plus the
// kind's features.csv (the training table), into a directory.
//
// Deterministic: the same kind, rows and seed give byte-identical files (all randomness
// comes from std::mt19937_64 streams forked from the seed; no clock, no random_device;
// records are sorted by their time with a stable tie-break). Files are written through
// temporary files and renamed, so a reader never sees half a file; a failure part-way can
// leave earlier files of the set in place (the message says which file failed).
// Limits: 100 to kMaxGenRows rows (the kind's main record: invoices, AR invoices,
// orders or payments). What each kind holds: plugins/datagen/README.md.
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

struct GenSpec {
  Kind kind = Kind::ap;
  std::size_t rows = 1000;
  std::uint64_t seed = 1;
  std::string out_dir;
};

struct GenSummary {
  struct File {
    std::string path;
    std::size_t rows = 0;
  };
  std::vector<File> files;
  // Label base rates of features.csv, e.g. {"label_duplicate", 0.029}.
  std::vector<std::pair<std::string, double>> label_rates;
};

// invalid_argument for rows out of range or an empty directory name; io_error when a
// file cannot be written.
Result<GenSummary> generate(const GenSpec& spec);

}  // namespace ledgerflow::datagen
