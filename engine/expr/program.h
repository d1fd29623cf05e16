// The expression language: a small, safe, CEL-like language used in workflow
// definitions (`when:` conditions, score features, `${...}` templates, forbid lists).
// A Program is compiled and type-checked once when a definition loads and evaluated
// many times against instance data. See docs/dsl.md for the language reference.
//
// Thread-safety: a compiled Program is immutable; evaluate() may be called concurrently
// from any number of threads. Copies share the compiled form.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"
#include "engine/expr/value.h"

namespace ledgerflow::expr {

// Static types known to the checker. `dyn` means "known only at evaluation time"
// (most data paths); checks against dyn are deferred to evaluation.
enum class Type : std::uint8_t { dyn, null, boolean, number, string, list, map, timestamp };
std::string_view to_string(Type type);

// A compile-time problem, located inside the expression source.
struct Diagnostic {
  std::uint32_t offset = 0;  // byte offset of the offending token in the source
  std::uint32_t length = 0;  // bytes covered (at least 1 where the source is non-empty)
  std::string message;       // e.g. "unknown function 'sizee' (did you mean 'size'?)"
};

// Maps a data path such as {"invoice", "amount"} to its static type (Type::dyn when
// unknown). Definitions derive one from `input.schema`.
using PathTyper = std::function<Type(std::span<const std::string> path)>;

struct CompileOptions {
  std::size_t max_source_bytes = 4096;  // longer sources are rejected
  std::size_t max_depth = 64;           // nesting of sub-expressions
  PathTyper path_type;                  // optional
};

struct EvalContext {
  std::int64_t now_us = 0;              // `now()`: µs since the Unix epoch (UTC), from a Clock
  const nlohmann::json* env = nullptr;  // values of the reserved root `env` (null if absent)
};

class Program {
 public:
  // Compiles and type-checks `source`. On failure returns every problem found.
  static std::variant<Program, std::vector<Diagnostic>> compile(std::string_view source,
                                                                const CompileOptions& options = {});

  // The static result type (dyn when it depends on data).
  Type type() const;
  std::string_view source() const;

  // Data paths the expression reads, e.g. {{"invoice","amount"}, {"risk","probability"}},
  // excluding variables bound by macros and the reserved root `env`.
  const std::vector<std::vector<std::string>>& paths() const;

  // Evaluates against instance data. Errors (arithmetic on null, division by zero,
  // "a" + 1, ...) name the failing sub-expression; they never crash or default silently.
  Result<Value> evaluate(const nlohmann::json& data, const EvalContext& context) const;

  struct Impl;

 private:
  explicit Program(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace ledgerflow::expr
