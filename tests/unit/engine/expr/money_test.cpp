// Money in the expression language: amounts arrive in instance data as decimal strings
// (docs/records.md, "Money"), number() reads them exactly, arithmetic on them is exact,
// and string() writes a result back without a double in between.
#include <catch2/catch.hpp>

#include <string>

#include "engine/expr/program.h"

namespace {

using ledgerflow::expr::Decimal;
using ledgerflow::expr::Diagnostic;
using ledgerflow::expr::Program;
using json = nlohmann::json;

Decimal dec(std::string_view text) {
  Decimal d;
  REQUIRE(Decimal::parse(text, Decimal::Rounding::exact, &d) == Decimal::ParseStatus::ok);
  return d;
}

// The expression's printed result, or "error: ..." when evaluation fails.
std::string eval_text(const std::string& source, const json& data) {
  auto compiled = Program::compile(source, {});
  if (auto* diags = std::get_if<std::vector<Diagnostic>>(&compiled)) {
    FAIL("compile error in " << source << ": " << diags->front().message);
  }
  const auto r = std::get<Program>(compiled).evaluate(data, {});
  if (!r.ok()) return "error: " + r.error().message;
  return ledgerflow::expr::to_json_text(*r);
}

}  // namespace

TEST_CASE("Decimal: 0.10 + 0.20 is 0.30 exactly, and 1e15 + 0.01 keeps the cent",
          "[unit][expr][money]") {
  const auto sum = ledgerflow::expr::checked_add(dec("0.10"), dec("0.20"));
  REQUIRE(sum);
  CHECK(*sum == dec("0.30"));
  CHECK(sum->to_string() == "0.3");

  const auto big = ledgerflow::expr::checked_add(dec("1000000000000000"), dec("0.01"));
  REQUIRE(big);
  CHECK(big->to_string() == "1000000000000000.01");
  CHECK(*big > dec("1000000000000000"));
  // The reason money is not a double: the nearest double has lost the cent.
  CHECK(Decimal::from_double(big->to_double())->to_string() == "1000000000000000");
}

TEST_CASE("number() reads decimal-string amounts exactly; string() writes them back",
          "[unit][expr][money]") {
  const json data = {{"a", "0.10"}, {"b", "0.20"}, {"big", "1000000000000000"}, {"cent", "0.01"}};
  CHECK(eval_text("number(a) + number(b) == 0.30", data) == "true");
  CHECK(eval_text("number(a) + number(b)", data) == "0.3");
  CHECK(eval_text("string(number(big) + number(cent))", data) == R"("1000000000000000.01")");
  CHECK(eval_text("number(big) + number(cent) > 1000000000000000", data) == "true");
  CHECK(eval_text("number(big) + number(cent) == 1000000000000000.01", data) == "true");
  // Amounts that still arrive as JSON numbers pass through number() unchanged.
  CHECK(eval_text("number(x) + 0.2 == 0.3", {{"x", 0.1}}) == "true");
}

TEST_CASE("a decimal string is never a number by accident", "[unit][expr][money]") {
  // No implicit conversion: a string amount in arithmetic or ordering is an error that
  // names it, so a workflow that forgot number() fails loudly instead of comparing text.
  const json data = {{"amount", "0.10"}};
  CHECK_THAT(eval_text("amount + 1", data), Catch::StartsWith("error: "));
  CHECK_THAT(eval_text("amount < 1", data), Catch::StartsWith("error: "));
  CHECK(eval_text("amount == 0.1", data) == "false");  // different kinds are unequal
  CHECK_THAT(eval_text("number(amount)", {{"amount", "1,000.00"}}), Catch::StartsWith("error: "));
}
