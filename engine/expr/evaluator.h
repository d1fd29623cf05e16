// Evaluator: runs one evaluation of a compiled Ast against instance data. Recursive
// over the node array (depth bounded by CompileOptions::max_depth at compile time);
// values are borrowed Vals, computed ones live in the caller's Arena. Every failure
// records a message naming the failing sub-expression by its source text and returns
// false — no exceptions, no defaults.
// Bounded: at most kMaxEvalSteps node visits and macro iterations (nested macros over
// large lists) and the arena's memory limit.
// Thread-safety: one Evaluator per evaluation; the Ast is shared read-only.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/expr/arena.h"
#include "engine/expr/ast.h"
#include "engine/expr/program.h"
#include "engine/expr/val.h"

namespace ledgerflow::expr {

inline constexpr std::size_t kMaxEvalSteps = 1'000'000;

class Evaluator {
 public:
  Evaluator(const Ast& ast, std::string_view source, const nlohmann::json& data,
            const EvalContext& context, Arena* arena)
      : ast_(ast), src_(source), data_(data), ctx_(context), arena_(*arena) {}
  Evaluator(const Evaluator&) = delete;
  Evaluator& operator=(const Evaluator&) = delete;

  bool eval(std::uint32_t node, Val* out);
  const std::string& error() const { return error_; }

  // ---- for builtins.cpp ----
  const Ast& ast() const { return ast_; }
  const EvalContext& context() const { return ctx_; }
  const Node& child(const Node& n, std::uint32_t k) const { return ast_.nodes[ast_.child(n, k)]; }
  bool eval_child(const Node& n, std::uint32_t k, Val* out) {
    const std::uint32_t id = ast_.child(n, k);
    const Node& c = ast_.nodes[id];
    if (c.op == Op::constant) {  // the most common children: skip a dispatch
      *out = ast_.constants[c.payload];
      return true;
    }
    if (c.op == Op::path) {
      bool present = false;
      return resolve(c, false, out, &present);
    }
    return eval(id, out);
  }
  std::string snippet(const Node& n) const { return std::string(src_.substr(n.offset, n.length)); }
  // Records "<message> in '<source of n>'<detail>"; always returns false.
  bool fail(const Node& n, std::string_view message, std::string_view detail = {});
  // " (argument 'x' is number 5)" style detail for an operand node and its value.
  std::string is(std::string_view role, const Node& operand, const Val& v) const;
  // Copies `s` into the arena; false (error recorded against `n`) beyond its limit.
  bool store(const Node& n, std::string_view s, std::string_view* out);
  template <typename T>
  bool alloc(const Node& n, std::size_t count, T** out) {
    *out = arena_.allocate_array<T>(count);
    return *out != nullptr || count == 0 || out_of_memory(n);
  }
  // Resolves a path node. With `presence` (has()), a missing field, an index out of
  // range, null or a scalar on the way make *present false instead of an error.
  bool resolve(const Node& n, bool presence, Val* out, bool* present);
  // Reports a data value that has no Decimal / nests too deeply.
  bool bad_data(const Node& n, ConvertStatus status);

 private:
  bool eval_unary(const Node& n, Val* out);
  bool eval_logic(const Node& n, Val* out);
  bool eval_arith(const Node& n, Val* out);
  bool eval_order(const Node& n, Val* out);
  bool eval_equal(const Node& n, Val* out);
  bool eval_in(const Node& n, Val* out);
  bool eval_list(const Node& n, Val* out);
  bool eval_map(const Node& n, Val* out);
  bool eval_macro(const Node& n, Val* out);
  bool concat(const Node& n, const Val& a, const Val& b, Val* out);
  // Error paths, out of line so the hot functions keep small frames.
  [[gnu::cold, gnu::noinline]] bool out_of_memory(const Node& n);
  [[gnu::cold, gnu::noinline]] bool too_many_steps(const Node& n);
  [[gnu::cold, gnu::noinline]] bool fail_operand(const Node& n, std::string_view message,
                                                 std::string_view role, std::uint32_t k,
                                                 const Val& v);
  [[gnu::cold, gnu::noinline]] bool arith_type_error(const Node& n, const Val& a, const Val& b);
  [[gnu::cold, gnu::noinline]] bool order_type_error(const Node& n, const Val& a, const Val& b);
  std::string path_prefix(const Path& path, std::size_t segment) const;
  // The top-level data field `path` starts with (nullptr: absent), looked up once.
  const nlohmann::json* cached_root_field(const Path& path);

  const Ast& ast_;
  std::string_view src_;
  const nlohmann::json& data_;
  const EvalContext& ctx_;
  Arena& arena_;
  std::size_t steps_ = 0;
  std::string error_;
  std::uint32_t root_cached_ = 0;  // bit i: root_cache_[i] is filled (no array init)
  const nlohmann::json* root_cache_[kRootCacheSize];
  union Slots {  // bound macro variables; raw storage, written before read
    Slots() {}
    Val v[kMaxVariables];
  } slots_;
};

// Built-in functions (builtins.cpp).
bool call_builtin(Evaluator& ev, const Node& n, Val* out);

}  // namespace ledgerflow::expr
