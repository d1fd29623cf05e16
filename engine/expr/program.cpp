#include "engine/expr/program.h"

#include <algorithm>

#include "engine/expr/ast.h"
#include "engine/expr/checker.h"
#include "engine/expr/evaluator.h"
#include "engine/expr/parser.h"

namespace ledgerflow::expr {

struct Program::Impl {
  std::string source;
  Ast ast;
  std::vector<std::vector<std::string>> paths;
};

namespace {

// Evaluates, once, every sub-expression that depends on nothing but literals (no data,
// no env, no now(), no macro variable), e.g. ["DE", "AT"] or date("2026-01-01"), so
// evaluations only copy the result. A sub-expression that fails (1 / 0) is left alone:
// it fails the same way at evaluation time.
void fold_constants(Ast* ast, std::string_view source) {
  const nlohmann::json no_data;
  const EvalContext no_context{};
  std::vector<bool> is_constant(ast->nodes.size(), false);
  for (std::uint32_t i = 0; i < ast->nodes.size(); ++i) {
    Node& n = ast->nodes[i];
    bool constant = n.op == Op::constant;
    if (n.op != Op::constant && n.op != Op::path && n.op != Op::macro) {
      constant =
          !(n.op == Op::call && (n.payload == kNoIndex || static_cast<Fn>(n.payload) == Fn::now ||
                                 static_cast<Fn>(n.payload) == Fn::has));
      for (std::uint32_t k = 0; k < n.count && constant; ++k)
        constant = is_constant[ast->child(n, k)];
      if (constant) {
        Evaluator ev(*ast, source, no_data, no_context, &ast->arena);
        Val v;
        if (ev.eval(i, &v)) {
          ast->constants.push_back(v);
          n.op = Op::constant;
          n.payload = static_cast<std::uint32_t>(ast->constants.size() - 1);
        } else {
          constant = false;
        }
      }
    }
    is_constant[i] = constant;
  }
}

// Gives paths that start with the same top-level data field a shared slot in the
// evaluator's root cache, so `invoice` is looked up once per evaluation in
// `invoice.a > 1 && invoice.b < 2`.
void assign_root_slots(Ast* ast) {
  std::vector<std::string_view> names;
  for (auto& path : ast->paths) {
    if (path.root != Path::Root::data) continue;
    const std::string_view name = path.segments.front().key;
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      if (names.size() == kRootCacheSize) continue;
      it = names.insert(names.end(), name);
    }
    path.root_slot = static_cast<std::uint8_t>(it - names.begin());
  }
}

// Data paths read, in source order, cut at the first dynamic index.
std::vector<std::vector<std::string>> data_paths(const Ast& ast) {
  std::vector<const Path*> sorted;
  for (const auto& path : ast.paths) {
    if (path.root == Path::Root::data) sorted.push_back(&path);
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Path* a, const Path* b) { return a->start < b->start; });
  std::vector<std::vector<std::string>> out;
  for (const Path* path : sorted) {
    std::vector<std::string> names;
    for (const auto& seg : path->segments) {
      if (seg.kind == Segment::Kind::dynamic) break;
      names.push_back(seg.kind == Segment::Kind::field ? seg.key : std::to_string(seg.index));
    }
    if (std::find(out.begin(), out.end(), names) == out.end()) out.push_back(std::move(names));
  }
  return out;
}

}  // namespace

std::string_view to_string(Type type) {
  switch (type) {
    case Type::dyn:
      return "dyn";
    case Type::null:
      return "null";
    case Type::boolean:
      return "bool";
    case Type::number:
      return "number";
    case Type::string:
      return "string";
    case Type::list:
      return "list";
    case Type::map:
      return "map";
    case Type::timestamp:
      return "timestamp";
  }
  return "unknown";
}

std::variant<Program, std::vector<Diagnostic>> Program::compile(std::string_view source,
                                                                const CompileOptions& options) {
  auto impl = std::make_shared<Impl>();  // built in place: constants point into it
  impl->source = std::string(source);
  std::vector<Diagnostic> diagnostics;
  if (parse(impl->source, options, &impl->ast, &diagnostics)) {
    check(impl->source, options, &impl->ast, &diagnostics);
  }
  if (!diagnostics.empty()) {
    std::stable_sort(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.offset < b.offset; });
    return diagnostics;
  }
  fold_constants(&impl->ast, impl->source);
  assign_root_slots(&impl->ast);
  impl->paths = data_paths(impl->ast);
  return Program(std::move(impl));
}

Type Program::type() const {
  return impl_->ast.nodes[impl_->ast.root].type;
}

std::string_view Program::source() const {
  return impl_->source;
}

const std::vector<std::vector<std::string>>& Program::paths() const {
  return impl_->paths;
}

Result<Value> Program::evaluate(const nlohmann::json& data, const EvalContext& context) const {
  // Computed values of one evaluation start on the stack; see Arena.
  alignas(std::max_align_t) std::byte buffer[2048];
  Arena arena(buffer);
  Evaluator evaluator(impl_->ast, impl_->source, data, context, &arena);
  Val result;
  if (!evaluator.eval(impl_->ast.root, &result)) return Error::invalid(evaluator.error());
  Value out;
  if (const auto status = to_value(result, &out); status != ConvertStatus::ok) {
    const Node& root = impl_->ast.nodes[impl_->ast.root];
    evaluator.fail(
        root, status == ConvertStatus::too_deep
                  ? "the result nests more than " + std::to_string(kMaxValueDepth) + " levels deep"
                  : "the result contains a data number out of the decimal range");
    return Error::invalid(evaluator.error());
  }
  return out;
}

}  // namespace ledgerflow::expr
