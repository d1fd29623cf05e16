// Hostile and broken files: each gives a clear located error, never a crash or a hang.
#include <catch2/catch.hpp>

#include "engine/definition/loader.h"

using namespace ledgerflow::def;

namespace {

Problem only_problem(const std::string& text, Format format = Format::detect) {
  LoadOptions o;
  o.format = format;
  auto r = load_definition(text, o);
  REQUIRE_FALSE(r.ok());
  REQUIRE(r.problems.size() == 1);
  return r.problems[0];
}

}  // namespace

TEST_CASE("malformed YAML is located", "[unit][definition][bad-input]") {
  auto p = only_problem("workflow: demo\nstart: a\nstates:\n  a: {type: succeed\n  b: [\n",
                        Format::yaml);
  CHECK_THAT(p.message, Catch::StartsWith("invalid YAML"));
  CHECK(p.loc.line >= 4);
}

TEST_CASE("malformed JSON is located", "[unit][definition][bad-input]") {
  auto p = only_problem("{\"workflow\": \"demo\",\n \"start\": tru}\n", Format::json);
  CHECK_THAT(p.message, Catch::StartsWith("invalid JSON"));
  CHECK(p.loc.line == 2);
  CHECK(p.loc.column == 11);
}

TEST_CASE("binary garbage", "[unit][definition][bad-input]") {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919 + 13) % 256);
  auto p = only_problem(garbage);
  CHECK_THAT(p.message, Catch::Contains("binary data") || Catch::Contains("UTF-8"));
}

TEST_CASE("empty files", "[unit][definition][bad-input]") {
  CHECK_THAT(only_problem("").message, Catch::Contains("empty document"));
  CHECK_THAT(only_problem("  \n\n").message, Catch::Contains("empty document"));
  CHECK_THAT(only_problem("# only a comment\n", Format::yaml).message,
             Catch::Contains("empty document"));
}

TEST_CASE("a 10 MiB file is refused before parsing", "[unit][definition][bad-input]") {
  std::string big(10 << 20, 'a');
  auto p = only_problem(big);
  CHECK(p.loc.line == 1);
  CHECK_THAT(p.message, Catch::Contains("10485760 bytes") && Catch::Contains("1 MiB"));
}

TEST_CASE("10,000 levels of nesting", "[unit][definition][bad-input]") {
  SECTION("JSON") {
    std::string deep = "{\"workflow\": " + std::string(10000, '[') + std::string(10000, ']') + "}";
    auto p = only_problem(deep, Format::json);
    CHECK_THAT(p.message, Catch::Contains("deeper than 64"));
    CHECK(p.loc.line == 1);
  }
  SECTION("YAML flow") {
    std::string deep = "workflow: " + std::string(10000, '[') + std::string(10000, ']') + "\n";
    auto p = only_problem(deep, Format::yaml);
    CHECK_THAT(p.message, Catch::Contains("deeper than 64"));
  }
  SECTION("YAML block") {
    std::string deep = "workflow:\n";
    for (int i = 0; i < 10000 && deep.size() < 900000; ++i)
      deep += std::string(i % 400, ' ') + "- \n";
    auto r = load_definition(deep);
    CHECK_FALSE(r.ok());
  }
}

TEST_CASE("billion laughs: exponential YAML aliases are bounded", "[unit][definition][bad-input]") {
  std::string doc = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    doc += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 8; ++k) doc += ", " + prev;
    doc += "]\n";
  }
  doc += "workflow: lol\nstart: s\nstates: {s: {type: succeed}}\n";
  auto p = only_problem(doc, Format::yaml);
  CHECK_THAT(p.message, Catch::Contains("billion laughs"));
  CHECK(p.loc.line >= 4);
}

TEST_CASE("aliases within the budget work, with merge keys", "[unit][definition]") {
  auto r = load_definition(
      "workflow: demo\n"
      "start: a\n"
      "states:\n"
      "  a: &task {type: task, action: set, with: {x: 1}, next: b}\n"
      "  b:\n"
      "    <<: *task\n"
      "    next: c\n"
      "  c: {type: succeed}\n");
  INFO((r.problems.empty() ? "" : format_problem("t", r.problems[0])));
  REQUIRE(r.ok());
  const State* b = r.definition->find_state("b");
  REQUIRE(b != nullptr);
  CHECK(b->next == "c");
  CHECK(std::get<TaskSpec>(b->spec).action == "set");
}

TEST_CASE("invalid UTF-8 is located", "[unit][definition][bad-input]") {
  auto p = only_problem("workflow: demo\ntitle: caf\xC3\x28\n", Format::yaml);
  CHECK_THAT(p.message, Catch::Contains("invalid UTF-8"));
  CHECK(p.loc.line == 2);
  CHECK(p.loc.column == 11);
  auto overlong = only_problem("{\"workflow\": \"\xC0\xAF\"}", Format::json);
  CHECK_THAT(overlong.message, Catch::Contains("invalid UTF-8"));
}

TEST_CASE("a definition must be a mapping", "[unit][definition][bad-input]") {
  CHECK_THAT(only_problem("[1, 2]", Format::json).message, Catch::Contains("must be a mapping"));
  CHECK_THAT(only_problem("just text\n", Format::yaml).message,
             Catch::Contains("must be a mapping"));
}

TEST_CASE("several YAML documents in one file are refused", "[unit][definition][bad-input]") {
  auto p = only_problem("workflow: a\n---\nworkflow: b\n", Format::yaml);
  CHECK_THAT(p.message, Catch::Contains("more than one YAML document"));
}

TEST_CASE("unsupported YAML tags are refused", "[unit][definition][bad-input]") {
  auto p = only_problem("workflow: !!python/object demo\n", Format::yaml);
  CHECK_THAT(p.message, Catch::Contains("unsupported YAML tag"));
}
