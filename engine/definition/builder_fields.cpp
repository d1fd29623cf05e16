// Generic field readers of the loader: types, required keys, unknown keys with a
// did-you-mean, durations, expressions and templates, each problem located.

#include "engine/definition/builder.h"
#include "engine/definition/names.h"

namespace ledgerflow::def::detail {
namespace {

// "'key'", built by appending: `"'" + std::string(key)` makes GCC 12 at -O3 report a
// false -Wrestrict inside std::string's operator+, which broke Release builds.
std::string quoted(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 2);
  out.push_back('\'');
  out.append(key);
  out.push_back('\'');
  return out;
}


// Where inside the file byte `offset` of a scalar's text lies (exact for single-line
// plain and quoted scalars without escapes; the scalar's start otherwise).
Location locate_in_scalar(const Node& n, std::size_t offset) {
  Location loc = n.loc;
  if (n.quote == 2 || n.text.find('\n') != std::string::npos) return loc;
  loc.column += static_cast<std::uint32_t>(offset) + (n.quote == 1 ? 1 : 0);
  return loc;
}

}  // namespace

void Builder::report(Location loc, std::string message) {
  problems_.push_back(Problem{loc, state_, std::move(message)});
}

void Builder::check_keys(const Node& obj, std::span<const Field> fields, std::string_view what,
                         std::string_view kind_hint) {
  std::vector<std::string_view> names;
  for (const auto& f : fields) names.push_back(f.key);
  for (const auto& e : obj.entries) {
    if (&obj == root_ && e.key.rfind("x-", 0) == 0) continue;  // extension keys (anchors)
    bool known = false;
    for (const auto& f : fields) known = known || f.key == e.key;
    if (known) continue;
    std::string msg = "unknown key '" + e.key + "' in " + std::string(what);
    std::string suggestion = did_you_mean(e.key, names);
    if (!suggestion.empty()) {
      msg += " (did you mean '" + suggestion + "'?)";
    } else if (!kind_hint.empty()) {
      msg += std::string(" (") + std::string(kind_hint) + ")";
    }
    report(e.key_loc, msg);
  }
  for (const auto& f : fields) {
    if (f.required && !obj.find_entry(f.key)) {
      report(obj.loc,
             "missing required field '" + std::string(f.key) + "' in " + std::string(what));
    }
  }
}

bool Builder::expect(const Node& n, Node::Kind kind, std::string_view what) {
  if (n.kind == kind) return true;
  report(n.loc, std::string(what) + " must be " + std::string(Node::describe(kind)) + ", got " +
                    std::string(Node::describe(n.kind)));
  return false;
}

std::optional<std::string> Builder::read_string(const Node& obj, std::string_view key) {
  const Node* n = obj.find(key);
  if (!n || !expect(*n, Node::Kind::string, quoted(key))) return std::nullopt;
  return n->text;
}

std::optional<int> Builder::read_int(const Node& obj, std::string_view key, int min, int max) {
  const Node* n = obj.find(key);
  if (!n) return std::nullopt;
  std::string what = quoted(key);
  if (!n->is_number() || !is_integer_text(n->text)) {
    report(n->loc,
           what + " must be an integer, got " +
               (n->is_number() ? "'" + n->text + "'" : std::string(Node::describe(n->kind))));
    return std::nullopt;
  }
  long long v =
      n->text.size() > 12 ? (n->text[0] == '-' ? -1LL << 40 : 1LL << 40) : std::stoll(n->text);
  if (v < min || v > max) {
    report(n->loc, what + " must be between " + std::to_string(min) + " and " +
                       std::to_string(max) + ", got " + n->text);
    return std::nullopt;
  }
  return static_cast<int>(v);
}

std::optional<bool> Builder::read_bool(const Node& obj, std::string_view key) {
  const Node* n = obj.find(key);
  if (!n || !expect(*n, Node::Kind::boolean, quoted(key))) return std::nullopt;
  return n->text == "true";
}

std::optional<Duration> Builder::read_duration(const Node& obj, std::string_view key) {
  const Node* n = obj.find(key);
  if (!n || !expect(*n, Node::Kind::string, quoted(key) + " (a duration)"))
    return std::nullopt;
  auto d = parse_duration(n->text);
  if (!d) {
    report(n->loc, quoted(key) + ": " + d.error().message);
    return std::nullopt;
  }
  return *d;
}

std::vector<std::string> Builder::read_string_list(const Node& obj, std::string_view key) {
  std::vector<std::string> out;
  const Node* n = obj.find(key);
  if (!n || !expect(*n, Node::Kind::sequence, quoted(key))) return out;
  for (const auto& item : n->items) {
    if (expect(item, Node::Kind::string, "each item of '" + std::string(key) + "'"))
      out.push_back(item.text);
  }
  return out;
}

std::optional<std::string> Builder::read_path(const Node& obj, std::string_view key) {
  auto s = read_string(obj, key);
  if (!s) return std::nullopt;
  if (!is_data_path(*s)) {
    report(obj.find(key)->loc, quoted(key) +
                                   " must be a data path such as 'risk' or "
                                   "'checks.match', got '" +
                                   *s + "'");
    return std::nullopt;
  }
  return s;
}

std::optional<Expr> Builder::read_expr(const Node& n, std::string_view what) {
  std::string text;
  if (n.is_string()) {
    text = n.text;
  } else if (n.is_bool() || n.is_number()) {
    text = n.text;  // `when: true` is a valid (constant) condition
  } else {
    report(n.loc, std::string(what) + " must be an expression (a string), got " +
                      std::string(Node::describe(n.kind)));
    return std::nullopt;
  }
  if (text.size() > options_.max_expression_bytes) {
    report(n.loc, std::string(what) + " is " + std::to_string(text.size()) +
                      " bytes; the limit for an expression is " +
                      std::to_string(options_.max_expression_bytes) + " bytes (4 KiB)");
    return std::nullopt;
  }
  expr::CompileOptions copts;
  copts.max_source_bytes = options_.max_expression_bytes;
  copts.path_type = [this](std::span<const std::string> path) { return type_of_path(path); };
  auto compiled = expr::Program::compile(text, copts);
  if (auto* diags = std::get_if<std::vector<expr::Diagnostic>>(&compiled)) {
    for (const auto& d : *diags) {
      report(locate_in_scalar(n, d.offset), "in expression '" + text + "': " + d.message);
    }
    return std::nullopt;
  }
  Expr e;
  e.source = text;
  e.loc = n.loc;
  e.program = std::make_shared<const expr::Program>(std::get<expr::Program>(std::move(compiled)));
  return e;
}

std::optional<Expr> Builder::read_expr_field(const Node& obj, std::string_view key) {
  const Node* n = obj.find(key);
  if (!n) return std::nullopt;
  return read_expr(*n, quoted(key));
}

void Builder::compile_template_string(const Node& n, Template& t) {
  const std::string& s = n.text;
  // Split "text ${expr} text" into pieces; braces and quotes inside ${...} are balanced.
  std::vector<Template::Piece> pieces;
  std::size_t i = 0;
  bool has_expr = false;
  bool ok = true;
  while (i < s.size()) {
    std::size_t open = s.find("${", i);
    if (open == std::string::npos) {
      pieces.push_back({s.substr(i), std::nullopt});
      break;
    }
    if (open > i) pieces.push_back({s.substr(i, open - i), std::nullopt});
    std::size_t j = open + 2;
    int depth = 0;
    char quote = 0;
    for (; j < s.size(); ++j) {
      char c = s[j];
      if (quote) {
        if (c == '\\')
          ++j;
        else if (c == quote)
          quote = 0;
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '{') {
        ++depth;
      } else if (c == '}') {
        if (depth == 0) break;
        --depth;
      }
    }
    if (j >= s.size()) {
      report(locate_in_scalar(n, open), "unterminated '${' in template (add the closing '}')");
      ok = false;
      break;
    }
    std::string source = s.substr(open + 2, j - open - 2);
    Node sub = n;
    sub.text = source;
    sub.loc = locate_in_scalar(n, open + 2);
    sub.quote = 0;
    auto e = read_expr(sub, "template expression");
    if (!e) {
      ok = false;
    } else {
      pieces.push_back({"", std::move(e)});
      has_expr = true;
    }
    i = j + 1;
  }
  if (!ok || !has_expr) {
    t.kind = Template::Kind::literal;
    t.literal = s;
    return;
  }
  if (pieces.size() == 1) {
    t.kind = Template::Kind::expression;
    t.expression = std::move(pieces[0].expr);
  } else {
    t.kind = Template::Kind::interpolation;
    t.pieces = std::move(pieces);
  }
}

std::optional<Template> Builder::read_template(const Node& n) {
  Template t;
  switch (n.kind) {
    case Node::Kind::string:
      compile_template_string(n, t);
      break;
    case Node::Kind::sequence:
      t.kind = Template::Kind::list;
      for (const auto& item : n.items) {
        if (auto sub = read_template(item)) t.items.push_back(std::move(*sub));
      }
      break;
    case Node::Kind::mapping:
      t.kind = Template::Kind::map;
      for (const auto& e : n.entries) {
        if (auto sub = read_template(e.value)) t.entries.emplace_back(e.key, std::move(*sub));
      }
      break;
    default:
      t.kind = Template::Kind::literal;
      t.literal = n.to_json();
      break;
  }
  return t;
}

std::string Builder::read_target(const Node& obj, std::string_view key, std::string_view field) {
  const Node* n = obj.find(key);
  if (!n || !expect(*n, Node::Kind::string, quoted(key) + " (a state name)")) return {};
  add_target(*n, field);
  return n->text;
}

void Builder::add_target(const Node& n, std::string_view field) {
  if (!flow_stack_.empty()) {
    flow_stack_.back()->targets.push_back(TargetRef{n.text, n.loc, state_, std::string(field)});
  }
}

std::optional<Candidates> Builder::read_candidates(const Node& n) {
  if (!expect(n, Node::Kind::mapping, "candidates")) return std::nullopt;
  static constexpr Field kFields[] = {{"roles"}, {"users"}};
  check_keys(n, kFields, "candidates");
  Candidates c;
  c.roles = read_string_list(n, "roles");
  c.users = read_string_list(n, "users");
  if (c.roles.empty() && c.users.empty()) {
    report(n.loc, "candidates need at least one role or user");
    return std::nullopt;
  }
  return c;
}

expr::Type Builder::type_of_path(std::span<const std::string> path) const {
  if (path.empty() || input_schema_.is_null()) return expr::Type::dyn;
  for (const auto& root : output_roots_) {
    if (root == path[0]) return expr::Type::dyn;  // a state writes there
  }
  const nlohmann::json* schema = &input_schema_;
  for (const auto& segment : path) {
    if (!schema->is_object()) return expr::Type::dyn;
    bool index = !segment.empty() && segment.find_first_not_of("0123456789") == std::string::npos;
    if (index) {  // lines[0]: the array's item schema
      auto items = schema->find("items");
      if (items == schema->end() || !items->is_object()) return expr::Type::dyn;
      schema = &*items;
      continue;
    }
    auto props = schema->find("properties");
    if (props == schema->end() || !props->is_object()) return expr::Type::dyn;
    auto next = props->find(segment);
    if (next == props->end()) return expr::Type::dyn;
    schema = &*next;
  }
  if (!schema->is_object()) return expr::Type::dyn;
  auto type = schema->find("type");
  if (type == schema->end() || !type->is_string()) return expr::Type::dyn;
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "string") {
    // Dates are strings in JSON; a format keeps them dyn so date functions accept them.
    return schema->contains("format") ? expr::Type::dyn : expr::Type::string;
  }
  if (t == "number" || t == "integer") return expr::Type::number;
  if (t == "boolean") return expr::Type::boolean;
  if (t == "array") return expr::Type::list;
  if (t == "object") return expr::Type::map;
  return expr::Type::dyn;
}

}  // namespace ledgerflow::def::detail
