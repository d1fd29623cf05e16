#include "engine/definition/template.h"

namespace ledgerflow::def {

Result<expr::Value> Expr::evaluate(const nlohmann::json& data, const expr::EvalContext& ctx) const {
  auto v = program->evaluate(data, ctx);
  if (!v) {
    return Error{v.error().code, "expression '" + source + "' (line " + std::to_string(loc.line) +
                                     "): " + v.error().message};
  }
  return v;
}

bool Template::is_constant() const {
  switch (kind) {
    case Kind::literal:
      return true;
    case Kind::expression:
    case Kind::interpolation:
      return false;
    case Kind::list:
      for (const auto& i : items) {
        if (!i.is_constant()) return false;
      }
      return true;
    case Kind::map:
      for (const auto& [k, v] : entries) {
        if (!v.is_constant()) return false;
      }
      return true;
  }
  return true;
}

Result<nlohmann::json> Template::render(const nlohmann::json& data,
                                        const expr::EvalContext& ctx) const {
  switch (kind) {
    case Kind::literal:
      return literal;
    case Kind::expression: {
      auto v = expression->evaluate(data, ctx);
      if (!v) return v.error();
      return expr::to_json(*v);
    }
    case Kind::interpolation: {
      std::string out;
      for (const auto& p : pieces) {
        if (!p.expr) {
          out += p.text;
          continue;
        }
        auto v = p.expr->evaluate(data, ctx);
        if (!v) return v.error();
        nlohmann::json j = expr::to_json(*v);
        out += j.is_string() ? j.get<std::string>() : expr::to_json_text(*v);
      }
      return nlohmann::json(std::move(out));
    }
    case Kind::list: {
      auto out = nlohmann::json::array();
      for (const auto& i : items) {
        auto r = i.render(data, ctx);
        if (!r) return r.error();
        out.push_back(std::move(*r));
      }
      return out;
    }
    case Kind::map: {
      auto out = nlohmann::json::object();
      for (const auto& [k, v] : entries) {
        auto r = v.render(data, ctx);
        if (!r) return r.error();
        out[k] = std::move(*r);
      }
      return out;
    }
  }
  return nlohmann::json();
}

}  // namespace ledgerflow::def
