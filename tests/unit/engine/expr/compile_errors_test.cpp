// Compile errors: where each kind of diagnostic points (offset and length in the
// source), that every problem is reported at once, and that the size and nesting
// limits hold without exhausting the stack.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/expr/program.h"

namespace {

using ledgerflow::expr::CompileOptions;
using ledgerflow::expr::Diagnostic;
using ledgerflow::expr::Program;

std::vector<Diagnostic> diagnostics(const std::string& source, const CompileOptions& options = {}) {
  auto compiled = Program::compile(source, options);
  auto* diags = std::get_if<std::vector<Diagnostic>>(&compiled);
  if (diags == nullptr) return {};
  return *diags;
}

Diagnostic only(const std::string& source, const CompileOptions& options = {}) {
  const auto diags = diagnostics(source, options);
  INFO(source.substr(0, 80));
  REQUIRE(diags.size() == 1);
  return diags.front();
}

std::uint32_t at(const std::string& source, const std::string& token) {
  const auto pos = source.find(token);
  REQUIRE(pos != std::string::npos);
  return static_cast<std::uint32_t>(pos);
}

}  // namespace

TEST_CASE("syntax errors point at the offending token", "[unit][expr]") {
  SECTION("an unexpected token") {
    const auto d = only("1 + * 2");
    CHECK(d.offset == 4);
    CHECK(d.length == 1);
    CHECK(d.message == "unexpected '*'");
  }
  SECTION("end of input: the token before it") {
    const auto d = only("(a + b) *");
    CHECK(d.offset == 8);
    CHECK(d.message == "unexpected end of input after '*'");
  }
  SECTION("an unclosed bracket: the bracket") {
    const std::string src = "x + (1 + [2, 3]";
    const auto d = only(src);
    CHECK(d.offset == at(src, "("));
    CHECK(d.message == "unclosed '(': expected ')' before end of input");
  }
  SECTION("a wrong closing bracket") {
    const std::string src = "f(1, [2)";
    const auto d = only(src);
    CHECK(d.offset == at(src, ")"));
    CHECK(d.message == "unexpected ')', expected ']' to close '[' at offset 5");
  }
  SECTION("trailing garbage") {
    const auto d = only("a.b c");
    CHECK(d.offset == 4);
    CHECK(d.message == "unexpected 'c' after the end of the expression");
  }
  SECTION("a lexical error") {
    const auto d = only("a = 1");
    CHECK(d.offset == 2);
    CHECK(d.length == 1);
  }
  SECTION("a bad escape inside a string") {
    const auto d = only(R"(s == "ab\x")");
    CHECK(d.offset == 8);
    CHECK(d.length == 2);
  }
}

TEST_CASE("name errors point at the function name", "[unit][expr]") {
  SECTION("unknown function with a suggestion") {
    const auto d = only("1 + sizee(x)");
    CHECK(d.offset == 4);
    CHECK(d.length == 5);
    CHECK(d.message == "unknown function 'sizee' (did you mean 'size'?)");
  }
  SECTION("unknown method") {
    const auto d = only("name.lowr()");
    CHECK(d.offset == 5);
    CHECK(d.length == 4);
    CHECK(d.message == "unknown function 'lowr' (did you mean 'lower'?)");
  }
  SECTION("no suggestion when nothing is close") {
    CHECK(only("quux(1)").message == "unknown function 'quux'");
  }
  SECTION("wrong arity") {
    const std::string src = "x > 0 && round(1, 2, 3) > 0";
    const auto d = only(src);
    CHECK(d.offset == at(src, "round"));
    CHECK(d.length == 5);
    CHECK(d.message ==
          "wrong number of arguments to round(): expected 1 or 2, got 3 (usage: round(number[, "
          "digits]))");
  }
  SECTION("has() of something that is not a path") {
    const std::string src = "has(a + 1)";
    const auto d = only(src);
    CHECK(d.offset == 4);
    CHECK(d.length == 5);
  }
}

TEST_CASE("static type errors point at the operator or argument", "[unit][expr]") {
  SECTION("binary operator") {
    const std::string src = R"(1 + ("a" + 1))";
    const auto d = only(src);
    CHECK(d.offset == 9);
    CHECK(d.length == 1);
    CHECK(d.message == R"(cannot add string and number in '("a" + 1)')");  // with its parentheses
  }
  SECTION("function argument") {
    const auto d = only("lower(3) == 'x'");
    CHECK(d.offset == 6);
    CHECK(d.length == 1);
    CHECK(d.message == "lower() expects string, got number in 'lower(3)'");
  }
  SECTION("ternary condition") {
    const std::string src = "xs.map(x, 1) + [1 ? 2 : 3]";
    const auto d = only(src);
    CHECK(d.offset == at(src, "1 ?"));
    CHECK(d.message == "the condition of '?:' must be bool, got number in '1 ? 2 : 3'");
  }
  SECTION("operand of &&") {
    const std::string src = "a && 'x'";
    const auto d = only(src);
    CHECK(d.offset == 5);
    CHECK(d.length == 3);
  }
}

TEST_CASE("compile reports every type and name error at once, in source order", "[unit][expr]") {
  const std::string src = R"([sizee(1), lower(3), "a" - 1, 1 ? 2 : 3, nope()])";
  const auto diags = diagnostics(src);
  REQUIRE(diags.size() == 5);
  CHECK(diags[0].offset == at(src, "sizee"));
  CHECK(diags[1].offset == at(src, "3)"));
  CHECK(diags[2].offset == at(src, "-"));
  CHECK(diags[3].offset == at(src, "1 ?"));
  CHECK(diags[4].offset == at(src, "nope"));
}

TEST_CASE("a syntax error still reports the name errors before it", "[unit][expr]") {
  const auto diags = diagnostics("sizee(1) + (2");
  REQUIRE(diags.size() == 2);
  CHECK(diags[0].message.find("unknown function 'sizee'") != std::string::npos);
  CHECK(diags[1].message.find("unclosed '('") != std::string::npos);
}

TEST_CASE("sources longer than max_source_bytes are rejected", "[unit][expr]") {
  const std::string src(5000, 'a');
  const auto d = only(src);
  CHECK(d.offset == 4096);
  CHECK(d.length == 904);
  CHECK(d.message == "expression is 5000 bytes long; the limit is 4096 bytes");

  CompileOptions small;
  small.max_source_bytes = 10;
  CHECK(only("aaaaaaaaaaaa", small).offset == 10);
  CHECK(diagnostics("aaaaaaaaaa", small).empty());
  CHECK(diagnostics(std::string(4096, 'a')).empty());
}

TEST_CASE("nesting deeper than max_depth is an error, not a stack overflow", "[unit][expr]") {
  SECTION("10,000 parentheses") {
    const auto d = only(std::string(10000, '(') + "1" + std::string(10000, ')'), [] {
      CompileOptions o;
      o.max_source_bytes = 1 << 20;
      return o;
    }());
    CHECK(d.offset == 64);
    CHECK(d.message == "expression nested too deeply (more than 64 levels)");
  }
  SECTION("within the 4096-byte limit") {
    CHECK(only(std::string(4000, '(')).offset == 64);
    CHECK(only(std::string(4000, '!') + "true").offset == 64);
    CHECK(only(std::string(2000, '[')).offset == 64);
    std::string calls;
    for (int i = 0; i < 500; ++i) calls += "abs(";
    CHECK(only(calls + "1").message == "expression nested too deeply (more than 64 levels)");
    std::string chain = "1";
    for (int i = 0; i < 1000; ++i) chain += "+1";
    CHECK(only(chain).message == "expression nested too deeply (more than 64 levels)");
  }
  SECTION("just within the limit compiles and evaluates") {
    const std::string src = std::string(63, '(') + "1" + std::string(63, ')');
    auto compiled = Program::compile(src);
    REQUIRE(std::holds_alternative<Program>(compiled));
    std::string chain = "1";
    for (int i = 0; i < 50; ++i) chain += " + 1";
    auto chained = Program::compile(chain);
    REQUIRE(std::holds_alternative<Program>(chained));
    const auto r = std::get<Program>(chained).evaluate({}, {});
    REQUIRE(r.ok());
    CHECK(ledgerflow::expr::to_json_text(*r) == "51");
  }
  SECTION("a long && chain is one level") {
    std::string chain = "true";
    for (int i = 0; i < 300; ++i) chain += " && true";
    CHECK(std::holds_alternative<Program>(Program::compile(chain)));
  }
  SECTION("custom max_depth") {
    CompileOptions shallow;
    shallow.max_depth = 3;
    CHECK(diagnostics("((1))", shallow).empty());
    CHECK(only("(((1)))", shallow).message == "expression nested too deeply (more than 3 levels)");
    CompileOptions deep;
    deep.max_depth = 100000;  // capped: the stack is not the caller's to spend
    CHECK(only(std::string(4000, '(')).message ==
          "expression nested too deeply (more than 64 levels)");
    CHECK(only(std::string(4000, '('), deep).message ==
          "expression nested too deeply (more than 128 levels)");
  }
}
