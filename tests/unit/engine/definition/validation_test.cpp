// One test per validation error class, asserting the exact line and column reported.
#include <catch2/catch.hpp>

#include <algorithm>

#include "engine/definition/loader.h"

using namespace ledgerflow::def;

namespace {

std::vector<Problem> problems_of(const std::string& text, LoadOptions options = {}) {
  auto r = load_definition(text, options);
  return r.problems;
}

std::string dump(const std::vector<Problem>& ps) {
  std::string out;
  for (const auto& p : ps) out += format_problem("t", p) + "\n";
  return out;
}

// Asserts that exactly one problem is reported and it is at line:col, mentions `text`.
void expect_one(const std::string& doc, std::uint32_t line, std::uint32_t col,
                const std::string& state, const std::string& text) {
  auto ps = problems_of(doc);
  INFO(dump(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].loc.line == line);
  CHECK(ps[0].loc.column == col);
  CHECK(ps[0].state == state);
  CHECK_THAT(ps[0].message, Catch::Contains(text));
}

const char* kHeader =
    "workflow: demo\n"  // 1
    "start: a\n"        // 2
    "states:\n";        // 3

}  // namespace

TEST_CASE("a minimal definition loads", "[unit][definition]") {
  auto r = load_definition(std::string(kHeader) + "  a: {type: succeed}\n");
  INFO(dump(r.problems));
  REQUIRE(r.ok());
  CHECK(r.definition->name == "demo");
  CHECK(r.definition->state_count() == 1);
}

TEST_CASE("unknown top-level key, with a did-you-mean", "[unit][definition]") {
  expect_one(std::string(kHeader) + "  a: {type: succeed}\ntitel: x\n", 5, 1, "",
             "unknown key 'titel' in the definition (did you mean 'title'?)");
}

TEST_CASE("unknown key in a state, with a did-you-mean", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"              // 4
                 "    type: task\n"    // 5
                 "    action: set\n"   // 6
                 "    with: {x: 1}\n"  // 7
                 "    nxt: b\n"        // 8
                 "    next: b\n"       // 9
                 "  b: {type: succeed}\n",
             8, 5, "a", "unknown key 'nxt' in a task state (did you mean 'next'?)");
}

TEST_CASE("a key of another state type is named as such", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"
                 "    type: succeed\n"
                 "    next: a\n",
             6, 5, "a", "'next' does not apply to a succeed state");
}

TEST_CASE("missing required field", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"            // 4
                 "    type: task\n"  // 5
                 "    next: b\n"     // 6
                 "  b: {type: succeed}\n",
             5, 5, "a", "missing required field 'action' in a task state");
}

TEST_CASE("wrong type of a field", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"                                   // 4
                 "    type: approval\n"                     // 5
                 "    candidates: {roles: [ap_manager]}\n"  // 6
                 "    min_approvals: two\n"                 // 7
                 "    on: {approved: b}\n"                  // 8
                 "  b: {type: succeed}\n",
             7, 20, "a", "'min_approvals' must be an integer, got a string");
}

TEST_CASE("duplicate keys in YAML", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a: {type: succeed}\n"  // 4
                 "  a: {type: fail, error: x}\n",
             5, 3, "", "duplicate key 'a' (first defined at line 4)");
}

TEST_CASE("duplicate keys in JSON", "[unit][definition]") {
  expect_one(
      "{\"workflow\": \"demo\", \"start\": \"a\",\n"
      "  \"states\": {\"a\": {\"type\": \"succeed\"}},\n"
      "  \"start\": \"a\"}\n",
      3, 3, "", "duplicate key 'start' (first defined at line 1)");
}

TEST_CASE("unknown state type, with a did-you-mean", "[unit][definition]") {
  expect_one(std::string(kHeader) + "  a: {type: suceed}\n", 4, 13, "a",
             "unknown state type 'suceed' (did you mean 'succeed'?)");
}

TEST_CASE("next target that does not exist", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a: {type: task, action: set, with: {x: 1}, next: dne}\n"
                 "  done: {type: succeed}\n",
             4, 52, "a", "'next' target 'dne' does not exist (did you mean 'done'?)");
}

TEST_CASE("on target that does not exist", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"                                    // 4
                 "    type: approval\n"                      // 5
                 "    candidates: {users: [bob]}\n"          // 6
                 "    on: {approved: ok, rejected: nope}\n"  // 7
                 "  ok: {type: succeed}\n",
             7, 34, "a", "'on.rejected' target 'nope' does not exist");
}

TEST_CASE("catch target that does not exist", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"                                         // 4
                 "    type: task\n"                               // 5
                 "    action: ap.check\n"                         // 6
                 "    catch: [{errors: [any], next: handler}]\n"  // 7
                 "    next: ok\n"                                 // 8
                 "  ok: {type: succeed}\n",
             7, 35, "a", "'catch' target 'handler' does not exist");
}

TEST_CASE("unreachable state", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a: {type: succeed}\n"
                 "  orphan: {type: fail, error: x}\n",
             5, 3, "orphan", "state is unreachable");
}

TEST_CASE("state from which no terminal state can be reached", "[unit][definition]") {
  auto ps = problems_of(std::string(kHeader) +
                        "  a:\n"                                              // 4
                        "    type: choice\n"                                  // 5
                        "    choices: [{when: x > 1, next: done}]\n"          // 6
                        "    default: loop\n"                                 // 7
                        "  loop: {type: wait, duration: PT1H, next: loop}\n"  // 8
                        "  done: {type: succeed}\n");
  INFO(dump(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].loc.line == 8);
  CHECK(ps[0].loc.column == 3);
  CHECK(ps[0].state == "loop");
  CHECK_THAT(ps[0].message, Catch::Contains("no succeed or fail state can be reached"));
}

TEST_CASE("choice without default", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"              // 4
                 "    type: choice\n"  // 5
                 "    choices: [{when: x > 1, next: done}]\n"
                 "  done: {type: succeed}\n",
             5, 5, "a", "missing required field 'default' in a choice state");
}

TEST_CASE("bad duration", "[unit][definition]") {
  expect_one(
      std::string(kHeader) + "  a: {type: wait, duration: P1M, next: b}\n  b: {type: succeed}\n", 4,
      29, "a", "calendar months are not supported");
}

TEST_CASE("expression syntax error is located inside the expression", "[unit][definition]") {
  auto ps = problems_of(std::string(kHeader) +
                        "  a:\n"                                          // 4
                        "    type: choice\n"                              // 5
                        "    choices: [{when: amount > > 1, next: b}]\n"  // 6
                        "    default: b\n"
                        "  b: {type: succeed}\n");
  INFO(dump(ps));
  REQUIRE(ps.size() >= 1);
  CHECK(ps[0].loc.line == 6);
  CHECK(ps[0].loc.column == 31);  // the second '>'
  CHECK(ps[0].state == "a");
  CHECK_THAT(ps[0].message, Catch::Contains("amount > > 1"));
}

TEST_CASE("unknown function, wrong arity and static type errors", "[unit][definition]") {
  auto ps = problems_of(std::string(kHeader) +
                        "  a:\n"                                            // 4
                        "    type: choice\n"                                // 5
                        "    choices:\n"                                    // 6
                        "      - {when: sizee(lines) > 1, next: b}\n"       // 7
                        "      - {when: 'round(1, 2, 3) > 1', next: b}\n"   // 8
                        "      - {when: \"x + ('a' + 1) > 1\", next: b}\n"  // 9
                        "    default: b\n"
                        "  b: {type: succeed}\n");
  INFO(dump(ps));
  REQUIRE(ps.size() == 3);
  CHECK(ps[0].loc.line == 7);
  CHECK(ps[0].loc.column == 16);
  CHECK_THAT(ps[0].message, Catch::Contains("sizee") && Catch::Contains("did you mean 'size'"));
  CHECK(ps[1].loc.line == 8);
  CHECK(ps[1].loc.column == 17);
  CHECK_THAT(ps[1].message, Catch::Contains("round"));
  CHECK(ps[2].loc.line == 9);
  CHECK_THAT(ps[2].message, Catch::Contains("'a' + 1"));
}

TEST_CASE("input.schema must be a valid JSON Schema", "[unit][definition]") {
  expect_one(
      "workflow: demo\n"
      "input:\n"
      "  schema: {type: object, properties: {amount: {type: money}}}\n"
      "start: a\n"
      "states:\n"
      "  a: {type: succeed}\n",
      3, 11, "", "'input.schema' is not a valid JSON Schema: #/properties/amount/type");
}

TEST_CASE("input.schema types paths for the checker", "[unit][definition]") {
  expect_one(
      "workflow: demo\n"
      "input:\n"
      "  schema: {type: object, properties: {amount: {type: number}}}\n"
      "start: a\n"
      "states:\n"
      "  a:\n"
      "    type: choice\n"
      "    choices: [{when: amount + 'x' > 1, next: b}]\n"
      "    default: b\n"
      "  b: {type: succeed}\n",
      8, 29, "a", "amount + 'x'");  // at the '+'
}

TEST_CASE("every problem is reported, sorted by position", "[unit][definition]") {
  auto ps = problems_of(std::string(kHeader) +
                        "  a: {type: task, action: set, with: {x: 1}, next: b, retyr: []}\n"  // 4
                        "  b: {type: wait, duration: PT, next: c}\n"                          // 5
                        "  c: {type: aproval}\n"                                              // 6
                        "colour: red\n");                                                     // 7
  INFO(dump(ps));
  REQUIRE(ps.size() == 4);
  CHECK(ps[0].loc.line == 4);
  CHECK(ps[1].loc.line == 5);
  CHECK(ps[2].loc.line == 6);
  CHECK(ps[3].loc.line == 7);
}

TEST_CASE("state names are unique across nested flows", "[unit][definition]") {
  auto ps = problems_of(std::string(kHeader) +
                        "  a:\n"                                     // 4
                        "    type: parallel\n"                       // 5
                        "    branches:\n"                            // 6
                        "      - start: done\n"                      // 7
                        "        states: {done: {type: succeed}}\n"  // 8
                        "    next: done\n"                           // 9
                        "  done: {type: succeed}\n");                // 10
  INFO(dump(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].loc.line == 10);
  CHECK_THAT(ps[0].message, Catch::Contains("already used at line 8"));
}

TEST_CASE("a branch cannot jump out of its flow", "[unit][definition]") {
  auto ps = problems_of(std::string(kHeader) +
                        "  a:\n"                                                               // 4
                        "    type: parallel\n"                                                 // 5
                        "    branches:\n"                                                      // 6
                        "      - start: inner\n"                                               // 7
                        "        states: {inner: {type: wait, duration: PT1S, next: done}}\n"  // 8
                        "    next: done\n"
                        "  done: {type: succeed}\n");
  INFO(dump(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].loc.line == 8);
  CHECK(ps[0].state == "inner");
  CHECK_THAT(ps[0].message, Catch::Contains("belongs to another flow"));
}

TEST_CASE("approval must route 'approved'", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"
                 "    type: approval\n"
                 "    candidates: {roles: [r]}\n"
                 "    on: {ok: b}\n"  // 7
                 "  b: {type: succeed}\n",
             7, 9, "a", "'on' must route the outcome 'approved'");
}

TEST_CASE("wait needs exactly one of duration, until, signal", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a: {type: wait, duration: PT1H, signal: paid, next: b}\n  b: {type: succeed}\n",
             4, 6, "a", "only one of 'duration', 'until' or 'signal'");
}

TEST_CASE("unknown action names suggest the built-in", "[unit][definition]") {
  expect_one(std::string(kHeader) +
                 "  a: {type: task, action: sett, with: {x: 1}, next: b}\n  b: {type: succeed}\n",
             4, 27, "a", "unknown action 'sett' (did you mean 'set'?)");
}

// ---- limits

TEST_CASE("limit: more than 1,000 states", "[unit][definition][limits]") {
  std::string doc = "workflow: big\nstart: s0\nstates:\n";
  for (int i = 0; i < 1001; ++i) {
    doc += "  s" + std::to_string(i) + ": {type: wait, duration: PT1S, next: s" +
           std::to_string(i + 1) + "}\n";
  }
  doc += "  s1001: {type: succeed}\n";
  auto ps = problems_of(doc);
  INFO(dump(ps));
  REQUIRE(ps.size() == 1);
  CHECK(ps[0].loc.line == 4 + 1000);
  CHECK_THAT(ps[0].message, Catch::Contains("more than 1000 states"));
}

TEST_CASE("limit: expression over 4 KiB", "[unit][definition][limits]") {
  std::string big = "x";
  for (int i = 0; i < 1100; ++i) big += " + x";
  expect_one(std::string(kHeader) + "  a:\n    type: choice\n    choices: [{when: '" + big +
                 " > 1', next: b}]\n    default: b\n  b: {type: succeed}\n",
             6, 22, "a", "the limit for an expression is 4096 bytes");
}

TEST_CASE("limit: nesting over 64 levels", "[unit][definition][limits]") {
  std::string nested(70, '[');
  nested += std::string(70, ']');
  expect_one(std::string(kHeader) + "  a: {type: succeed, result: " + nested + "}\n", 4,
             30 + 61,  // the 65th level: the root, states and a are the first three

             "", "nesting is deeper than 64 levels");
}

TEST_CASE("limit: file over 1 MiB", "[unit][definition][limits]") {
  std::string doc =
      std::string(kHeader) + "  a: {type: succeed}\n# " + std::string(1 << 20, 'x') + "\n";
  expect_one(doc, 1, 1, "", "the limit for a definition is 1048576 bytes");
}

TEST_CASE("an http action's host is written literally, never taken from data",
          "[unit][definition][attack]") {
  expect_one(std::string(kHeader) +
                 "  a:\n"                                    // 4
                 "    type: task\n"                          // 5
                 "    action: http\n"                        // 6
                 "    with:\n"                               // 7
                 "      method: GET\n"                       // 8
                 "      url: \"http://${target}/metrics\"\n"  // 9
                 "    next: b\n"                             // 10
                 "  b: {type: succeed}\n",
             9, 12, "a", "scheme and host literally");
  expect_one(std::string(kHeader) +
                 "  a: {type: task, action: http, with: {method: GET, url: \"${u}\"}, next: b}\n"
                 "  b: {type: succeed}\n",
             4, 58, "a", "scheme and host literally");
  auto ok = load_definition(
      std::string(kHeader) +
      "  a: {type: task, action: http, with: {method: GET, url: \"http://erp.example/i/${id}\"}, "
      "next: b}\n"
      "  b: {type: succeed}\n");
  INFO(dump(ok.problems));
  CHECK(ok.ok());
}

TEST_CASE("permissions: who may start and who may send each signal", "[unit][definition]") {
  auto r = load_definition(
      "workflow: demo\n"
      "permissions:\n"
      "  start: {roles: [integration], users: [erp2]}\n"
      "  signals:\n"
      "    dispute_raised: {roles: [collector], creator: true}\n"
      "start: a\n"
      "states:\n"
      "  a: {type: succeed}\n");
  INFO(dump(r.problems));
  REQUIRE(r.ok());
  const auto& p = r.definition->permissions;
  REQUIRE(p.start);
  CHECK(p.start->allows("erp", {"integration"}));
  CHECK(p.start->allows("erp2", {}));
  CHECK_FALSE(p.start->allows("alice", {"ap_clerk", "admin"}));
  const auto& dispute = p.signals.at("dispute_raised");
  CHECK(dispute.allows("erin", {"collector"}, "bob"));
  CHECK(dispute.allows("bob", {}, "bob"));  // the creator
  CHECK_FALSE(dispute.allows("tom", {"treasury"}, "bob"));

  auto some_problem = [](const std::string& doc, const std::string& text) {
    auto ps = problems_of(doc);
    INFO(dump(ps));
    CHECK(std::any_of(ps.begin(), ps.end(),
                      [&](const Problem& p) { return p.message.find(text) != std::string::npos; }));
  };
  some_problem(
      "workflow: demo\npermissions:\n  signals:\n    paid: {}\nstart: a\nstates:\n"
      "  a: {type: succeed}\n",
      "allows nobody");
  some_problem(
      "workflow: demo\npermissions:\n  start: {role: [x]}\nstart: a\nstates:\n"
      "  a: {type: succeed}\n",
      "unknown key 'role'");
}
