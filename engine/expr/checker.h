// Checker: assigns a static Type to every node and reports statically known type
// errors ("a" + 1, !"x", size(5), a non-bool ?: condition, ...). `dyn` operands (most
// data paths, unless the PathTyper knows better) defer the check to evaluation.
// Also compiles literal matches() patterns once (bad patterns are compile errors).
// Thread-safety: pure function over one Ast.
#pragma once

#include <string_view>
#include <vector>

#include "engine/expr/ast.h"
#include "engine/expr/program.h"

namespace ledgerflow::expr {

// Appends every problem found to `diagnostics`; never stops early.
void check(std::string_view source, const CompileOptions& options, Ast* ast,
           std::vector<Diagnostic>* diagnostics);

// Limits of matches(), shared with the evaluator.
inline constexpr std::size_t kMaxPatternBytes = 512;
inline constexpr std::size_t kMaxSubjectBytes = 64 * 1024;

// The flags every pattern is compiled with (Perl syntax, close to RE2).
inline constexpr auto kRegexSyntax = boost::regex::perl;

// Readable list of types in a mask for messages: "string, list or map".
std::string describe_types(std::uint16_t mask);
inline constexpr std::uint16_t type_bit(Type t) {
  return static_cast<std::uint16_t>(1U << static_cast<unsigned>(t));
}

}  // namespace ledgerflow::expr
