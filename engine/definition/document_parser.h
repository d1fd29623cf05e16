// Parses definition text (YAML or JSON) into a located Node tree, defending against
// hostile input before any structure is built: size, binary data, invalid UTF-8, depth,
// duplicate keys and alias expansion ("billion laughs") are all bounded and reported
// with a line and column.
//
// YAML goes through yaml-cpp's event API (so aliases can be counted instead of blindly
// expanded). JSON is checked by nlohmann's parser and then read by a small located
// reader here, because nlohmann 3.11 does not expose source positions of values.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "engine/definition/node.h"
#include "engine/definition/problem.h"

namespace ledgerflow::def {

enum class Format { yaml, json, detect };

struct ParseLimits {
  std::size_t max_bytes = 1 << 20;  // 1 MiB
  std::size_t max_depth = 64;       // nesting of mappings/lists
  std::size_t max_nodes = 200000;   // after alias expansion
  std::size_t max_scalar_bytes = 64 * 1024;  // one string, number or key
};

struct ParseResult {
  std::optional<Node> root;  // set when problems is empty
  std::vector<Problem> problems;
};

// .json -> json, .yaml/.yml -> yaml, anything else -> detect (by the first character).
Format format_for_path(std::string_view path);

ParseResult parse_document(std::string_view text, Format format, const ParseLimits& limits = {});

}  // namespace ledgerflow::def
