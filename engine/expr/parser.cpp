#include "engine/expr/parser.h"

#include <algorithm>
#include <cstring>
#include <string>

#include "engine/expr/lexer.h"

namespace ledgerflow::expr {
namespace {

// Thrown (and caught in parse()) once a fatal problem has been recorded: the parse
// cannot continue past a syntax error. Never escapes this file.
struct ParseAbort {};

// Parsing recurses once per nesting level, so the frames of the parse_* functions are
// kept small: everything that builds strings (diagnostics) or vectors is out of line.
class Parser {
 public:
  Parser(std::string_view source, const CompileOptions& options, Ast* ast,
         std::vector<Diagnostic>* diagnostics)
      : src_(source),
        max_depth_(std::min(options.max_depth, kMaxDepthLimit)),
        ast_(*ast),
        diags_(*diagnostics) {}

  bool run() {
    tokens_ = tokenize(src_);
    if (tokens_.back().kind == Tok::error) {
      // Report the lexical error where the parser reaches it: an earlier syntax
      // error is more useful, so parse the tokens before it first.
      lex_error_ = tokens_.back();
      tokens_.back() = Token{Tok::end, lex_error_->offset, 0, {}};
    }
    try {
      if (tokens_.size() == 1 && !lex_error_) {
        fail(0, 0, "empty expression");
      }
      const std::uint32_t root = parse_expr();
      if (cur().kind != Tok::end) {
        fail(cur(), "unexpected " + token_text(cur()) + " after the end of the expression");
      }
      if (lex_error_) fail(lex_error_->offset, lex_error_->length, lex_error_->text);
      ast_.root = root;
      return true;
    } catch (const ParseAbort&) {
      return false;
    }
  }

 private:
  // A postfix chain under construction: `a.b[0].c` stays a Path (resolved once) until
  // something needs it as a node.
  struct Pending {
    bool is_path = false;
    std::uint32_t node = kNoIndex;
    Path path;
    std::uint32_t start = 0;
    std::uint32_t end = 0;
  };

  class DepthGuard {
   public:
    explicit DepthGuard(Parser* p) : p_(p) {
      if (++p_->depth_ > p_->max_depth_) p_->too_deep(p_->cur().offset, p_->cur().length);
    }
    ~DepthGuard() { --p_->depth_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser* p_;
  };

  // ---- tokens -------------------------------------------------------------------

  // Tokens are never added after tokenize(), so references to them stay valid.
  const Token& cur() const { return tokens_[pos_]; }
  const Token& peek() const { return tokens_[std::min(pos_ + 1, tokens_.size() - 1)]; }
  const Token& advance() {
    const Token& t = tokens_[pos_];
    if (t.kind != Tok::end) {
      last_end_ = t.offset + t.length;
      ++pos_;
    }
    return t;
  }
  std::string_view text(const Token& t) const { return src_.substr(t.offset, t.length); }
  std::string token_text(const Token& t) const {
    if (t.kind == Tok::end) return "end of input";
    return "'" + std::string(text(t)) + "'";
  }

  // ---- diagnostics ----------------------------------------------------------------

  [[gnu::noinline, gnu::cold]] void note(std::uint32_t offset, std::uint32_t length,
                                         std::string message) {
    if (length == 0 && !src_.empty()) length = 1;
    diags_.push_back(Diagnostic{offset, length, std::move(message)});
  }
  [[noreturn, gnu::noinline, gnu::cold]] void fail(std::uint32_t offset, std::uint32_t length,
                                                   std::string message) {
    note(offset, length, std::move(message));
    throw ParseAbort{};
  }
  // At the end of input, point at the last token: "unexpected end of input after '+'".
  [[noreturn, gnu::noinline, gnu::cold]] void fail(const Token& t, std::string message) {
    if (t.kind == Tok::end && lex_error_)
      fail(lex_error_->offset, lex_error_->length, lex_error_->text);
    if (t.kind == Tok::end && pos_ > 0) {
      const Token& prev = tokens_[pos_ - 1];
      fail(prev.offset, prev.length, message + " after " + token_text(prev));
    }
    fail(t.offset, t.length, std::move(message));
  }
  [[noreturn, gnu::noinline, gnu::cold]] void unexpected(const std::string& expected) {
    fail(cur(),
         "unexpected " + token_text(cur()) + (expected.empty() ? "" : ", expected " + expected));
  }
  [[noreturn, gnu::noinline, gnu::cold]] void too_deep(std::uint32_t offset, std::uint32_t length) {
    fail(offset, length,
         "expression nested too deeply (more than " + std::to_string(max_depth_) + " levels)");
  }
  [[gnu::noinline]] void expect_close(Tok kind, const Token& open) {
    if (cur().kind == kind) {
      advance();
      return;
    }
    if (cur().kind == Tok::end) {
      if (lex_error_) fail(lex_error_->offset, lex_error_->length, lex_error_->text);
      fail(open.offset, open.length,
           "unclosed " + token_text(open) + ": expected " + std::string(describe(kind)) +
               " before end of input");
    }
    unexpected(std::string(describe(kind)) + " to close " + token_text(open) + " at offset " +
               std::to_string(open.offset));
  }

  // ---- nodes --------------------------------------------------------------------

  [[gnu::noinline]] std::uint32_t add_node(Node n, const std::uint32_t* kids, std::size_t count) {
    n.first = static_cast<std::uint32_t>(ast_.children.size());
    n.count = static_cast<std::uint32_t>(count);
    std::size_t height = 1;
    for (std::size_t i = 0; i < count; ++i) {
      ast_.children.push_back(kids[i]);
      height = std::max<std::size_t>(height, heights_[kids[i]] + 1);
    }
    if (height > max_depth_) too_deep(n.tok_offset, n.tok_length);
    ast_.nodes.push_back(n);
    heights_.push_back(height);
    return static_cast<std::uint32_t>(ast_.nodes.size() - 1);
  }
  std::uint32_t add_node(Node n, std::initializer_list<std::uint32_t> kids) {
    return add_node(n, kids.begin(), kids.size());
  }
  Node make(Op op, std::uint32_t start, std::uint32_t end, const Token& tok) const {
    Node n;
    n.op = op;
    n.offset = start;
    n.length = end - start;
    n.tok_offset = tok.offset;
    n.tok_length = tok.length;
    return n;
  }
  std::uint32_t start_of(std::uint32_t node) const { return ast_.nodes[node].offset; }
  std::uint32_t end_of(std::uint32_t node) const {
    return ast_.nodes[node].offset + ast_.nodes[node].length;
  }

  std::uint32_t add_constant(const Val& v, const Token& tok) {
    ast_.constants.push_back(v);
    Node n = make(Op::constant, tok.offset, tok.offset + tok.length, tok);
    n.payload = static_cast<std::uint32_t>(ast_.constants.size() - 1);
    return add_node(n, {});
  }
  std::string_view store_string(std::string_view s) {
    char* p = ast_.arena.allocate_array<char>(s.size());
    if (p == nullptr) fail(0, 0, "expression literals exceed the memory limit");
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    return {p, s.size()};
  }

  // ---- grammar ------------------------------------------------------------------

  // expr = or_expr [ "?" expr ":" expr ]
  [[gnu::noinline]] std::uint32_t parse_expr() {
    DepthGuard guard(this);
    const std::uint32_t cond = parse_or();
    if (cur().kind != Tok::question) return cond;
    const Token& q = advance();
    const std::uint32_t then = parse_expr();
    if (cur().kind != Tok::colon)
      unexpected("':' of the conditional started by '?' at offset " + std::to_string(q.offset));
    advance();
    const std::uint32_t otherwise = parse_expr();
    return add_node(make(Op::cond, start_of(cond), end_of(otherwise), q), {cond, then, otherwise});
  }

  // or_expr = and_expr { "||" and_expr }   (one n-ary node per chain)
  std::uint32_t parse_or() { return parse_chain(Tok::or_, Op::or_, &Parser::parse_and); }
  // and_expr = in_expr { "&&" in_expr }
  std::uint32_t parse_and() { return parse_chain(Tok::and_, Op::and_, &Parser::parse_in); }

  [[gnu::noinline]] std::uint32_t parse_chain(Tok tok, Op op, std::uint32_t (Parser::*next)()) {
    const std::uint32_t first = (this->*next)();
    if (cur().kind != tok) return first;
    const Token& op_tok = cur();
    std::vector<std::uint32_t> operands{first};
    while (cur().kind == tok) {
      advance();
      operands.push_back((this->*next)());
    }
    return add_node(make(op, start_of(first), end_of(operands.back()), op_tok), operands.data(),
                    operands.size());
  }

  [[gnu::noinline]] std::uint32_t binary(Op op, const Token& tok, std::uint32_t left,
                                         std::uint32_t right) {
    return add_node(make(op, start_of(left), end_of(right), tok), {left, right});
  }

  // in_expr = eq_expr { "in" eq_expr }
  [[gnu::noinline]] std::uint32_t parse_in() {
    std::uint32_t left = parse_eq();
    while (cur().kind == Tok::kw_in) {
      const Token& tok = advance();
      left = binary(Op::in, tok, left, parse_eq());
    }
    return left;
  }

  // eq_expr = rel_expr { ("==" | "!=") rel_expr }
  [[gnu::noinline]] std::uint32_t parse_eq() {
    std::uint32_t left = parse_rel();
    while (cur().kind == Tok::eq || cur().kind == Tok::ne) {
      const Token& tok = advance();
      left = binary(tok.kind == Tok::eq ? Op::eq : Op::ne, tok, left, parse_rel());
    }
    return left;
  }

  // rel_expr = add_expr { ("<" | "<=" | ">" | ">=") add_expr }
  [[gnu::noinline]] std::uint32_t parse_rel() {
    std::uint32_t left = parse_add();
    while (true) {
      Op op = Op::lt;
      switch (cur().kind) {
        case Tok::lt:
          op = Op::lt;
          break;
        case Tok::le:
          op = Op::le;
          break;
        case Tok::gt:
          op = Op::gt;
          break;
        case Tok::ge:
          op = Op::ge;
          break;
        default:
          return left;
      }
      const Token& tok = advance();
      left = binary(op, tok, left, parse_add());
    }
  }

  // add_expr = mul_expr { ("+" | "-") mul_expr }
  [[gnu::noinline]] std::uint32_t parse_add() {
    std::uint32_t left = parse_mul();
    while (cur().kind == Tok::plus || cur().kind == Tok::minus) {
      const Token& tok = advance();
      left = binary(tok.kind == Tok::plus ? Op::add : Op::sub, tok, left, parse_mul());
    }
    return left;
  }

  // mul_expr = unary { ("*" | "/" | "%") unary }
  [[gnu::noinline]] std::uint32_t parse_mul() {
    std::uint32_t left = parse_unary();
    while (cur().kind == Tok::star || cur().kind == Tok::slash || cur().kind == Tok::percent) {
      const Token& tok = advance();
      const Op op = tok.kind == Tok::star ? Op::mul : tok.kind == Tok::slash ? Op::div : Op::mod;
      left = binary(op, tok, left, parse_unary());
    }
    return left;
  }

  // unary = ("!" | "-") unary | postfix
  [[gnu::noinline]] std::uint32_t parse_unary() {
    if (cur().kind != Tok::bang && cur().kind != Tok::minus) return parse_postfix();
    const Token& tok = advance();
    DepthGuard guard(this);
    const std::uint32_t operand = parse_unary();
    return add_node(
        make(tok.kind == Tok::bang ? Op::not_ : Op::neg, tok.offset, end_of(operand), tok),
        {operand});
  }

  // postfix = primary { "." name [ "(" args ")" ] | "[" expr "]" }
  [[gnu::noinline]] std::uint32_t parse_postfix() {
    Pending p = parse_primary();
    while (true) {
      if (cur().kind == Tok::dot) {
        advance();
        const Token& name = cur();
        const bool is_name = name.kind == Tok::ident || name.kind == Tok::kw_true ||
                             name.kind == Tok::kw_false || name.kind == Tok::kw_null ||
                             name.kind == Tok::kw_in;
        if (!is_name) unexpected("a field or function name after '.'");
        advance();
        if (cur().kind == Tok::lparen) {
          const std::uint32_t receiver = materialize(p);
          p = as_node(parse_call(name, receiver));
          continue;
        }
        Segment seg;
        seg.key = std::string(text(name));
        extend(&p, std::move(seg));
      } else if (cur().kind == Tok::lbracket) {
        const Token& open = advance();
        const std::uint32_t index = parse_expr();
        expect_close(Tok::rbracket, open);
        extend(&p, index_segment(index));
      } else {
        return materialize(p);
      }
    }
  }

  Segment index_segment(std::uint32_t index) {
    Segment seg;
    const Node& n = ast_.nodes[index];
    if (n.op == Op::constant) {
      const Val& v = ast_.constants[n.payload];
      if (v.kind == Kind::string) {
        seg.key = std::string(v.sv());
        return seg;
      }
      if (v.kind == Kind::number) {
        if (auto i = v.num.to_int64(); i && *i >= 0) {
          seg.kind = Segment::Kind::index;
          seg.index = *i;
          return seg;
        }
      }
    }
    seg.kind = Segment::Kind::dynamic;
    seg.node = index;
    return seg;
  }

  Pending as_node(std::uint32_t node) {
    Pending p;
    p.node = node;
    p.start = start_of(node);
    p.end = end_of(node);
    return p;
  }

  void extend(Pending* p, Segment seg) {
    if (!p->is_path) {
      p->is_path = true;
      p->path.root = Path::Root::value;
      p->path.node = p->node;
      p->path.start = p->start;
      p->path.root_end = p->end;
    }
    seg.end = last_end_;
    p->path.segments.push_back(std::move(seg));
    p->end = last_end_;
  }

  std::uint32_t materialize(Pending& p) {
    if (!p.is_path) return p.node;
    std::vector<std::uint32_t> kids;
    if (p.path.root == Path::Root::value) kids.push_back(p.path.node);
    for (const auto& seg : p.path.segments) {
      if (seg.kind == Segment::Kind::dynamic) kids.push_back(seg.node);
    }
    ast_.paths.push_back(std::move(p.path));
    Node n;
    n.op = Op::path;
    n.payload = static_cast<std::uint32_t>(ast_.paths.size() - 1);
    n.offset = p.start;
    n.length = p.end - p.start;
    n.tok_offset = p.start;
    n.tok_length = p.end - p.start;
    p = as_node(add_node(n, kids.data(), kids.size()));
    return p.node;
  }

  [[gnu::noinline]] Pending parse_primary() {
    const Token& tok = cur();
    switch (tok.kind) {
      case Tok::number: {
        advance();
        Decimal d;
        switch (Decimal::parse(text(tok), Decimal::Rounding::exact, &d)) {
          case Decimal::ParseStatus::ok:
            break;
          case Decimal::ParseStatus::too_precise:
            note(tok.offset, tok.length, "number literal has more than 18 fractional digits");
            break;
          default:
            note(tok.offset, tok.length, "number literal out of range (at most 38 digits)");
            break;
        }
        return as_node(add_constant(Val::number(d), tok));
      }
      case Tok::string:
        advance();
        return as_node(add_constant(Val::string(store_string(tok.text)), tok));
      case Tok::kw_true:
      case Tok::kw_false:
        advance();
        return as_node(add_constant(Val::boolean(tok.kind == Tok::kw_true), tok));
      case Tok::kw_null:
        advance();
        return as_node(add_constant(Val::null(), tok));
      case Tok::ident:
        advance();
        if (cur().kind == Tok::lparen) return as_node(parse_call(tok, kNoIndex));
        return identifier(tok);
      case Tok::lparen: {
        advance();
        const std::uint32_t inner = parse_expr();
        expect_close(Tok::rparen, tok);
        Node& n = ast_.nodes[inner];  // the span now includes the parentheses
        n.offset = tok.offset;
        n.length = last_end_ - tok.offset;
        return as_node(inner);
      }
      case Tok::lbracket:
        return as_node(parse_list());
      case Tok::lbrace:
        return as_node(parse_map());
      default:
        unexpected("");
    }
  }

  Pending identifier(const Token& tok) {
    const std::string_view name = text(tok);
    Pending p;
    p.is_path = true;
    p.start = tok.offset;
    p.end = tok.offset + tok.length;
    p.path.start = p.start;
    p.path.root_end = p.end;
    for (auto it = scope_.rbegin(); it != scope_.rend(); ++it) {
      if (it->first == name) {
        p.path.root = Path::Root::variable;
        p.path.slot = it->second;
        return p;
      }
    }
    if (name == "env") {
      p.path.root = Path::Root::env;
      return p;
    }
    p.path.root = Path::Root::data;
    p.path.root_end = p.start;  // the data object itself has no source text
    Segment seg;
    seg.key = std::string(name);
    seg.end = p.end;
    p.path.segments.push_back(std::move(seg));
    return p;
  }

  // list = "[" [ expr { "," expr } [ "," ] ] "]"
  [[gnu::noinline]] std::uint32_t parse_list() {
    const Token& open = advance();
    std::vector<std::uint32_t> items;
    while (cur().kind != Tok::rbracket) {
      items.push_back(parse_expr());
      if (cur().kind != Tok::comma) break;
      advance();
    }
    expect_close(Tok::rbracket, open);
    return add_node(make(Op::list, open.offset, last_end_, open), items.data(), items.size());
  }

  // map = "{" [ string ":" expr { "," string ":" expr } [ "," ] ] "}"
  [[gnu::noinline]] std::uint32_t parse_map() {
    const Token& open = advance();
    std::vector<std::uint32_t> values;
    std::vector<std::string> keys;
    while (cur().kind != Tok::rbrace) {
      const Token& key = cur();
      if (key.kind != Tok::string) unexpected("a string key in the map literal");
      advance();
      if (std::find(keys.begin(), keys.end(), key.text) != keys.end()) {
        note(key.offset, key.length, "duplicate key " + std::string(text(key)) + " in map literal");
      }
      keys.push_back(key.text);
      if (cur().kind != Tok::colon) unexpected("':' after the map key");
      advance();
      values.push_back(parse_expr());
      if (cur().kind != Tok::comma) break;
      advance();
    }
    expect_close(Tok::rbrace, open);
    ast_.map_keys.push_back(std::move(keys));
    Node n = make(Op::map, open.offset, last_end_, open);
    n.payload = static_cast<std::uint32_t>(ast_.map_keys.size() - 1);
    return add_node(n, values.data(), values.size());
  }

  // A call `name(args)` or, with a receiver, `receiver.name(args)` (== name(receiver,
  // args)) or a macro `receiver.map(x, body)`. The current token is "(".
  [[gnu::noinline]] std::uint32_t parse_call(const Token& name_tok, std::uint32_t receiver) {
    const std::string_view name = text(name_tok);
    const std::uint32_t start = receiver == kNoIndex ? name_tok.offset : start_of(receiver);
    if (receiver != kNoIndex) {
      if (auto macro = find_macro(name)) return parse_macro(*macro, name_tok, receiver);
    }
    const Token& open = advance();
    std::vector<std::uint32_t> args;
    if (receiver != kNoIndex) args.push_back(receiver);
    while (cur().kind != Tok::rparen) {
      args.push_back(parse_expr());
      if (cur().kind != Tok::comma) break;
      advance();
    }
    expect_close(Tok::rparen, open);
    Node n = make(Op::call, start, last_end_, name_tok);
    const FunctionInfo* info = find_function(name);
    if (info == nullptr) {
      unknown_function(name_tok, receiver != kNoIndex);
      n.payload = kNoIndex;
    } else {
      n.payload = static_cast<std::uint32_t>(info->id);
      check_arity(*info, name_tok, args.size());
      if (info->id == Fn::has && args.size() == 1 && ast_.nodes[args[0]].op != Op::path) {
        const Node& arg = ast_.nodes[args[0]];
        note(arg.offset, arg.length,
             "has() requires a field path such as has(invoice.po_number), got '" +
                 std::string(src_.substr(arg.offset, arg.length)) + "'");
      }
    }
    return add_node(n, args.data(), args.size());
  }

  [[gnu::noinline, gnu::cold]] void unknown_function(const Token& name_tok, bool method) {
    const std::string_view name = text(name_tok);
    std::string message = "unknown function '" + std::string(name) + "'";
    if (!method && find_macro(name)) {
      message += " (" + std::string(name) + "() is a macro: write list." + std::string(name) +
                 "(x, expression))";
    } else if (auto suggestion = suggest_name(name)) {
      message += " (did you mean '" + std::string(*suggestion) + "'?)";
    }
    note(name_tok.offset, name_tok.length, std::move(message));
  }

  [[gnu::noinline]] void check_arity(const FunctionInfo& info, const Token& name_tok,
                                     std::size_t count) {
    if (count >= info.min_args && (info.max_args == kVariadic || count <= info.max_args)) return;
    std::string expected;
    if (info.max_args == kVariadic) {
      expected = "at least " + std::to_string(info.min_args);
    } else if (info.min_args == info.max_args) {
      expected = std::to_string(info.min_args);
    } else {
      expected = std::to_string(info.min_args) + " or " + std::to_string(info.max_args);
    }
    note(name_tok.offset, name_tok.length,
         "wrong number of arguments to " + std::string(info.name) + "(): expected " + expected +
             ", got " + std::to_string(count) + " (usage: " + std::string(info.usage) + ")");
  }

  // receiver.map(x, body): binds x in body.
  [[gnu::noinline]] std::uint32_t parse_macro(MacroKind kind, const Token& name_tok,
                                              std::uint32_t receiver) {
    const Token& open = advance();
    const std::string usage = std::string(macro_name(kind)) + "(x, expression)";
    if (cur().kind != Tok::ident || peek().kind != Tok::comma) {
      fail(cur(), std::string(macro_name(kind)) +
                      "() expects a variable name and an expression, as in list." + usage);
    }
    const Token& var = advance();
    advance();  // ','
    if (text(var) == "env")
      fail(var.offset, var.length, "'env' is reserved and cannot be bound by a macro");
    if (scope_.size() >= kMaxVariables) {
      fail(name_tok.offset, name_tok.length,
           "macros nested too deeply (more than " + std::to_string(kMaxVariables) + ")");
    }
    const auto slot = static_cast<std::uint8_t>(scope_.size());
    scope_.emplace_back(std::string(text(var)), slot);
    ast_.variable_slots = std::max<std::uint8_t>(ast_.variable_slots, slot + 1);
    const std::uint32_t body = parse_expr();
    scope_.pop_back();
    if (cur().kind == Tok::comma) {
      fail(cur(), std::string(macro_name(kind)) + "() takes exactly 2 arguments: " + usage);
    }
    expect_close(Tok::rparen, open);
    Node n = make(Op::macro, start_of(receiver), last_end_, name_tok);
    n.aux = static_cast<std::uint8_t>(kind);
    n.slot = slot;
    return add_node(n, {receiver, body});
  }

  std::string_view src_;
  std::size_t max_depth_;
  Ast& ast_;
  std::vector<Diagnostic>& diags_;
  std::vector<Token> tokens_;
  std::optional<Token> lex_error_;
  std::size_t pos_ = 0;
  std::uint32_t last_end_ = 0;
  std::size_t depth_ = 0;
  std::vector<std::size_t> heights_;
  std::vector<std::pair<std::string, std::uint8_t>> scope_;
};

}  // namespace

bool parse(std::string_view source, const CompileOptions& options, Ast* ast,
           std::vector<Diagnostic>* diagnostics) {
  if (source.size() > options.max_source_bytes) {
    diagnostics->push_back(
        Diagnostic{static_cast<std::uint32_t>(options.max_source_bytes),
                   static_cast<std::uint32_t>(source.size() - options.max_source_bytes),
                   "expression is " + std::to_string(source.size()) + " bytes long; the limit is " +
                       std::to_string(options.max_source_bytes) + " bytes"});
    return false;
  }
  return Parser(source, options, ast, diagnostics).run();
}

}  // namespace ledgerflow::expr
