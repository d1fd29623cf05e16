// Table-driven tests of the expression language: each case is an expression, the
// instance data (a shared fixture unless given), `now`, `env`, and either the expected
// result as to_json_text() or a substring of the expected compile / evaluation error.
// Every error case also checks that the message names a sub-expression ("in '...'")
// where the language promises it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/expr/program.h"

namespace {

using ledgerflow::expr::Diagnostic;
using ledgerflow::expr::EvalContext;
using ledgerflow::expr::Program;

constexpr std::int64_t kNow = 1'772'323'200'000'000;  // 2026-03-01T00:00:00Z

const char* const kFixture = R"({
  "invoice": {
    "id": "INV-1", "amount": 1520.75, "priority": 2, "currency": "EUR", "po": null,
    "lines": [
      {"qty": 2, "unit_price": 12.1, "sku": "A"},
      {"qty": 1, "unit_price": 0.05, "sku": "B"},
      {"qty": 3, "unit_price": 100, "sku": "C"}
    ],
    "tags": ["urgent", "eu"], "due": "2026-03-15", "issued": "2026-02-01T09:30:00Z"
  },
  "risk": {"probability": 0.07},
  "vendor": {"country": "DE", "name": "Muster GmbH", "iban": "DE89370400440532013000"},
  "blocked": ["INV-9", "INV-7"],
  "xs": [1, 2.5, 3], "i": 1, "s": "Hello", "n": null, "zero": 0, "big": 1e300,
  "flag": true, "empty": [], "m": {"a": 1, "b": "two"}, "nums_with_null": [1, null, 3],
  "word": "key", "x": "data-x", "pattern": "^H", "bad_pattern": "(", "minus_one": -1,
  "uint": 18446744073709551615, "neg": -42
})";

enum class Expect { value, compile_error, eval_error };

struct Case {
  const char* expr;
  Expect expect;
  const char* result;          // JSON text, or a substring of the error message
  const char* data = nullptr;  // JSON text; nullptr: kFixture
  const char* env = nullptr;   // JSON text for EvalContext::env
  std::int64_t now_us = kNow;
};

Case ok(const char* expr, const char* result, const char* data = nullptr) {
  return {expr, Expect::value, result, data};
}
Case compile_error(const char* expr, const char* message) {
  return {expr, Expect::compile_error, message};
}
Case eval_error(const char* expr, const char* message, const char* data = nullptr) {
  return {expr, Expect::eval_error, message, data};
}
Case with_env(const char* expr, const char* env, const char* result) {
  Case c{expr, Expect::value, result};
  c.env = env;
  return c;
}
Case at(const char* expr, std::int64_t now_us, const char* result) {
  Case c{expr, Expect::value, result};
  c.now_us = now_us;
  return c;
}

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      // ---- literals ----
      ok("12", "12"),
      ok("12.10", "12.1"),
      ok("1e3", "1000"),
      ok("1.5e-3", "0.0015"),
      ok("0.000", "0"),
      ok("'single'", R"("single")"),
      ok(R"("double")", R"("double")"),
      ok(R"("a\nb\t\\\"\'\/")", R"("a\nb\t\\\"'/")"),
      ok(R"("\u00e9\u20AC")", R"("é€")"),
      ok(R"("\ud83d\ude00")", R"("😀")"),
      ok("true", "true"),
      ok("false", "false"),
      ok("null", "null"),
      ok(R"([1, "a", null, [true]])", R"([1,"a",null,[true]])"),
      ok(R"({"k": 1, 'x': 2})", R"({"k":1,"x":2})"),
      ok(R"({"b": 1, "a": {"c": [2]}})", R"({"a":{"c":[2]},"b":1})"),
      ok("[]", "[]"),
      ok("{}", "{}"),
      ok("[1, 2,]", "[1,2]"),
      ok("[xs[0], s]", R"([1,"Hello"])"),
      ok(R"({"total": invoice.amount, "who": vendor.name})",
         R"({"total":1520.75,"who":"Muster GmbH"})"),

      // ---- precedence and associativity ----
      ok("1 + 2 * 3", "7"),
      ok("(1 + 2) * 3", "9"),
      ok("10 - 4 - 3", "3"),
      ok("2 * 3 % 4", "2"),
      ok("100 / 10 / 5", "2"),
      ok("-2 * 3", "-6"),
      ok("- -2", "2"),
      ok("!true || true", "true"),
      ok("true || false && false", "true"),
      ok("(true || false) && false", "false"),
      ok("1 < 2 == true", "true"),
      ok("1 + 1 == 2 && 2 * 2 == 4", "true"),
      ok("true ? 1 : 2 + 3", "1"),
      ok("false ? 1 : true ? 2 : 3", "2"),
      ok("1 in [1] && true", "true"),
      ok("!(1 in [2])", "true"),
      ok("1 == 1 in [true]", "true"),  // `in` binds looser than `==`
      compile_error(R"("a" in ["a"] == true)",
                    "'in' needs a list, map or string on the right, got bool"),
      ok("invoice.amount >= 1000 && risk.probability < 0.2 && vendor.country == \"DE\" && "
         "!(invoice.id in blocked) || invoice.priority > 3",
         "true"),

      // ---- exact decimals ----
      ok("0.1 + 0.2 == 0.3", "true"),
      ok("0.1 + 0.2", "0.3"),
      ok("12.10 * 3 == 36.30", "true"),
      ok("12.10 * 3", "36.3"),
      ok("10 / 4", "2.5"),
      ok("1 / 3", "0.333333333333333333"),
      ok("2 / 3", "0.666666666666666667"),
      ok("-1 / 3", "-0.333333333333333333"),
      ok("1 / 8", "0.125"),
      ok("100 / 3 * 3", "99.999999999999999999"),
      ok("0.000000000000000001 / 2", "0"),                     // 5e-19: tie, to even
      ok("0.000000000000000003 / 2", "0.000000000000000002"),  // 1.5e-18: tie, to even
      ok("10 % 3", "1"),
      ok("-10 % 3", "-1"),
      ok("5.5 % 2", "1.5"),
      ok("-0.5 + 0.25", "-0.25"),
      ok("3 - 5", "-2"),
      ok("0.1 * 0.1", "0.01"),
      ok("1.5 * 1.5", "2.25"),
      ok("1.10 == 1.1", "true"),
      ok("2.50 < 2.6", "true"),
      ok("99999999999999999999 + 1", "100000000000000000000"),
      ok("12345678901234567890123456789012345678 + 1", "12345678901234567890123456789012345679"),
      ok("-99999999999999999999999999999999999999 - 0", "-99999999999999999999999999999999999999"),
      eval_error("99999999999999999999999999999999999999 + 1",
                 "decimal overflow (the result needs more than 38 digits) in "
                 "'99999999999999999999999999999999999999 + 1'"),
      eval_error("99999999999999999999999999999999999999 * 10", "decimal overflow"),
      eval_error("-99999999999999999999999999999999999999 - 1", "decimal overflow"),
      ok("invoice.amount * 2", "3041.5"),
      ok("invoice.amount == 1520.75", "true"),
      ok("invoice.lines[0].unit_price * 3", "36.3"),
      ok("invoice.lines[0].unit_price * 3 == 36.3", "true"),
      ok("uint + 0", "18446744073709551615"),
      ok("neg * neg", "1764"),
      ok("-(1)", "-1"),
      eval_error("1 / 0", "division by zero in '1 / 0' (right side '0' is number 0)"),
      eval_error("1 % 0", "modulo by zero in '1 % 0'"),
      eval_error("invoice.amount / zero",
                 "division by zero in 'invoice.amount / zero' (right side 'zero' is number 0)"),
      eval_error(
          "big + 1",
          "data number out of the decimal range (NaN, infinite, or 10^38 and beyond) in 'big'"),
      ok("has(big)", "true"),
      eval_error("d", "the result contains a data number out of the decimal range in 'd'",
                 R"({"d": [1e300]})"),
      compile_error("0.0000000000000000001", "more than 18 fractional digits"),
      compile_error("1234567890123456789012345678901234567890", "number literal out of range"),

      // ---- null and missing data ----
      ok("n", "null"),
      ok("missing", "null"),
      ok("invoice.nothing", "null"),
      ok("invoice.nothing.deeper[3].x", "null"),
      ok("xs[10]", "null"),
      ok("xs[minus_one]", "null"),
      ok("n.a", "null"),
      ok("n[0]", "null"),
      ok("null == null", "true"),
      ok("n == null", "true"),
      ok("missing == null", "true"),
      ok("null != 1", "true"),
      ok(R"(1 == "1")", "false"),
      ok("invoice.po == null", "true"),
      ok("has(invoice.amount)", "true"),
      ok("has(invoice.po)", "true"),  // present, with the value null
      ok("has(invoice.nothing)", "false"),
      ok("has(missing.deeper)", "false"),
      ok("has(xs[1])", "true"),
      ok("has(xs[9])", "false"),
      ok("has(invoice.amount.currency)", "false"),
      ok("has(m[word])", "false"),
      ok("has(invoice.lines[0].sku)", "true"),
      ok("invoice.amount.has()", "true"),
      compile_error("has(1)",
                    "has() requires a field path such as has(invoice.po_number), got '1'"),
      compile_error("has(a.b + 1)", "has() requires a field path"),
      eval_error("n + 1", "cannot add null and number in 'n + 1' (left side 'n' is null)"),
      eval_error("invoice.amount + 1",
                 "cannot add null and number in 'invoice.amount + 1' "
                 "(left side 'invoice.amount' is null)",
                 R"({"invoice": {}})"),
      eval_error("invoice.amount + missing", "(right side 'missing' is null)"),
      eval_error("-n", "cannot negate null in '-n' (operand 'n' is null)"),
      eval_error("n < 1", "cannot compare null and number with '<' in 'n < 1'"),
      eval_error("n && true", "'&&' needs bool operands in 'n && true' (operand 'n' is null)"),
      eval_error("true && n", "'&&' needs bool operands in 'true && n' (operand 'n' is null)"),
      eval_error("false || n", "'||' needs bool operands in 'false || n' (operand 'n' is null)"),
      ok("false && n", "false"),
      ok("true || n", "true"),
      ok("false && null", "false"),
      eval_error("null && false",
                 "'&&' needs bool operands in 'null && false' (operand 'null' is null)"),
      eval_error("n ? 1 : 2",
                 "the condition of '?:' must be bool in 'n ? 1 : 2' (condition 'n' is null)"),
      eval_error("!n", "'!' needs a bool in '!n' (operand 'n' is null)"),
      eval_error("n * 2", "cannot multiply null and number in 'n * 2' (left side 'n' is null)"),

      // ---- strings ----
      ok(R"("a" + "b")", R"("ab")"),
      ok(R"(s + ", world")", R"("Hello, world")"),
      ok(R"("a" < "b")", "true"),
      ok(R"("B" < "a")", "true"),
      ok(R"("abc" >= "abc")", "true"),
      ok(R"(size("héllo"))", "5"),
      ok(R"(size(""))", "0"),
      ok("lower(s)", R"("hello")"),
      ok("s.upper()", R"("HELLO")"),
      ok(R"(lower("ÄB"))", R"("Äb")"),
      ok(R"(s.contains("ell"))", "true"),
      ok(R"(contains(s, "xyz"))", "false"),
      ok(R"(starts_with(s, "He"))", "true"),
      ok(R"(s.ends_with("lo"))", "true"),
      ok(R"(ends_with(s, "He"))", "false"),
      ok(R"("ell" in s)", "true"),
      ok(R"("" in s)", "true"),
      ok(R"(matches(vendor.iban, "^DE[0-9]{20}$"))", "true"),
      ok(R"(matches("abc", "b"))", "true"),
      ok(R"(matches("a\nb", "a.b"))", "false"),
      ok(R"(matches("a\nb", "^b"))", "true"),
      ok("matches(s, pattern)", "true"),
      ok(R"(vendor.name.matches("(?i)^muster"))", "true"),
      eval_error("matches(s, bad_pattern)", "invalid regular expression"),
      eval_error("matches(n, 'x')",
                 "matches() expects string as argument 1 in 'matches(n, 'x')' "
                 "(argument 1 'n' is null)"),
      compile_error(R"(matches("x", "("))", "invalid regular expression"),
      ok(R"(string(1.50))", R"("1.5")"),
      ok("string(true)", R"("true")"),
      ok("string(null)", R"("null")"),
      ok(R"(string([1, "a"]))", R"("[1,\"a\"]")"),
      ok(R"(string(date("2026-03-01")))", R"("2026-03-01T00:00:00Z")"),
      ok(R"(string("x"))", R"("x")"),
      ok("string(invoice.amount)", R"("1520.75")"),
      ok(R"(number("12.50") + 1)", "13.5"),
      ok(R"(number("-0.001"))", "-0.001"),
      ok(R"(number("1e3"))", "1000"),
      ok("number(5)", "5"),
      eval_error(R"(number("abc"))",
                 R"(number(): "abc" is not a decimal number in 'number("abc")')"),
      eval_error(R"(number(" 1"))", R"(" 1" is not a decimal number)"),
      eval_error(R"(number("0.0000000000000000001"))", "has more than 18 fractional digits"),
      compile_error(R"("a" + 1)", R"(cannot add string and number in '"a" + 1')"),
      eval_error(
          "s + 1",
          R"(cannot add string and number in 's + 1' (left side 's' is string "Hello", right side '1' is number 1))"),
      eval_error("s < 1", "cannot compare string and number with '<' in 's < 1'"),
      eval_error("s.x", "cannot select field 'x' of string in 's.x' ('s' is string \"Hello\")"),

      // ---- lists and maps ----
      ok("size(xs)", "3"),
      ok("xs[0]", "1"),
      ok("xs[i]", "2.5"),
      ok("xs[i + 1]", "3"),
      ok("[1, 2] + [3]", "[1,2,3]"),
      ok("xs + [4]", "[1,2.5,3,4]"),
      ok("2.5 in xs", "true"),
      ok("2.50 in xs", "true"),
      ok("4 in xs", "false"),
      ok(R"("urgent" in invoice.tags)", "true"),
      ok(R"("x" in [])", "false"),
      ok("null in nums_with_null", "true"),
      ok("[1] in [[1], [2]]", "true"),
      ok(R"(invoice.id in blocked)", "false"),
      ok("[1, 2, 3][1]", "2"),
      ok("[1, 2][5]", "null"),
      ok(R"({"a": {"b": 2}}.a.b)", "2"),
      ok(R"({"a": 1}["a"])", "1"),
      ok(R"(m["a"])", "1"),
      ok("m[word]", "null"),
      ok("m.b", R"("two")"),
      ok("size(m)", "2"),
      ok(R"("a" in m)", "true"),
      ok(R"("z" in m)", "false"),
      ok("[1] == [1]", "true"),
      ok(R"({"a": 1} == {"a": 1.0})", "true"),
      ok("[1, 2] == [2, 1]", "false"),
      ok("m == {'b': 'two', 'a': 1}", "true"),
      ok("invoice.lines[2]", R"({"qty":3,"sku":"C","unit_price":100})"),
      ok("invoice.tags", R"(["urgent","eu"])"),
      ok(R"(invoice["currency"])", R"("EUR")"),
      eval_error(
          "xs[1.5]",
          "an index must be an integer or a string in 'xs[1.5]' (index '1.5' is number 1.5)"),
      eval_error(
          "xs[flag]",
          "an index must be an integer or a string in 'xs[flag]' (index 'flag' is bool true)"),
      eval_error(R"(xs["a"])",
                 "cannot select field 'a' of list in 'xs[\"a\"]' ('xs' is list [1,2.5,3])"),
      eval_error("m[0]", "cannot index a map with a number (map keys are strings) in 'm[0]'"),
      eval_error(
          "1 in m",
          "'in' on a map needs a string on the left in '1 in m' (left side '1' is number 1)"),
      eval_error("1 in flag", "'in' needs a list, map or string on the right in '1 in flag'"),
      compile_error("(1).a", "cannot select field 'a' of number in '(1).a'"),
      compile_error("[1].a", "cannot select field 'a' of a list"),
      compile_error("1 in 5", "'in' needs a list, map or string on the right, got number"),
      compile_error("1 in 'abc'", "'in' on a string needs a string on the left, got number"),

      // ---- macros ----
      ok("xs.map(x, x * 2)", "[2,5,6]"),
      ok("xs.filter(x, x > 1)", "[2.5,3]"),
      ok("xs.all(x, x > 0)", "true"),
      ok("xs.all(x, x > 1)", "false"),
      ok("xs.exists(x, x == 3)", "true"),
      ok("xs.exists(x, x > 5)", "false"),
      ok("empty.all(x, x > 0)", "true"),
      ok("empty.exists(x, true)", "false"),
      ok("empty.map(x, x)", "[]"),
      ok("invoice.lines.map(l, l.qty * l.unit_price)", "[24.2,0.05,300]"),
      ok("sum(invoice.lines.map(l, l.qty * l.unit_price))", "324.25"),
      ok("invoice.lines.map(l, l.qty * l.unit_price).sum()", "324.25"),
      ok("invoice.lines.filter(l, l.qty > 1).map(l, l.sku)", R"(["A","C"])"),
      ok("xs.map(x, xs.map(y, x * y))", "[[1,2.5,3],[2.5,6.25,7.5],[3,7.5,9]]"),
      ok("xs.map(x, x)", "[1,2.5,3]"),  // the variable shadows the data field `x`
      ok("x", R"("data-x")"),
      ok("xs.map(x, x).size() + size(x)", "9"),
      ok("xs.map(s, s).map(x, x + 1)", "[2,3.5,4]"),
      ok(R"(xs.exists(x, x == "a"))", "false"),
      ok("xs.exists(x, x > 2) && xs.all(y, y < 4)", "true"),
      ok("[[1, 2], [3]].map(p, size(p))", "[2,1]"),
      ok("xs.filter(x, x > 1).size()", "2"),
      ok("invoice.lines.exists(l, l.sku == 'B' && l.unit_price < 0.1)", "true"),
      ok("invoice.lines.all(l, has(l.sku))", "true"),
      ok("[{'a': 1}, {'b': 2}].filter(e, has(e.a))", R"([{"a":1}])"),
      eval_error("xs.filter(x, x)",
                 "the condition of filter() must be bool in 'xs.filter(x, x)' "
                 "(condition 'x' is number 1 for element 0)"),
      eval_error("xs.all(x, n)", "the condition of all() must be bool"),
      eval_error("n.map(x, x)", "map() needs a list in 'n.map(x, x)' (receiver 'n' is null)"),
      eval_error("nums_with_null.map(x, x + 1)",
                 "cannot add null and number in 'x + 1' (left side 'x' is null)"),
      compile_error("xs.filter(x, 1)", "the condition of filter() must be bool, got number"),
      compile_error(R"("abc".map(x, x))", "map() needs a list, got string"),
      compile_error("xs.map(1, 2)", "map() expects a variable name and an expression"),
      compile_error("map(xs, x, x)",
                    "unknown function 'map' (map() is a macro: write list.map(x, expression))"),
      compile_error("xs.all(x, x > 0, 1)", "all() takes exactly 2 arguments"),
      compile_error("xs.map(env, 1)", "'env' is reserved"),

      // ---- functions ----
      ok("min(3, 1, 2)", "1"),
      ok("max(3, 1, 2)", "3"),
      ok("min(xs)", "1"),
      ok("max(xs)", "3"),
      ok("xs.max()", "3"),
      ok("min(5)", "5"),
      ok("max(-1.5, -1.25)", "-1.25"),
      eval_error("min(empty)", "min() of an empty list in 'min(empty)'"),
      eval_error("max(nums_with_null)",
                 "max() expects numbers in 'max(nums_with_null)' "
                 "(element 1 of 'nums_with_null' is null)"),
      eval_error("min(1, n)", "min() expects numbers in 'min(1, n)' (argument 2 'n' is null)"),
      compile_error(R"(min(1, "a"))", "min() argument 2 expects number, got string"),
      ok("abs(-0.5)", "0.5"),
      ok("abs(3)", "3"),
      compile_error(R"(abs("x"))", "abs() expects number, got string in 'abs(\"x\")'"),
      ok("round(2.5)", "3"),
      ok("round(-2.5)", "-3"),
      ok("round(2.345, 2)", "2.35"),
      ok("round(2.344, 2)", "2.34"),
      ok("round(1.005, 2)", "1.01"),  // exact decimal: no binary 1.00499999...
      ok("round(-1.005, 2)", "-1.01"),
      ok("round(7, 2)", "7"),
      ok("round(1.55, i)", "1.6"),
      ok("round(invoice.amount / 7, 2)", "217.25"),
      eval_error("round(1.5, minus_one)",
                 "round() digits must be an integer from 0 to 18 in 'round(1.5, minus_one)'"),
      compile_error("round(1.23456, 19)", "round() digits must be an integer from 0 to 18"),
      ok("sum(xs)", "6.5"),
      ok("sum([])", "0"),
      ok("sum([0.1, 0.2, 0.3])", "0.6"),
      eval_error("sum(nums_with_null)",
                 "sum() expects a list of numbers in 'sum(nums_with_null)' "
                 "(element 1 of 'nums_with_null' is null)"),
      compile_error("sum(5)", "sum() expects list, got number"),
      compile_error("size(5)", "size() expects string, list or map, got number in 'size(5)'"),
      eval_error("size(invoice.amount)",
                 "size() expects string, list or map as argument in "
                 "'size(invoice.amount)' (argument 'invoice.amount' is number 1520.75)"),
      eval_error("size(n)", "(argument 'n' is null)"),
      compile_error("lower(3)", "lower() expects string, got number in 'lower(3)'"),
      eval_error("lower(xs)", "lower() expects string as argument in 'lower(xs)'"),
      ok(R"(days_between("2026-01-01", "2026-03-01"))", "59"),
      ok(R"(days_between(date("2026-03-01"), date("2026-01-01")))", "-59"),
      ok("days_between(invoice.issued, now())", "27"),
      ok("days_between(now(), invoice.due)", "14"),
      ok(R"(days_between("2026-03-01T23:00:00Z", "2026-03-02T22:59:59Z"))", "0"),
      eval_error(R"(days_between("2026-01-01", "nope"))",
                 R"(days_between(): invalid date or timestamp "nope")"),
      ok("now()", R"("2026-03-01T00:00:00Z")"),
      at("now()", 1'772'323'200'123'456, R"("2026-03-01T00:00:00.123456Z")"),
      at("now()", 0, R"("1970-01-01T00:00:00Z")"),
      ok(R"(now() > date("2026-02-28"))", "true"),
      ok(R"(date("2026-03-01") == now())", "true"),
      ok("date(invoice.due) > now()", "true"),
      ok(R"(date("2026-03-01T10:00:00+02:00"))", R"("2026-03-01T08:00:00Z")"),
      ok(R"(date("2026-03-01T00:00:00-05:30"))", R"("2026-03-01T05:30:00Z")"),
      ok(R"(date("2024-02-29"))", R"("2024-02-29T00:00:00Z")"),
      ok(R"(date("1969-12-31T23:59:59Z"))", R"("1969-12-31T23:59:59Z")"),
      ok(R"(date("2026-03-01T10:00:00.5Z"))", R"("2026-03-01T10:00:00.500000Z")"),
      ok(R"(date("2026-03-01T10:00:00Z") < date("2026-03-01T10:00:00.000001Z"))", "true"),
      ok("date(now())", R"("2026-03-01T00:00:00Z")"),
      eval_error(R"(date("2026-02-29"))", R"(date(): invalid date or timestamp "2026-02-29")"),
      eval_error(R"(date("2026-13-01"))", R"(invalid date or timestamp "2026-13-01" (expected)"),
      eval_error(R"(date("2026-03-01T25:00:00Z"))", "invalid date or timestamp"),
      eval_error(R"(date("2026-03-01T10:00:00"))", "invalid date or timestamp"),
      eval_error("date(s)", R"(invalid date or timestamp "Hello" (expected YYYY-MM-DD)"),
      compile_error("date(5)", "date() expects string or timestamp, got number"),
      compile_error(R"(date("2026-03-01") < "2026-03-02")",
                    "cannot compare timestamp and string with '<'"),
      ok(R"("x".lower())", R"("x")"),
      ok("s.size()", "5"),
      compile_error("sizee(s)", "unknown function 'sizee' (did you mean 'size'?)"),
      compile_error("frobnicate(1)", "unknown function 'frobnicate'"),
      compile_error("s.lowr()", "unknown function 'lowr' (did you mean 'lower'?)"),
      compile_error("size(1, 2)", "wrong number of arguments to size(): expected 1, got 2"),
      compile_error("now(1)", "wrong number of arguments to now(): expected 0, got 1"),
      compile_error("round()", "wrong number of arguments to round(): expected 1 or 2, got 0"),
      compile_error("min()", "expected at least 1, got 0"),
      with_env(R"(env.region == "eu")", R"({"region": "eu"})", "true"),
      with_env("env.missing", R"({"region": "eu"})", "null"),
      with_env("has(env.region)", R"({"region": "eu"})", "true"),
      with_env("env", R"({"region": "eu"})", R"({"region":"eu"})"),
      ok("env", "null"),
      ok("env.region", "null"),

      // ---- syntax errors ----
      compile_error("1 +", "unexpected end of input after '+'"),
      compile_error("(1 + 2", "unclosed '(': expected ')' before end of input"),
      compile_error("[1, 2", "unclosed '['"),
      compile_error("f(1, 2", "unclosed '('"),
      compile_error("1 + 2)", "unexpected ')' after the end of the expression"),
      compile_error("1 2", "unexpected '2' after the end of the expression"),
      compile_error("a..b", "unexpected '.', expected a field or function name after '.'"),
      compile_error("1 = 2", "unexpected '=' (did you mean '=='?)"),
      compile_error("a & b", "did you mean '&&'?"),
      compile_error("a | b", "did you mean '||'?"),
      compile_error(R"("abc)", "unterminated string literal"),
      compile_error(R"("\q")", "invalid escape sequence"),
      compile_error(R"('abc\)", "invalid escape sequence"),
      compile_error(R"("\ud800")", "unpaired surrogate"),
      compile_error("12abc", "malformed number"),
      compile_error("1e", "exponent without digits"),
      compile_error("#", "unexpected character '#'"),
      compile_error("", "empty expression"),
      compile_error("   ", "empty expression"),
      compile_error("1 +* 2", "unexpected '*'"),
      compile_error("{1: 2}", "expected a string key in the map literal"),
      compile_error(R"({"a": 1, "a": 2})", R"(duplicate key "a" in map literal)"),
      compile_error("true ? 1", "expected ':' of the conditional"),
      compile_error("[1 2]", "expected ']' to close '['"),

      // ---- static type errors ----
      compile_error("1 ? 2 : 3", "the condition of '?:' must be bool, got number"),
      compile_error("1 && true", "'&&' needs bool operands, got number ('1') in '1 && true'"),
      compile_error("true || 'x'", "'||' needs bool operands, got string"),
      compile_error(R"(!"x")", R"('!' needs a bool, got string in '!"x"')"),
      compile_error(R"(-"x")", "cannot negate string"),
      compile_error(R"("a" < 1)", R"(cannot compare string and number with '<' in '"a" < 1')"),
      compile_error("[1] < [2]", "cannot compare list and list"),
      compile_error(R"("a" - "b")", "cannot subtract string and string"),
      compile_error("true + 1", "cannot add bool and number"),
      compile_error("null + 1", "cannot add null and number"),
      compile_error("[1] + 'a'", "cannot add list and string"),
      compile_error("{} * 2", "cannot multiply map and number"),
      compile_error("date('2026-01-01') + 1", "cannot add timestamp and number"),
  };
  return all;
}

std::string diagnostics_text(const std::vector<Diagnostic>& diags) {
  std::string out;
  for (const auto& d : diags) out += "@" + std::to_string(d.offset) + ": " + d.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("expression cases", "[unit][expr]") {
  const auto& all = cases();
  REQUIRE(all.size() >= 150);
  const nlohmann::json fixture = nlohmann::json::parse(kFixture);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const Case& c = all[i];
    DYNAMIC_SECTION("case " << i << ": " << c.expr) {
      auto compiled = Program::compile(c.expr);
      if (c.expect == Expect::compile_error) {
        const auto* diags = std::get_if<std::vector<Diagnostic>>(&compiled);
        REQUIRE(diags != nullptr);
        INFO("diagnostics:\n" << diagnostics_text(*diags));
        CHECK(diagnostics_text(*diags).find(c.result) != std::string::npos);
        continue;
      }
      if (auto* diags = std::get_if<std::vector<Diagnostic>>(&compiled)) {
        FAIL("unexpected compile error:\n" << diagnostics_text(*diags));
      }
      const Program& program = std::get<Program>(compiled);
      const nlohmann::json data = c.data ? nlohmann::json::parse(c.data) : fixture;
      const nlohmann::json env = c.env ? nlohmann::json::parse(c.env) : nlohmann::json();
      const EvalContext context{c.now_us, c.env ? &env : nullptr};
      const auto result = program.evaluate(data, context);
      if (c.expect == Expect::eval_error) {
        REQUIRE_FALSE(result.ok());
        INFO("error: " << result.error().message);
        CHECK(result.error().message.find(c.result) != std::string::npos);
        CHECK(result.error().message.find(" in '") != std::string::npos);
        CHECK(result.error().code == ledgerflow::ErrorCode::invalid_argument);
      } else {
        if (!result.ok()) FAIL("unexpected evaluation error: " << result.error().message);
        CHECK(ledgerflow::expr::to_json_text(*result) == c.result);
      }
    }
  }
}
