// Ast: the compiled form of an expression — a flat array of nodes in post-order
// (children before parents, the root last), so the checker and the constant folder
// are simple forward loops and evaluation walks indices instead of pointers.
// Field names, literal values and regexes are resolved here once, at compile time.
// Thread-safety: built by one thread, then read-only (shared by evaluations).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/regex.hpp>

#include "engine/expr/arena.h"
#include "engine/expr/functions.h"
#include "engine/expr/program.h"
#include "engine/expr/val.h"

namespace ledgerflow::expr {

enum class Op : std::uint8_t {
  constant,  // payload: index into Ast::constants (literals and folded sub-expressions)
  list,      // children: items
  map,       // children: values; payload: index into Ast::map_keys
  path,      // payload: index into Ast::paths; children: root expression and dynamic indices
  not_,
  neg,
  mul,
  div,
  mod,
  add,
  sub,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  in,
  and_,   // n-ary, short-circuit
  or_,    // n-ary, short-circuit
  cond,   // children: condition, then, else
  call,   // payload: Fn; children: arguments (the receiver first for s.f(x))
  macro,  // aux: MacroKind; slot: bound variable; children: receiver, body
};

inline constexpr std::uint32_t kNoIndex = 0xFFFFFFFF;
inline constexpr std::uint8_t kNoRootSlot = 0xFF;
// Distinct top-level data fields whose lookup one evaluation caches (see Evaluator).
inline constexpr std::size_t kRootCacheSize = 16;

struct Node {
  Op op = Op::constant;
  Type type = Type::dyn;           // static type from the checker
  std::uint8_t aux = 0;            // macro: MacroKind
  std::uint8_t slot = 0;           // macro: variable slot
  std::uint32_t payload = 0;       // see Op
  std::uint32_t extra = kNoIndex;  // call to matches(): index into Ast::regexes
  std::uint32_t first = 0;         // first child in Ast::children
  std::uint32_t count = 0;         // number of children
  std::uint32_t offset = 0;        // source span of the whole sub-expression
  std::uint32_t length = 0;
  std::uint32_t tok_offset = 0;  // the operator / function name, for diagnostics
  std::uint32_t tok_length = 0;
};

struct Segment {
  enum class Kind : std::uint8_t { field, index, dynamic };
  Kind kind = Kind::field;
  std::string key;                // field
  std::int64_t index = 0;         // index
  std::uint32_t node = kNoIndex;  // dynamic: the index expression
  std::uint32_t end = 0;          // source offset just past this segment (for messages)
};

struct Path {
  enum class Root : std::uint8_t {
    data,      // instance data; segments[0] is the top-level field
    env,       // EvalContext::env
    variable,  // a macro's bound variable (`slot`)
    value,     // any expression (`node`), e.g. f(x).a or [1, 2][0]
  };
  Root root = Root::data;
  std::uint8_t slot = 0;
  std::uint32_t node = kNoIndex;
  std::uint32_t start = 0;     // source offset of the path
  std::uint32_t root_end = 0;  // source offset just past the root
  // data root: which entry of the evaluator's cache of top-level fields this path
  // shares with others reading the same field (kNoRootSlot: not cached).
  std::uint8_t root_slot = kNoRootSlot;
  std::vector<Segment> segments;
};

struct Ast {
  std::vector<Node> nodes;
  std::vector<std::uint32_t> children;
  std::vector<Path> paths;
  std::vector<std::vector<std::string>> map_keys;  // per map literal, in source order
  std::vector<Val> constants;
  std::vector<std::unique_ptr<boost::regex>> regexes;  // literal patterns of matches()
  Arena arena;                                         // strings, lists and maps of constants
  std::uint32_t root = 0;
  std::uint8_t variable_slots = 0;  // bound variables needed (max macro nesting)

  const Node& node(std::uint32_t i) const { return nodes[i]; }
  std::uint32_t child(const Node& n, std::uint32_t k) const { return children[n.first + k]; }
};

}  // namespace ledgerflow::expr
