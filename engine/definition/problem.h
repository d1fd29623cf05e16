// Problem: one located complaint about a definition. The validator collects all of
// them rather than stopping at the first, and formats each as
//   file:line:column: state 'name': message
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/definition/node.h"

namespace ledgerflow::def {

struct Problem {
  Location loc;
  std::string state;  // the state the problem belongs to; empty for top-level problems
  std::string message;
};

// "file:line:column: state 'name': message" (state part omitted when empty).
std::string format_problem(std::string_view file, const Problem& problem);

// Sorts by position (stable for equal positions) so reports read top to bottom.
void sort_problems(std::vector<Problem>& problems);

// Levenshtein distance (insert, delete, substitute) for did-you-mean suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate within a small distance, or empty. Used as " (did you mean 'x'?)".
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates);

}  // namespace ledgerflow::def
