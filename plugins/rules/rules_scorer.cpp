#include "plugins/rules/rules_scorer.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <map>
#include <optional>
#include <regex>
#include <set>

#include "engine/definition/document_parser.h"
#include "engine/definition/problem.h"
#include "engine/io/file.h"

namespace ledgerflow::plugins {
namespace {

using def::Location;
using def::Node;

constexpr std::size_t kMaxModelBytes = 4u << 20;
constexpr std::size_t kMaxRules = 10'000;
constexpr std::size_t kMaxFeatures = 10'000;

// Builds located errors: "source:line:column: field: message".
class Reader {
 public:
  explicit Reader(const std::string& source) : source_(source) {}

  Error fail(Location loc, const std::string& field, const std::string& message) const {
    def::Problem p{loc, "", (field.empty() ? "" : field + ": ") + message};
    return Error::invalid(def::format_problem(source_, p));
  }

  Result<void> only_keys(const Node& obj, const std::string& where,
                         std::initializer_list<std::string_view> allowed) const {
    for (const auto& e : obj.entries) {
      bool known = false;
      for (auto a : allowed) known = known || e.key == a;
      if (known) continue;
      std::string hint = def::did_you_mean(e.key, std::vector<std::string_view>(allowed));
      if (!hint.empty()) hint = " (did you mean '" + hint + "'?)";
      return fail(e.key_loc, where.empty() ? e.key : where + "." + e.key, "unknown field" + hint);
    }
    return {};
  }

  Result<std::string> string(const Node& n, const std::string& field) const {
    if (!n.is_string()) return fail(n.loc, field, "expected a string, got " + what(n));
    if (n.text.empty()) return fail(n.loc, field, "must not be empty");
    return n.text;
  }

  // A score: a finite number in [0, 1].
  Result<double> score(const Node& n, const std::string& field) const {
    if (!n.is_number()) return fail(n.loc, field, "expected a number in [0, 1], got " + what(n));
    errno = 0;
    char* end = nullptr;
    const double v = std::strtod(n.text.c_str(), &end);
    if (errno == ERANGE || !std::isfinite(v) || end != n.text.c_str() + n.text.size()) {
      return fail(n.loc, field, "expected a finite number, got " + n.text);
    }
    if (v < 0 || v > 1) return fail(n.loc, field, "a score lies in [0, 1], got " + n.text);
    return v;
  }

  static std::string what(const Node& n) {
    if (n.is_string()) return "the string \"" + n.text.substr(0, 40) + "\"";
    if (n.is_number() || n.is_bool()) return n.text;
    return std::string(Node::describe(n.kind));
  }

 private:
  const std::string& source_;
};

// Where byte `offset` of a string scalar lies (exact for one-line strings without escapes).
Location locate_in_string(const Node& n, std::size_t offset) {
  Location loc = n.loc;
  if (n.text.find('\n') != std::string::npos) return loc;
  loc.column += static_cast<std::uint32_t>(offset) + (n.quote == 1 ? 1 : 0);
  return loc;
}

bool is_identifier(const std::string& s) {
  static const std::regex re("[A-Za-z_][A-Za-z0-9_]*");
  static const std::set<std::string> reserved = {"true", "false", "null", "in", "env"};
  return s.size() <= 128 && std::regex_match(s, re) && !reserved.count(s);
}

Result<std::vector<std::string>> read_features(const Reader& r, const Node& root) {
  const auto* e = root.find_entry("features");
  if (!e) return r.fail(root.loc, "features", "missing; expected a list of feature names");
  const Node& list = e->value;
  if (!list.is_sequence())
    return r.fail(list.loc, "features", "expected a list, got " + Reader::what(list));
  if (list.items.empty()) return r.fail(list.loc, "features", "must list at least one feature");
  if (list.items.size() > kMaxFeatures) {
    return r.fail(list.loc, "features", "more than " + std::to_string(kMaxFeatures) + " features");
  }
  std::vector<std::string> out;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    const std::string field = "features[" + std::to_string(i) + "]";
    auto name = r.string(list.items[i], field);
    if (!name) return name.error();
    if (!is_identifier(*name)) {
      return r.fail(list.items[i].loc, field,
                    "'" + *name +
                        "' is not a feature name usable in a condition "
                        "([A-Za-z_][A-Za-z0-9_]*, not true/false/null/in/env)");
    }
    auto [pos, fresh] = seen.emplace(*name, i);
    if (!fresh) {
      return r.fail(
          list.items[i].loc, field,
          "duplicate feature '" + *name + "' (also features[" + std::to_string(pos->second) + "])");
    }
    out.push_back(*name);
  }
  return out;
}

// Compiles a rule's condition: syntax and types, and every name it reads must be a feature.
Result<expr::Program> compile_when(const Reader& r, const Node& n, const std::string& field,
                                   const std::vector<std::string>& features) {
  auto source = r.string(n, field);
  if (!source) return source.error();
  std::set<std::string> known(features.begin(), features.end());
  expr::CompileOptions options;
  options.path_type = [&known](std::span<const std::string> path) {
    return path.size() == 1 && known.count(path[0]) ? expr::Type::number : expr::Type::dyn;
  };
  auto compiled = expr::Program::compile(*source, options);
  if (auto* diags = std::get_if<std::vector<expr::Diagnostic>>(&compiled)) {
    const auto& d = diags->front();
    return r.fail(locate_in_string(n, d.offset), field,
                  "in condition '" + *source + "': " + d.message);
  }
  auto& program = std::get<expr::Program>(compiled);
  for (const auto& path : program.paths()) {
    const std::size_t at = source->find(path[0]);
    const Location loc = locate_in_string(n, at == std::string::npos ? 0 : at);
    if (!known.count(path[0])) {
      std::vector<std::string_view> names(features.begin(), features.end());
      std::string hint = def::did_you_mean(path[0], names);
      return r.fail(loc, field,
                    "in condition '" + *source + "': unknown feature '" + path[0] + "'" +
                        (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
    }
    if (path.size() > 1) {
      return r.fail(loc, field,
                    "in condition '" + *source + "': feature '" + path[0] +
                        "' is a number; it has no fields or items");
    }
  }
  if (program.type() != expr::Type::boolean && program.type() != expr::Type::dyn) {
    return r.fail(n.loc, field,
                  "condition '" + *source + "' gives a " +
                      std::string(expr::to_string(program.type())) + ", not a boolean");
  }
  return program;
}

Result<RulesScorer::Rule> read_rule(const Reader& r, const Node& n, const std::string& where,
                                    const std::vector<std::string>& features) {
  if (!n.is_mapping()) return r.fail(n.loc, where, "expected an object, got " + Reader::what(n));
  if (auto ok = r.only_keys(n, where, {"when", "score", "reason"}); !ok) return ok.error();
  const Node* when = n.find("when");
  const Node* score = n.find("score");
  const Node* reason = n.find("reason");
  if (!when) return r.fail(n.loc, where + ".when", "missing; expected a condition");
  if (!score) return r.fail(n.loc, where + ".score", "missing; expected a number in [0, 1]");
  if (!reason) return r.fail(n.loc, where + ".reason", "missing; expected a string");
  auto program = compile_when(r, *when, where + ".when", features);
  if (!program) return program.error();
  auto s = r.score(*score, where + ".score");
  if (!s) return s.error();
  auto why = r.string(*reason, where + ".reason");
  if (!why) return why.error();
  return RulesScorer::Rule{std::move(*program), *s, std::move(*why)};
}

Result<void> check_identity(const Reader& r, const Node& root, const char* key,
                            const std::string& expected) {
  const auto* e = root.find_entry(key);
  if (!e) return {};
  auto v = r.string(e->value, key);
  if (!v) return v.error();
  if (*v != expected) {
    return r.fail(e->value.loc, key,
                  "the file says '" + *v + "' but the registry holds it as '" + expected + "'");
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<RulesScorer>> RulesScorer::load(const std::string& path,
                                                       const std::string& name,
                                                       const std::string& version) {
  auto text = io::read_file(path, kMaxModelBytes, "a model");
  if (!text) return text.error();
  return from_text(*text, path, name, version);
}

Result<std::unique_ptr<RulesScorer>> RulesScorer::from_text(std::string_view text,
                                                            const std::string& source,
                                                            const std::string& name,
                                                            const std::string& version) {
  def::ParseLimits limits;
  limits.max_bytes = kMaxModelBytes;
  auto parsed = def::parse_document(text, def::Format::json, limits);
  if (!parsed.problems.empty()) {
    return Error::invalid(def::format_problem(source, parsed.problems.front()));
  }
  const Node& root = *parsed.root;
  Reader r(source);
  if (!root.is_mapping()) {
    return r.fail(root.loc, "", "a model file is a JSON object, got " + Reader::what(root));
  }
  const Node* format = root.find("format");
  if (!format || !format->is_string() || format->text != kRulesModelFormat) {
    return r.fail(format ? format->loc : root.loc, "format",
                  "expected \"" + std::string(kRulesModelFormat) + "\"");
  }
  if (auto ok = r.only_keys(root, "",
                            {"format", "name", "version", "description", "features", "hit", "rules",
                             "default", "metadata"});
      !ok) {
    return ok.error();
  }
  if (auto ok = check_identity(r, root, "name", name); !ok) return ok.error();
  if (auto ok = check_identity(r, root, "version", version); !ok) return ok.error();
  std::unique_ptr<RulesScorer> m(new RulesScorer());
  auto features = read_features(r, root);
  if (!features) return features.error();
  if (const Node* hit = root.find("hit")) {
    auto h = r.string(*hit, "hit");
    if (!h) return h.error();
    if (*h != "first" && *h != "max") {
      return r.fail(hit->loc, "hit", "expected \"first\" or \"max\", got \"" + *h + "\"");
    }
    m->hit_ = *h == "max" ? Hit::max : Hit::first;
  }
  const auto* rules = root.find_entry("rules");
  if (!rules) return r.fail(root.loc, "rules", "missing; expected a list of rules");
  if (!rules->value.is_sequence()) {
    return r.fail(rules->value.loc, "rules", "expected a list, got " + Reader::what(rules->value));
  }
  if (rules->value.items.size() > kMaxRules) {
    return r.fail(rules->value.loc, "rules", "more than " + std::to_string(kMaxRules) + " rules");
  }
  for (std::size_t i = 0; i < rules->value.items.size(); ++i) {
    auto rule = read_rule(r, rules->value.items[i], "rules[" + std::to_string(i) + "]", *features);
    if (!rule) return rule.error();
    m->rules_.push_back(std::move(*rule));
  }
  const Node* fallback = root.find("default");
  if (!fallback) {
    return r.fail(root.loc, "default",
                  "missing; expected {\"score\": ..., \"reason\": ...} for when no rule holds");
  }
  if (!fallback->is_mapping()) {
    return r.fail(fallback->loc, "default", "expected an object, got " + Reader::what(*fallback));
  }
  if (auto ok = r.only_keys(*fallback, "default", {"score", "reason"}); !ok) return ok.error();
  const Node* ds = fallback->find("score");
  const Node* dr = fallback->find("reason");
  if (!ds) return r.fail(fallback->loc, "default.score", "missing; expected a number in [0, 1]");
  if (!dr) return r.fail(fallback->loc, "default.reason", "missing; expected a string");
  auto dscore = r.score(*ds, "default.score");
  if (!dscore) return dscore.error();
  auto dreason = r.string(*dr, "default.reason");
  if (!dreason) return dreason.error();
  m->default_score_ = *dscore;
  m->default_reason_ = *dreason;
  m->info_ = scoring::ModelInfo{name, version, "rules", "binary:logistic", std::move(*features)};
  return m;
}

Result<scoring::ScoreResult> RulesScorer::score(std::span<const double> features,
                                                std::size_t /*explain_top_k*/) const {
  const auto& names = info_.features;
  if (features.size() != names.size()) {
    return Error::invalid("rules model '" + info_.name + "' expects " +
                          std::to_string(names.size()) + " features, got " +
                          std::to_string(features.size()));
  }
  nlohmann::json data = nlohmann::json::object();
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (std::isinf(features[i])) {
      return Error::invalid("feature '" + names[i] + "' is infinite");
    }
    data[names[i]] = std::isnan(features[i]) ? nlohmann::json() : nlohmann::json(features[i]);
  }
  const expr::EvalContext context;
  std::optional<std::size_t> chosen;
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    auto v = rules_[i].when.evaluate(data, context);
    if (!v) {
      return Error::invalid("rules[" + std::to_string(i) + "] ('" +
                            std::string(rules_[i].when.source()) + "'): " + v.error().message);
    }
    if (v->kind() != expr::Kind::boolean) {
      return Error::invalid("rules[" + std::to_string(i) + "] ('" +
                            std::string(rules_[i].when.source()) + "') is not a boolean");
    }
    if (!v->as_bool()) continue;
    if (!chosen || rules_[i].score > rules_[*chosen].score) chosen = i;
    if (hit_ == Hit::first) break;
  }
  scoring::ScoreResult out;
  if (chosen) {
    const Rule& rule = rules_[*chosen];
    out.score = rule.score;
    out.label = rule.reason;
    out.explanation = "rules[" + std::to_string(*chosen) + "]: " + std::string(rule.when.source());
  } else {
    out.score = default_score_;
    out.label = default_reason_;
    out.explanation = "default";
  }
  out.probability = out.score;
  return out;
}

}  // namespace ledgerflow::plugins
