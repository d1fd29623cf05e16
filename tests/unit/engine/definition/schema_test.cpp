// The JSON Schema of the workflow language (workflows/schema/workflow.schema.json) is for
// editors; the engine's validator is the authority. These tests keep the two from
// drifting: the schema is itself a valid draft-07 schema that valijson can load, every
// shipped workflow satisfies it, and definitions docs/dsl.md forbids are refused by it.
//
// YAML is turned into JSON by a small converter here rather than by the engine's loader,
// so the schema is checked the way an editor sees the file: plain scalars resolve by the
// YAML 1.2 core schema (numbers, booleans, null), quoted scalars stay strings, merge keys
// (<<) are applied. yaml-cpp 0.7 does neither resolution nor merging itself.
//
// valijson reports a schema it cannot load by throwing only when VALIJSON_USE_EXCEPTIONS
// is set; otherwise it prints the reason and aborts. The macro is deliberately not
// defined here: lf_engine includes valijson without it, and inline functions must be
// defined the same way in every translation unit of one binary.
#include <yaml-cpp/yaml.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSourceDir = LF_SOURCE_DIR;
const fs::path kSchemaPath = kSourceDir / "workflows" / "schema" / "workflow.schema.json";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// --- YAML -> JSON ------------------------------------------------------------------

// A plain (unquoted) scalar resolved by the YAML 1.2 core schema. Unlike YAML 1.1,
// `on`, `yes` and `no` stay strings, which matters for approval `on:`.
json plain_scalar(const std::string& s) {
  static const std::regex kNull("null|Null|NULL|~");
  static const std::regex kBool("true|True|TRUE|false|False|FALSE");
  static const std::regex kInt("[-+]?[0-9]+");
  static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s.empty() || std::regex_match(s, kNull)) return nullptr;
  if (std::regex_match(s, kBool)) return s[0] == 't' || s[0] == 'T';
  if (std::regex_match(s, kInt)) {
    const char* first = s.data() + (s[0] == '+' ? 1 : 0);
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(first, s.data() + s.size(), value);
    if (ec == std::errc() && end == s.data() + s.size()) return value;
  }
  if (std::regex_match(s, kFloat)) return std::stod(s);
  return s;
}

json yaml_to_json(const YAML::Node& node);

// Keys written in the mapping win over keys merged in with `<<`, and earlier merge
// sources win over later ones, as the YAML merge-key spec says.
void merge_into(json& target, const YAML::Node& source) {
  if (source.IsSequence()) {
    for (const auto& item : source) merge_into(target, item);
    return;
  }
  REQUIRE(source.IsMap());
  const json merged = yaml_to_json(source);
  for (const auto& [key, value] : merged.items()) {
    if (!target.contains(key)) target[key] = value;
  }
}

json yaml_map_to_json(const YAML::Node& node) {
  json object = json::object();
  std::vector<YAML::Node> merges;
  for (const auto& entry : node) {
    const std::string key = entry.first.Scalar();
    if (key == "<<" && entry.first.Tag() == "?") {
      merges.push_back(entry.second);
    } else {
      object[key] = yaml_to_json(entry.second);
    }
  }
  for (const auto& source : merges) merge_into(object, source);
  return object;
}

json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return yaml_map_to_json(node);
    case YAML::NodeType::Sequence: {
      json array = json::array();
      for (const auto& item : node) array.push_back(yaml_to_json(item));
      return array;
    }
    case YAML::NodeType::Scalar:
      // "?" = plain; "!" = quoted; anything else is an explicit tag such as !!str.
      return node.Tag() == "?" ? plain_scalar(node.Scalar()) : json(node.Scalar());
    default:
      return nullptr;
  }
}

json yaml_text_to_json(const std::string& text) {
  return yaml_to_json(YAML::Load(text));
}

// --- the schema --------------------------------------------------------------------

// Parsed once: the document stays alive next to the schema built from it.
struct LoadedSchema {
  json document;
  valijson::Schema schema;
};

const valijson::Schema& workflow_schema() {
  static const std::unique_ptr<LoadedSchema> loaded = [] {
    auto l = std::make_unique<LoadedSchema>();
    l->document = json::parse(read_text(kSchemaPath));
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    valijson::adapters::NlohmannJsonAdapter adapter(l->document);
    parser.populateSchema(adapter, l->schema);
    return l;
  }();
  return loaded->schema;
}

std::string format_error(const valijson::ValidationResults::Error& error) {
  std::string path;
  for (const auto& part : error.context) path += part;
  return path + ": " + error.description;
}

// Every error valijson reports, one "<root>[states][x]: message" line each.
std::vector<std::string> schema_errors(const json& document) {
  valijson::Validator validator;
  valijson::ValidationResults results;
  valijson::adapters::NlohmannJsonAdapter adapter(document);
  validator.validate(workflow_schema(), adapter, &results);
  std::vector<std::string> errors;
  for (const auto& error : results) errors.push_back(format_error(error));
  return errors;
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

bool mentions(const std::vector<std::string>& errors, const std::string& fragment) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const std::string& e) { return e.find(fragment) != std::string::npos; });
}

// The draft-07 meta-schema (json-schema.org/draft-07/schema), embedded so the test needs
// no network: the workflow schema must validate against it.
const char* const kDraft07MetaSchema = R"json(
{"$schema": "http://json-schema.org/draft-07/schema#",
 "$id": "http://json-schema.org/draft-07/schema#",
 "title": "Core schema meta-schema",
 "definitions": {
  "schemaArray": {"type": "array", "minItems": 1, "items": {"$ref": "#"}},
  "nonNegativeInteger": {"type": "integer", "minimum": 0},
  "nonNegativeIntegerDefault0": {"allOf": [{"$ref": "#/definitions/nonNegativeInteger"},
                                           {"default": 0}]},
  "simpleTypes": {"enum": ["array", "boolean", "integer", "null", "number", "object", "string"]},
  "stringArray": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "default": []}
 },
 "type": ["object", "boolean"],
 "properties": {
  "$id": {"type": "string", "format": "uri-reference"},
  "$schema": {"type": "string", "format": "uri"},
  "$ref": {"type": "string", "format": "uri-reference"},
  "$comment": {"type": "string"},
  "title": {"type": "string"},
  "description": {"type": "string"},
  "default": true,
  "readOnly": {"type": "boolean", "default": false},
  "examples": {"type": "array", "items": true},
  "multipleOf": {"type": "number", "exclusiveMinimum": 0},
  "maximum": {"type": "number"},
  "exclusiveMaximum": {"type": "number"},
  "minimum": {"type": "number"},
  "exclusiveMinimum": {"type": "number"},
  "maxLength": {"$ref": "#/definitions/nonNegativeInteger"},
  "minLength": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
  "pattern": {"type": "string", "format": "regex"},
  "additionalItems": {"$ref": "#"},
  "items": {"anyOf": [{"$ref": "#"}, {"$ref": "#/definitions/schemaArray"}], "default": true},
  "maxItems": {"$ref": "#/definitions/nonNegativeInteger"},
  "minItems": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
  "uniqueItems": {"type": "boolean", "default": false},
  "contains": {"$ref": "#"},
  "maxProperties": {"$ref": "#/definitions/nonNegativeInteger"},
  "minProperties": {"$ref": "#/definitions/nonNegativeIntegerDefault0"},
  "required": {"$ref": "#/definitions/stringArray"},
  "additionalProperties": {"$ref": "#"},
  "definitions": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
  "properties": {"type": "object", "additionalProperties": {"$ref": "#"}, "default": {}},
  "patternProperties": {"type": "object", "additionalProperties": {"$ref": "#"},
                        "propertyNames": {"format": "regex"}, "default": {}},
  "dependencies": {"type": "object",
                   "additionalProperties": {"anyOf": [{"$ref": "#"},
                                                      {"$ref": "#/definitions/stringArray"}]}},
  "propertyNames": {"$ref": "#"},
  "const": true,
  "enum": {"type": "array", "items": true},
  "type": {"anyOf": [{"$ref": "#/definitions/simpleTypes"},
                     {"type": "array", "items": {"$ref": "#/definitions/simpleTypes"},
                      "minItems": 1, "uniqueItems": true}]},
  "format": {"type": "string"},
  "contentMediaType": {"type": "string"},
  "contentEncoding": {"type": "string"},
  "if": {"$ref": "#"},
  "then": {"$ref": "#"},
  "else": {"$ref": "#"},
  "allOf": {"$ref": "#/definitions/schemaArray"},
  "anyOf": {"$ref": "#/definitions/schemaArray"},
  "oneOf": {"$ref": "#/definitions/schemaArray"},
  "not": {"$ref": "#"}
 },
 "default": true}
)json";

// A small valid definition; the broken cases below each change one thing.
const char* const kValidBase = R"yaml(
workflow: sample
start: check
states:
  check: {type: task, action: ap.check, next: done}
  done: {type: succeed}
)yaml";

std::string with_state(const std::string& check_state) {
  return "workflow: sample\nstart: check\nstates:\n  check: " + check_state +
         "\n  done: {type: succeed}\n";
}

}  // namespace

TEST_CASE("the workflow schema is a draft-07 schema valijson can load", "[unit][schema]") {
  const json document = json::parse(read_text(kSchemaPath));
  CHECK(document.at("$schema") == "http://json-schema.org/draft-07/schema#");
  CHECK_FALSE(document.contains("$defs"));  // valijson 1.0 resolves only `definitions`
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  valijson::adapters::NlohmannJsonAdapter adapter(document);

  // Against the meta-schema first: a malformed schema gets a located message here
  // instead of valijson's abort below.
  const json meta_document = json::parse(kDraft07MetaSchema);
  valijson::Schema meta;
  parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(meta_document), meta);
  valijson::Validator validator;
  valijson::ValidationResults results;
  const bool valid = validator.validate(meta, adapter, &results);
  std::vector<std::string> errors;
  for (const auto& error : results) errors.push_back(format_error(error));
  INFO(join_lines(errors));
  REQUIRE(valid);

  valijson::Schema schema;
  REQUIRE_NOTHROW(parser.populateSchema(adapter, schema));
}

TEST_CASE("the embedded meta-schema catches a malformed schema", "[unit][schema]") {
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  const json meta_document = json::parse(kDraft07MetaSchema);
  valijson::Schema meta;
  parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(meta_document), meta);
  valijson::Validator validator;
  for (const char* bad : {R"({"type": "objekt"})", R"({"required": "start"})",
                          R"({"properties": {"a": {"minLength": -1}}})"}) {
    const json document = json::parse(bad);
    INFO(bad);
    CHECK_FALSE(
        validator.validate(meta, valijson::adapters::NlohmannJsonAdapter(document), nullptr));
  }
}

TEST_CASE("the YAML converter keeps plain and quoted scalars apart", "[unit][schema]") {
  const json j = yaml_text_to_json(
      "a: 1\nb: '1'\nc: 2.5\nd: true\ne: \"true\"\nf: ~\ng:\non: x\nh: P3D\ni: -4\n"
      "base: &base {x: 1, y: 2}\nmerged: {<<: *base, y: 3}\n");
  CHECK(j["a"] == 1);
  CHECK(j["b"] == "1");
  CHECK(j["c"] == 2.5);
  CHECK(j["d"] == true);
  CHECK(j["e"] == "true");
  CHECK(j["f"].is_null());
  CHECK(j["g"].is_null());
  CHECK(j["on"] == "x");
  CHECK(j["h"] == "P3D");
  CHECK(j["i"] == -4);
  CHECK(j["merged"] == json({{"x", 1}, {"y", 3}}));
}

TEST_CASE("every shipped workflow satisfies the schema", "[unit][schema]") {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kSourceDir / "workflows")) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".yaml" || ext == ".yml")) files.push_back(entry);
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 4);  // ap_invoice_approval, ar_collections, o2c_credit_check, ...

  for (const auto& file : files) {
    INFO(file.filename().string());
    json document;
    REQUIRE_NOTHROW(document = yaml_to_json(YAML::LoadFile(file.string())));
    const auto errors = schema_errors(document);
    INFO(join_lines(errors));
    CHECK(errors.empty());
  }
}

TEST_CASE("the valid base definition passes", "[unit][schema]") {
  const auto errors = schema_errors(yaml_text_to_json(kValidBase));
  INFO(join_lines(errors));
  CHECK(errors.empty());
}

TEST_CASE("the schema refuses broken definitions", "[unit][schema]") {
  struct Case {
    const char* name;
    std::string yaml;
    const char* expected;  // part of one "path: message" line valijson must report
  };
  const std::vector<Case> cases = {
      {"unknown top-level key", std::string(kValidBase) + "owner: ap-team\n",
       "<root>: Object contains a property that could not be validated"},
      {"unknown state type", with_state("{type: script, next: done}"),
       "<root>[states][check][type]: Failed to match against any enum values"},
      {"approval without on", with_state("{type: approval, candidates: {roles: [ap_manager]}}"),
       "<root>[states][check]: Missing required property 'on'"},
      {"approval on without approved",
       with_state("{type: approval, candidates: {roles: [a]}, on: {rejected: done}}"),
       "<root>[states][check][on]: Missing required property 'approved'"},
      {"approval with no candidate",
       with_state("{type: approval, candidates: {roles: []}, on: {approved: done}}"),
       "<root>[states][check][candidates]: Failed to validate against any schemas"},
      {"bad duration P1M", with_state("{type: wait, duration: P1M, next: done}"),
       "<root>[states][check][duration]: Failed to match regex"},
      {"task without next", with_state("{type: task, action: ap.check}"),
       "<root>[states][check]: Missing required property 'next'"},
      {"choice without default",
       with_state("{type: choice, choices: [{when: 'true', next: done}]}"),
       "<root>[states][check]: Missing required property 'default'"},
      {"catch on a choice",
       with_state("{type: choice, choices: [{when: x > 1, next: done}], default: done, "
                  "catch: [{errors: [any], next: done}]}"),
       "constraints: 'catch'"},
      {"retry on an approval",
       with_state("{type: approval, candidates: {users: [u1]}, on: {approved: done}, "
                  "retry: [{max_attempts: 2}]}"),
       "constraints: 'retry'"},
      {"wait with duration and signal",
       with_state("{type: wait, duration: P1D, signal: paid, next: done}"),
       "<root>[states][check]: Failed to validate against exactly one child schema"},
      {"correlation without signal",
       with_state("{type: wait, duration: P1D, correlation: invoice.id, next: done}"),
       "<root>[states][check]: Missing dependency 'signal'"},
      {"next on a terminal state",
       "workflow: sample\nstart: done\nstates:\n  done: {type: succeed, next: done}\n",
       "constraints: 'next'"},
      {"bad hit policy",
       with_state("{type: decide, hit: any, rules: [{when: 'true', result: 1}], next: done}"),
       "<root>[states][check][hit]: Failed to match against any enum values"},
      {"bad join",
       with_state("{type: parallel, join: some, branches: [{start: b, states: "
                  "{b: {type: succeed}}}], next: done}"),
       "<root>[states][check][join]: Failed to match against any enum values"},
      {"explain above 50",
       with_state("{type: score, model: m, features: {a: x}, explain: 51, next: done}"),
       "<root>[states][check][explain]: Expected number less than or equal to 50"},
      {"retry backoff not an enum value",
       with_state("{type: task, action: set, with: {a: 1}, next: done, "
                  "retry: [{backoff: linear}]}"),
       "<root>[states][check][retry][0][backoff]: Failed to match against any enum values"},
      {"unknown key in a nested flow",
       with_state("{type: parallel, branches: [{start: b, states: "
                  "{b: {type: succeed, colour: red}}}], next: done}"),
       "constraints: 'colour'"},
      // valijson names no path below the map whose property names fail: the rest of each
      // of these two definitions is valid, so the error can only come from the bad name.
      {"bad state name",
       "workflow: sample\nstart: done\nstates:\n  done: {type: succeed}\n  1st: {type: succeed}\n",
       "<root>: Failed to validate against schema associated with property name 'states'"},
      {"bad start name", "workflow: sample\nstart: 1st\nstates:\n  done: {type: succeed}\n",
       "<root>[start]: Failed to match regex"},
      {"workflow name with capitals",
       "workflow: Sample\nstart: done\nstates:\n  done: {type: succeed}\n",
       "<root>[workflow]: Failed to match regex"},
      {"version as a quoted string", std::string(kValidBase) + "version: '1'\n",
       "<root>[version]: Value type not permitted"},
      {"expression that is a list",
       with_state("{type: choice, choices: [{when: [a, b], next: done}], default: done}"),
       "<root>[states][check][choices][0][when]: Value type not permitted"},
      {"error name with capitals",
       "workflow: sample\nstart: done\nstates:\n  done: {type: fail, error: Bad}\n",
       "<root>[states][done][error]: Failed to match regex"},
      {"approval outcome with capitals",
       with_state("{type: approval, candidates: {roles: [a]}, on: {approved: done, Later: done}}"),
       "<root>[states][check]: Failed to validate against schema associated with property name"},
  };
  for (const auto& c : cases) {
    const auto errors = schema_errors(yaml_text_to_json(c.yaml));
    INFO(c.name << "\n" << c.yaml << "\n" << join_lines(errors));
    CHECK(mentions(errors, c.expected));
  }
}

TEST_CASE("durations follow docs/dsl.md", "[unit][schema]") {
  for (const char* good : {"PT30S", "PT15M", "PT48H", "P3D", "P2W", "P1DT12H", "PT0.5S", "PT1H30M",
                           "P3660D", "P1W2D", "PT0,5S"}) {
    const auto errors = schema_errors(yaml_text_to_json(
        with_state(std::string("{type: wait, duration: '") + good + "', next: done}")));
    INFO(good << "\n" << join_lines(errors));
    CHECK(errors.empty());
  }
  for (const char* bad : {"P1M", "P1Y", "P1Y2D", "P1M2D", "P", "PT", "P1DT", "P0D", "PT0S",
                          "PT0.0S", "1H", "p1d", "-P1D", "P1.5D", "PT1.5H", "P1DT2M3H"}) {
    const auto errors = schema_errors(yaml_text_to_json(
        with_state(std::string("{type: wait, duration: '") + bad + "', next: done}")));
    INFO(bad);
    CHECK(mentions(errors, "[duration]"));
  }
}
