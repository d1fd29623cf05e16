// Human and machine views of a definition's graph: its transitions, a text summary
// (`ledgerflow describe`) and a Graphviz dot graph (`--dot`).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "engine/definition/definition.h"

namespace ledgerflow::def {

struct Edge {
  std::string from;
  std::string to;
  std::string label;  // "", "approved", "when dup.exact_count > 0", "default", "catch timeout"
};

// Every transition of the flow (not of nested flows), in document order.
std::vector<Edge> edges_of(const Flow& flow);

std::string describe_text(const Definition& d);
std::string to_dot(const Definition& d);

}  // namespace ledgerflow::def
