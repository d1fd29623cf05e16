#include "engine/expr/checker.h"

#include <string>

namespace ledgerflow::expr {
namespace {

constexpr std::uint16_t kNumber = type_bit(Type::number);
constexpr std::uint16_t kString = type_bit(Type::string);
constexpr std::uint16_t kList = type_bit(Type::list);
constexpr std::uint16_t kMap = type_bit(Type::map);
constexpr std::uint16_t kTimestamp = type_bit(Type::timestamp);
constexpr std::uint16_t kBool = type_bit(Type::boolean);

bool allows(std::uint16_t mask, Type t) {
  return t == Type::dyn || (mask & type_bit(t)) != 0;
}

Type type_of(const Val& v) {
  switch (v.kind) {
    case Kind::null:
      return Type::null;
    case Kind::boolean:
      return Type::boolean;
    case Kind::number:
      return Type::number;
    case Kind::string:
      return Type::string;
    case Kind::list:
      return Type::list;
    case Kind::map:
      return Type::map;
    case Kind::timestamp:
      return Type::timestamp;
  }
  return Type::dyn;
}

class Checker {
 public:
  Checker(std::string_view source, const CompileOptions& options, Ast* ast,
          std::vector<Diagnostic>* diagnostics)
      : src_(source), options_(options), ast_(*ast), diags_(*diagnostics) {}

  void run() {
    for (std::uint32_t i = 0; i < ast_.nodes.size(); ++i) ast_.nodes[i].type = check_node(i);
  }

 private:
  std::string snippet(const Node& n) const { return std::string(src_.substr(n.offset, n.length)); }
  Type type(const Node& n, std::uint32_t k) const { return ast_.nodes[ast_.child(n, k)].type; }
  const Node& kid(const Node& n, std::uint32_t k) const { return ast_.nodes[ast_.child(n, k)]; }

  void at_token(const Node& n, std::string message) {
    diags_.push_back(Diagnostic{n.tok_offset, std::max<std::uint32_t>(n.tok_length, 1),
                                message + " in '" + snippet(n) + "'"});
  }
  void at_node(const Node& where, const Node& whole, std::string message) {
    diags_.push_back(Diagnostic{where.offset, std::max<std::uint32_t>(where.length, 1),
                                message + " in '" + snippet(whole) + "'"});
  }

  Type check_node(std::uint32_t i) {
    const Node& n = ast_.nodes[i];
    switch (n.op) {
      case Op::constant:
        return type_of(ast_.constants[n.payload]);
      case Op::list:
        return Type::list;
      case Op::map:
        return Type::map;
      case Op::path:
        return check_path(n);
      case Op::not_:
        if (!allows(kBool, type(n, 0))) {
          at_token(n, "'!' needs a bool, got " + std::string(to_string(type(n, 0))));
        }
        return Type::boolean;
      case Op::neg:
        if (!allows(kNumber, type(n, 0))) {
          at_token(n, "cannot negate " + std::string(to_string(type(n, 0))));
        }
        return Type::number;
      case Op::add:
        return check_add(n);
      case Op::sub:
      case Op::mul:
      case Op::div:
      case Op::mod:
        return check_arithmetic(n);
      case Op::lt:
      case Op::le:
      case Op::gt:
      case Op::ge:
        return check_ordering(n);
      case Op::eq:
      case Op::ne:
        return Type::boolean;
      case Op::in:
        return check_in(n);
      case Op::and_:
      case Op::or_:
        // A null operand is left to evaluation: it may be short-circuited
        // (`false && null` is false) and is an error only when reached.
        for (std::uint32_t k = 0; k < n.count; ++k) {
          if (!allows(kBool | type_bit(Type::null), type(n, k))) {
            at_node(kid(n, k), n,
                    std::string(n.op == Op::and_ ? "'&&'" : "'||'") + " needs bool operands, got " +
                        std::string(to_string(type(n, k))) + " ('" + snippet(kid(n, k)) + "')");
          }
        }
        return Type::boolean;
      case Op::cond: {
        if (!allows(kBool, type(n, 0))) {
          at_node(kid(n, 0), n,
                  "the condition of '?:' must be bool, got " + std::string(to_string(type(n, 0))));
        }
        return type(n, 1) == type(n, 2) ? type(n, 1) : Type::dyn;
      }
      case Op::call:
        return check_call(ast_.nodes[i]);
      case Op::macro:
        return check_macro(n);
    }
    return Type::dyn;
  }

  Type check_path(const Node& n) {
    const Path& path = ast_.paths[n.payload];
    if (path.root == Path::Root::value && !path.segments.empty()) {
      const Type root = ast_.nodes[path.node].type;
      const Segment& seg = path.segments.front();
      const bool by_key = seg.kind == Segment::Kind::field;
      const bool by_index = seg.kind == Segment::Kind::index;
      if (root == Type::list && by_key) {
        at_token(n, "cannot select field '" + seg.key + "' of a list");
      } else if (root == Type::map && by_index) {
        at_token(n, "cannot index a map with a number (map keys are strings)");
      } else if (root != Type::dyn && root != Type::null && root != Type::list &&
                 root != Type::map) {
        at_token(n, "cannot select " +
                        (by_key ? "field '" + seg.key + "'" : std::string("an element")) + " of " +
                        std::string(to_string(root)));
      }
    }
    if (path.root != Path::Root::data || !options_.path_type) return Type::dyn;
    std::vector<std::string> names;
    for (const auto& seg : path.segments) {
      if (seg.kind == Segment::Kind::dynamic) return Type::dyn;
      names.push_back(seg.kind == Segment::Kind::field ? seg.key : std::to_string(seg.index));
    }
    return options_.path_type(names);
  }

  Type check_add(const Node& n) {
    const Type a = type(n, 0);
    const Type b = type(n, 1);
    constexpr std::uint16_t kAddable = kNumber | kString | kList;
    const bool mismatch = a != Type::dyn && b != Type::dyn && a != b;
    if (!allows(kAddable, a) || !allows(kAddable, b) || mismatch) {
      at_token(n, "cannot add " + std::string(to_string(a)) + " and " + std::string(to_string(b)));
      return Type::dyn;
    }
    return a != Type::dyn ? a : b;
  }

  Type check_arithmetic(const Node& n) {
    const Type a = type(n, 0);
    const Type b = type(n, 1);
    if (!allows(kNumber, a) || !allows(kNumber, b)) {
      const char* verb = n.op == Op::sub   ? "subtract"
                         : n.op == Op::mul ? "multiply"
                         : n.op == Op::div ? "divide"
                                           : "take the remainder of";
      at_token(n, std::string("cannot ") + verb + " " + std::string(to_string(a)) + " and " +
                      std::string(to_string(b)));
    }
    return Type::number;
  }

  Type check_ordering(const Node& n) {
    const Type a = type(n, 0);
    const Type b = type(n, 1);
    constexpr std::uint16_t kOrdered = kNumber | kString | kTimestamp;
    if (!allows(kOrdered, a) || !allows(kOrdered, b) ||
        (a != Type::dyn && b != Type::dyn && a != b)) {
      at_token(n, "cannot compare " + std::string(to_string(a)) + " and " +
                      std::string(to_string(b)) + " with '" +
                      std::string(src_.substr(n.tok_offset, n.tok_length)) + "'");
    }
    return Type::boolean;
  }

  Type check_in(const Node& n) {
    const Type item = type(n, 0);
    const Type container = type(n, 1);
    if (!allows(kList | kMap | kString, container)) {
      at_token(n, "'in' needs a list, map or string on the right, got " +
                      std::string(to_string(container)));
    } else if ((container == Type::map || container == Type::string) && !allows(kString, item)) {
      at_token(n, "'in' on a " + std::string(to_string(container)) +
                      " needs a string on the left, got " + std::string(to_string(item)));
    }
    return Type::boolean;
  }

  Type check_macro(const Node& n) {
    const auto kind = static_cast<MacroKind>(n.aux);
    const std::string name(macro_name(kind));
    if (!allows(kList, type(n, 0))) {
      at_node(kid(n, 0), n, name + "() needs a list, got " + std::string(to_string(type(n, 0))));
    }
    if (kind != MacroKind::map && !allows(kBool, type(n, 1))) {
      at_node(kid(n, 1), n,
              "the condition of " + name + "() must be bool, got " +
                  std::string(to_string(type(n, 1))));
    }
    return kind == MacroKind::map || kind == MacroKind::filter ? Type::list : Type::boolean;
  }

  // Checks argument k against `mask`; false (with a diagnostic) when it cannot match.
  bool require(const Node& call, std::uint32_t k, std::uint16_t mask) {
    const Type t = type(call, k);
    if (allows(mask, t)) return true;
    const FunctionInfo& info = function_info(static_cast<Fn>(call.payload));
    const std::string which =
        info.max_args == 1 ? std::string() : " argument " + std::to_string(k + 1);
    at_node(kid(call, k), call,
            std::string(info.name) + "()" + which + " expects " + describe_types(mask) + ", got " +
                std::string(to_string(t)));
    return false;
  }

  Type check_call(Node& n) {
    if (n.payload == kNoIndex) return Type::dyn;  // unknown function, already reported
    const auto fn = static_cast<Fn>(n.payload);
    const FunctionInfo& info = function_info(fn);
    if (n.count < info.min_args || (info.max_args != kVariadic && n.count > info.max_args)) {
      return Type::dyn;  // wrong arity, already reported
    }
    switch (fn) {
      case Fn::size:
        require(n, 0, kString | kList | kMap);
        return Type::number;
      case Fn::has:
        return Type::boolean;
      case Fn::matches:
        require(n, 0, kString);
        if (require(n, 1, kString)) compile_pattern(n);
        return Type::boolean;
      case Fn::lower:
      case Fn::upper:
        require(n, 0, kString);
        return Type::string;
      case Fn::contains:
      case Fn::starts_with:
      case Fn::ends_with:
        require(n, 0, kString);
        require(n, 1, kString);
        return Type::boolean;
      case Fn::min:
      case Fn::max:
        if (n.count == 1) {
          require(n, 0, kList | kNumber);
        } else {
          for (std::uint32_t k = 0; k < n.count; ++k) require(n, k, kNumber);
        }
        return Type::number;
      case Fn::abs:
        require(n, 0, kNumber);
        return Type::number;
      case Fn::round:
        require(n, 0, kNumber);
        if (n.count == 2 && require(n, 1, kNumber)) check_digits(n);
        return Type::number;
      case Fn::sum:
        require(n, 0, kList);
        return Type::number;
      case Fn::days_between:
        require(n, 0, kTimestamp | kString);
        require(n, 1, kTimestamp | kString);
        return Type::number;
      case Fn::now:
        return Type::timestamp;
      case Fn::date:
        require(n, 0, kString | kTimestamp);
        return Type::timestamp;
      case Fn::number:
        require(n, 0, kString | kNumber);
        return Type::number;
      case Fn::string:
        return Type::string;
    }
    return Type::dyn;
  }

  void check_digits(const Node& n) {
    const Node& arg = kid(n, 1);
    if (arg.op != Op::constant) return;
    const auto digits = ast_.constants[arg.payload].num.to_int64();
    if (!digits || *digits < 0 || *digits > Decimal::kMaxScale) {
      at_node(arg, n, "round() digits must be an integer from 0 to 18");
    }
  }

  void compile_pattern(Node& n) {
    const Node& arg = kid(n, 1);
    if (arg.op != Op::constant) return;  // compiled at evaluation time
    const std::string_view pattern = ast_.constants[arg.payload].sv();
    if (pattern.size() > kMaxPatternBytes) {
      at_node(arg, n,
              "matches() pattern is longer than " + std::to_string(kMaxPatternBytes) + " bytes");
      return;
    }
    try {
      ast_.regexes.push_back(
          std::make_unique<boost::regex>(pattern.begin(), pattern.end(), kRegexSyntax));
      n.extra = static_cast<std::uint32_t>(ast_.regexes.size() - 1);
    } catch (const std::exception& e) {  // boost::regex_error
      at_node(arg, n, std::string("invalid regular expression: ") + e.what());
    }
  }

  std::string_view src_;
  const CompileOptions& options_;
  Ast& ast_;
  std::vector<Diagnostic>& diags_;
};

}  // namespace

std::string describe_types(std::uint16_t mask) {
  std::vector<std::string_view> names;
  for (auto t : {Type::null, Type::boolean, Type::number, Type::string, Type::list, Type::map,
                 Type::timestamp}) {
    if ((mask & type_bit(t)) != 0) names.push_back(to_string(t));
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out.empty() ? "nothing" : out;
}

void check(std::string_view source, const CompileOptions& options, Ast* ast,
           std::vector<Diagnostic>* diagnostics) {
  Checker(source, options, ast, diagnostics).run();
}

}  // namespace ledgerflow::expr
