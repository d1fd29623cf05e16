// Parser: source text -> Ast. Recursive descent with one function per precedence
// level; recursion is bounded by CompileOptions::max_depth (every nested
// sub-expression, parenthesis and unary operator counts one level) and so is the
// height of the resulting tree, so neither parsing nor evaluation can exhaust the
// stack. Names are resolved here: macro variables (innermost scope first), the
// reserved root `env`, data fields, functions (unknown names and wrong arities are
// reported, with a did-you-mean suggestion). Static types are left to the checker.
// Thread-safety: pure function.
#pragma once

#include <string_view>
#include <vector>

#include "engine/expr/ast.h"
#include "engine/expr/program.h"

namespace ledgerflow::expr {

// CompileOptions::max_depth is capped here, whatever the caller asks for: the parser
// and the evaluator recurse once per level, and threads may have small stacks.
// Measured: compile + evaluate need < 128 KiB of stack at the default depth of 64 and
// < 256 KiB at this cap.
inline constexpr std::size_t kMaxDepthLimit = 128;

// Fills `ast` and appends problems to `diagnostics`. Returns false when parsing had to
// stop (a syntax error, too long, too deep); name errors do not stop parsing.
bool parse(std::string_view source, const CompileOptions& options, Ast* ast,
           std::vector<Diagnostic>* diagnostics);

}  // namespace ledgerflow::expr
