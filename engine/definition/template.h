// Expr and Template: the two kinds of computed values in a definition.
//  * Expr: an expression field (`when`, features, forbid, ...) compiled once at load.
//  * Template: any JSON value whose strings may embed `${expr}`. A string that is exactly
//    `${expr}` yields the expression's value (a number stays a number); a string with
//    `${...}` inside other text is interpolated into a string; anything else is literal.
// Thread-safety: immutable after load; render() may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"
#include "engine/definition/node.h"
#include "engine/expr/program.h"

namespace ledgerflow::def {

struct Expr {
  std::string source;
  Location loc;
  std::shared_ptr<const expr::Program> program;

  // Evaluates against instance data; errors name the expression and its location.
  Result<expr::Value> evaluate(const nlohmann::json& data, const expr::EvalContext& ctx) const;
};

class Template {
 public:
  enum class Kind : std::uint8_t { literal, expression, interpolation, list, map };

  struct Piece {
    std::string text;  // literal text, used when expr is empty
    std::optional<Expr> expr;
  };

  Kind kind = Kind::literal;
  nlohmann::json literal;                                 // Kind::literal
  std::optional<Expr> expression;                         // Kind::expression
  std::vector<Piece> pieces;                              // Kind::interpolation
  std::vector<Template> items;                            // Kind::list
  std::vector<std::pair<std::string, Template>> entries;  // Kind::map

  // True when no part of the template needs evaluation.
  bool is_constant() const;

  Result<nlohmann::json> render(const nlohmann::json& data, const expr::EvalContext& ctx) const;
};

}  // namespace ledgerflow::def
