// Reads a JSON object file (a model, an alias table) for a plugin, with a size limit and
// errors that name the file and, for syntax errors, the line and column.
//
// Goes through the engine's located document parser rather than nlohmann directly:
// nlohmann silently keeps the last of two duplicate keys ({"coef": 1, "coef": 2}) and
// reports positions only as byte offsets; the engine parser refuses duplicates and
// reports file:line:column.
// Thread-safety: stateless function.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"

namespace ledgerflow::plugins {

struct JsonFileLimits {
  std::size_t max_bytes = 16u << 20;  // 16 MiB
  std::size_t max_depth = 32;
  std::size_t max_nodes = 1'000'000;
};

// not_found: the file does not exist. io_error: a directory, or unreadable.
// invalid_argument: too large, empty, not a JSON object, or not valid JSON
// ("path:line:column: ...").
Result<nlohmann::json> read_json_file(const std::string& path, const JsonFileLimits& limits = {});

}  // namespace ledgerflow::plugins
