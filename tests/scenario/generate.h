// generate_into: gen-data's files for one kind of finance data in a directory, as the
// scenario tests load them (their data set and the separate one their model trains on).
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "plugins/finance/datagen/datagen.h"

namespace ledgerflow::scenario {

// Writes `rows` records of `kind` from `seed` into `dir`; the test stops if that fails.
inline void generate_into(datagen::Kind kind, std::size_t rows, std::uint64_t seed,
                          const std::filesystem::path& dir) {
  datagen::GenSpec spec;
  spec.kind = kind;
  spec.rows = rows;
  spec.seed = seed;
  spec.out_dir = dir.string();
  auto generated = datagen::generate(spec);
  INFO((generated ? std::string() : generated.error().message));
  REQUIRE(generated);
}

}  // namespace ledgerflow::scenario
