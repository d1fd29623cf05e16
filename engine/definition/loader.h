// Loads definition text (YAML or JSON) into a validated Definition, or reports every
// problem found, each located at file:line:column and attributed to its state.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/result.h"
#include "engine/definition/definition.h"
#include "engine/definition/document_parser.h"
#include "engine/definition/problem.h"

namespace ledgerflow::def {

struct LoadOptions {
  Format format = Format::detect;
  ParseLimits parse;              // bytes, depth, alias expansion
  std::size_t max_states = 1000;  // states in the whole definition, nested flows included
  std::size_t max_expression_bytes = 4096;
};

struct LoadResult {
  std::shared_ptr<const Definition> definition;  // set exactly when problems is empty
  std::vector<Problem> problems;                 // sorted by position
  bool ok() const { return definition != nullptr; }
};

LoadResult load_definition(std::string_view text, const LoadOptions& options = {});

// Loading from a file is file IO, so it lives outside the pure core:
// engine/runtime/definition_file.h.

}  // namespace ledgerflow::def
