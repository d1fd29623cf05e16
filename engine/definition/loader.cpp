#include "engine/definition/loader.h"

#include <algorithm>
#include <regex>
#include <set>
#include <sstream>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>

#include "engine/definition/builder.h"
#include "engine/definition/names.h"

namespace ledgerflow::def {
namespace detail {
namespace {

// Every data root that a state writes: `output` anywhere, and the keys of `set` actions.
void collect_output_roots(const Node& n, std::vector<std::string>& roots) {
  auto root_of = [](const std::string& path) { return path.substr(0, path.find_first_of(".[")); };
  if (n.is_mapping()) {
    const Node* action = n.find("action");
    const Node* with = n.find("with");
    if (action && action->text == "set" && with && with->is_mapping()) {
      for (const auto& e : with->entries) roots.push_back(root_of(e.key));
    }
    for (const auto& e : n.entries) {
      if (e.key == "output" && e.value.is_string()) roots.push_back(root_of(e.value.text));
      collect_output_roots(e.value, roots);
    }
  }
  for (const auto& item : n.items) collect_output_roots(item, roots);
}

// Every state name in the document, nested flows included, before any is read, so a
// target in another flow can be told apart from a misspelt one.
void collect_state_names(const Node& flow, std::set<std::string, std::less<>>& names) {
  const Node* states = flow.find("states");
  if (!states || !states->is_mapping()) return;
  for (const auto& e : states->entries) {
    names.insert(e.key);
    if (const Node* branches = e.value.find("branches"); branches && branches->is_sequence()) {
      for (const auto& b : branches->items) collect_state_names(b, names);
    }
    if (const Node* it = e.value.find("iterator")) collect_state_names(*it, names);
  }
}

const std::set<std::string>& json_schema_types() {
  static const std::set<std::string> types{"null",   "boolean", "object", "array",
                                           "number", "integer", "string"};
  return types;
}

constexpr std::size_t kMaxPatternBytes = 1000;

// valijson accepts some malformed schemas silently; check the keywords users get wrong.
void check_schema_types(const nlohmann::json& schema, const std::string& at,
                        std::vector<std::string>& errors) {
  if (!schema.is_object()) return;
  for (auto it = schema.begin(); it != schema.end(); ++it) {
    const std::string& key = it.key();
    const auto& v = it.value();
    if (key == "type") {
      auto check_one = [&](const nlohmann::json& t) {
        if (!t.is_string() || !json_schema_types().count(t.get<std::string>()))
          errors.push_back(at + "/type: '" + t.dump() + "' is not a JSON Schema type");
      };
      if (v.is_array()) {
        for (const auto& t : v) check_one(t);
      } else {
        check_one(v);
      }
    } else if (key == "required") {
      if (!v.is_array() ||
          std::any_of(v.begin(), v.end(), [](const auto& x) { return !x.is_string(); }))
        errors.push_back(at + "/required: must be a list of property names");
    } else if (key == "properties" || key == "patternProperties" || key == "definitions") {
      if (!v.is_object()) {
        errors.push_back(at + "/" + key + ": must be an object");
      } else {
        for (auto p = v.begin(); p != v.end(); ++p)
          check_schema_types(p.value(), at + "/" + key + "/" + p.key(), errors);
      }
    } else if (key == "items" || key == "additionalProperties" || key == "not") {
      if (v.is_object()) check_schema_types(v, at + "/" + key, errors);
      if (v.is_array()) {
        for (std::size_t i = 0; i < v.size(); ++i)
          check_schema_types(v[i], at + "/" + key + "/" + std::to_string(i), errors);
      }
    } else if (key == "allOf" || key == "anyOf" || key == "oneOf") {
      if (!v.is_array()) {
        errors.push_back(at + "/" + key + ": must be a list of schemas");
      } else {
        for (std::size_t i = 0; i < v.size(); ++i)
          check_schema_types(v[i], at + "/" + key + "/" + std::to_string(i), errors);
      }
    } else if ((key == "minimum" || key == "maximum" || key == "exclusiveMinimum" ||
                key == "exclusiveMaximum" || key == "multipleOf") &&
               !v.is_number()) {
      errors.push_back(at + "/" + key + ": must be a number");
    } else if ((key == "minLength" || key == "maxLength" || key == "minItems" ||
                key == "maxItems" || key == "minProperties" || key == "maxProperties") &&
               !(v.is_number_unsigned())) {
      errors.push_back(at + "/" + key + ": must be a non-negative integer");
    } else if (key == "enum" && !v.is_array()) {
      errors.push_back(at + "/enum: must be a list");
    } else if (key == "pattern") {
      if (!v.is_string()) {
        errors.push_back(at + "/pattern: must be a string");
      } else if (v.get_ref<const std::string&>().size() > kMaxPatternBytes) {
        // std::regex compiles by recursive descent: the pattern itself is bounded.
        errors.push_back(at + "/pattern: longer than " + std::to_string(kMaxPatternBytes) +
                         " bytes (the limit)");
      } else {
        try {
          std::regex re(v.get<std::string>(), std::regex::ECMAScript);
        } catch (const std::regex_error&) {
          errors.push_back(at + "/pattern: '" + v.get<std::string>() +
                           "' is not a valid regular expression");
        }
      }
    }
  }
}

}  // namespace

Permission Builder::read_permission(const Node& n, std::string_view what) {
  Permission p;
  if (!expect(n, Node::Kind::mapping, what)) return p;
  static constexpr Field kFields[] = {{"roles"}, {"users"}, {"creator"}};
  check_keys(n, kFields, what);
  p.roles = read_string_list(n, "roles");
  p.users = read_string_list(n, "users");
  if (const Node* c = n.find("creator")) {
    if (c->kind == Node::Kind::boolean) {
      p.creator = c->text == "true";
    } else {
      report(c->loc, std::string(what) + ": 'creator' must be true or false");
    }
  }
  if (p.roles.empty() && p.users.empty() && !p.creator) {
    report(n.loc, std::string(what) +
                      " allows nobody: give 'roles', 'users' or 'creator: true' (a signal the "
                      "engine alone sends needs no entry)");
  }
  return p;
}

void Builder::read_permissions(const Node& n, Definition& d) {
  if (!expect(n, Node::Kind::mapping, "'permissions'")) return;
  static constexpr Field kFields[] = {{"start"}, {"signals"}, {"read"}};
  check_keys(n, kFields, "'permissions'");
  if (const Node* r = n.find("read")) d.permissions.read = read_permission(*r, "'permissions.read'");
  if (const Node* s = n.find("start")) d.permissions.start = read_permission(*s, "'permissions.start'");
  if (const Node* sig = n.find("signals");
      sig && expect(*sig, Node::Kind::mapping, "'permissions.signals'")) {
    for (const auto& e : sig->entries) {
      if (!is_signal_name(e.key)) {
        report(e.key_loc, "'" + e.key + "' is not a signal name (letters, digits, '_', '.', '-')");
        continue;
      }
      d.permissions.signals[e.key] =
          read_permission(e.value, "'permissions.signals." + e.key + "'");
    }
  }
}

void Builder::read_input(const Node& n, Definition& d) {
  if (!expect(n, Node::Kind::mapping, "'input'")) return;
  static constexpr Field kFields[] = {{"schema", true}};
  check_keys(n, kFields, "'input'");
  const Node* schema = n.find("schema");
  if (!schema) return;
  if (!schema->is_mapping() && !schema->is_bool()) {
    report(schema->loc, "'input.schema' must be a JSON Schema (a mapping), got " +
                            std::string(Node::describe(schema->kind)));
    return;
  }
  nlohmann::json j = schema->to_json();
  std::vector<std::string> errors;
  check_schema_types(j, "#", errors);
  auto parsed = std::make_shared<valijson::Schema>();
  if (errors.empty()) {
    try {
      valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
      valijson::adapters::NlohmannJsonAdapter adapter(j);
      parser.populateSchema(adapter, *parsed);
    } catch (const std::exception& e) {
      errors.push_back(e.what());
    }
  }
  for (const auto& e : errors)
    report(schema->loc, "'input.schema' is not a valid JSON Schema: " + e);
  if (errors.empty()) {
    d.input_schema = std::move(j);
    d.compiled_input_schema = std::move(parsed);
    d.input_schema_uses_regex = schema_uses_regex(d.input_schema);
    input_schema_ = d.input_schema;
  }
}

Flow Builder::read_flow(const Node& flow_node, std::string_view what) {
  Flow flow;
  if (!expect(flow_node, Node::Kind::mapping,
              std::string(what) + " (a flow with 'start' and 'states')"))
    return flow;
  static constexpr Field kFields[] = {{"start", true}, {"states", true}};
  check_keys(flow_node, kFields, std::string(what));
  read_flow_states(flow_node, flow);
  return flow;
}

void Builder::read_flow_states(const Node& flow_node, Flow& flow) {
  FlowInfo info;
  info.node = &flow_node;
  flow_stack_.push_back(&info);
  const std::string owner = state_;
  if (const Node* start = flow_node.find("start");
      start && expect(*start, Node::Kind::string, "'start'")) {
    flow.start = start->text;
    info.start_loc = start->loc;
  }
  const Node* states = flow_node.find("states");
  if (states && expect(*states, Node::Kind::mapping, "'states'")) {
    if (states->entries.empty()) report(states->loc, "'states' needs at least one state");
    for (const auto& e : states->entries) {
      state_ = e.key;
      if (++state_count_ > options_.max_states && !too_many_states_reported_) {
        too_many_states_reported_ = true;
        report(e.key_loc, "the definition has more than " + std::to_string(options_.max_states) +
                              " states (the limit)");
      }
      if (too_many_states_reported_) continue;
      if (e.key.size() > 128 || !is_state_name(e.key)) {
        report(e.key_loc,
               "state names are letters, digits, '_' and '-' (starting with a letter or '_', at "
               "most 128)");
      }
      auto [it, inserted] = state_names_.emplace(e.key, e.key_loc);
      if (!inserted) {
        report(e.key_loc, "state name is already used at line " + std::to_string(it->second.line) +
                              " (names are unique in the whole definition)");
      }
      auto s = read_state(e.key, e.key_loc, e.value);
      if (s) {
        flow.states.push_back(std::move(*s));
      } else {
        info.unknown_type_states.push_back(e.key);
      }
    }
  }
  state_ = owner;
  if (!too_many_states_reported_) check_flow_graph(flow, info);
  flow_stack_.pop_back();
}

Definition Builder::build(const Node& root) {
  Definition d;
  root_ = &root;
  static constexpr Field kTop[] = {{"workflow", true}, {"version"},     {"title"},
                                   {"description"},    {"input"},       {"sensitive"},
                                   {"timeout"},        {"start", true}, {"states", true},
                                   {"permissions"}};
  check_keys(root, kTop, "the definition");
  collect_output_roots(root, output_roots_);
  collect_state_names(root, all_state_names_);
  if (auto name = read_string(root, "workflow")) {
    if (name->size() > 64 || !is_workflow_name(*name)) {
      report(root.find("workflow")->loc,
             "'workflow' must be a name of lower-case letters, digits and '_' "
             "(starting with a letter, at most 64), got '" +
                 *name + "'");
    }
    d.name = *name;
  }
  d.version = read_int(root, "version", 1, 1000000);
  d.title = read_string(root, "title").value_or("");
  d.description = read_string(root, "description").value_or("");
  if (const Node* in = root.find("input")) read_input(*in, d);
  if (root.find("sensitive")) {
    d.sensitive = read_string_list(root, "sensitive");
    for (const auto& item : root.find("sensitive")->items) {
      if (item.is_string() && !is_data_path(item.text))
        report(item.loc, "'" + item.text + "' is not a data path (e.g. invoice.vendor_iban)");
    }
  }
  if (root.find("timeout")) d.timeout = read_duration(root, "timeout");
  if (const Node* p = root.find("permissions")) read_permissions(*p, d);
  read_flow_states(root, d.flow);
  d.canonical = root.to_json();
  return d;
}

}  // namespace detail

LoadResult load_definition(std::string_view text, const LoadOptions& options) {
  LoadResult result;
  ParseResult parsed = parse_document(text, options.format, options.parse);
  if (!parsed.root) {
    result.problems = std::move(parsed.problems);
    sort_problems(result.problems);
    return result;
  }
  std::vector<Problem> problems;
  detail::Builder builder(options, problems);
  Definition d = builder.build(*parsed.root);
  if (!problems.empty()) {
    result.problems = std::move(problems);
    sort_problems(result.problems);
    return result;
  }
  result.definition = std::make_shared<const Definition>(std::move(d));
  return result;
}

}  // namespace ledgerflow::def
