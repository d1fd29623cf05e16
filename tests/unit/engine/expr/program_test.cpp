// Program: the public API around evaluation — static types, the PathTyper, paths(),
// result values and their JSON forms, lifetimes, concurrency and the evaluation limits.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "engine/expr/program.h"

namespace {

using ledgerflow::expr::CompileOptions;
using ledgerflow::expr::Decimal;
using ledgerflow::expr::Diagnostic;
using ledgerflow::expr::EvalContext;
using ledgerflow::expr::Kind;
using ledgerflow::expr::Program;
using ledgerflow::expr::Type;
using ledgerflow::expr::Value;
using json = nlohmann::json;

Program compile(const std::string& source, const CompileOptions& options = {}) {
  auto compiled = Program::compile(source, options);
  if (auto* diags = std::get_if<std::vector<Diagnostic>>(&compiled)) {
    FAIL("compile error in " << source << ": " << diags->front().message);
  }
  return std::get<Program>(std::move(compiled));
}

std::string eval_text(const std::string& source, const json& data) {
  const auto r = compile(source).evaluate(data, {});
  if (!r.ok()) return "error: " + r.error().message;
  return ledgerflow::expr::to_json_text(*r);
}

}  // namespace

TEST_CASE("Program reports its static type and source", "[unit][expr]") {
  CHECK(compile("1 + 2").type() == Type::number);
  CHECK(compile("a.b").type() == Type::dyn);
  CHECK(compile("a.b + 1").type() == Type::number);
  CHECK(compile("a > 1").type() == Type::boolean);
  CHECK(compile("[1]").type() == Type::list);
  CHECK(compile("{'a': 1}").type() == Type::map);
  CHECK(compile("now()").type() == Type::timestamp);
  CHECK(compile("null").type() == Type::null);
  CHECK(compile("'a' + b").type() == Type::string);
  CHECK(compile("xs.map(x, x)").type() == Type::list);
  CHECK(compile("flag ? 1 : 2").type() == Type::number);
  CHECK(compile("flag ? 1 : 'a'").type() == Type::dyn);
  CHECK(compile("  a + 1 ").source() == "  a + 1 ");
  CHECK(ledgerflow::expr::to_string(Type::timestamp) == "timestamp");
}

TEST_CASE("a PathTyper turns data paths into static types", "[unit][expr]") {
  std::vector<std::vector<std::string>> asked;
  CompileOptions options;
  options.path_type = [&](std::span<const std::string> path) {
    asked.emplace_back(path.begin(), path.end());
    const std::vector<std::string> p(path.begin(), path.end());
    if (p == std::vector<std::string>{"invoice", "amount"}) return Type::number;
    if (p == std::vector<std::string>{"invoice", "vendor"}) return Type::string;
    if (p == std::vector<std::string>{"lines", "0", "qty"}) return Type::number;
    return Type::dyn;
  };
  CHECK(compile("invoice.amount + 1", options).type() == Type::number);
  CHECK(compile("size(invoice.vendor)", options).type() == Type::number);
  CHECK(compile("lines[0].qty * 2", options).type() == Type::number);
  CHECK(std::find(asked.begin(), asked.end(), std::vector<std::string>{"lines", "0", "qty"}) !=
        asked.end());

  auto compiled = Program::compile("invoice.amount + 'x' || invoice.vendor * 2 > 1", options);
  const auto* diags = std::get_if<std::vector<Diagnostic>>(&compiled);
  REQUIRE(diags != nullptr);
  REQUIRE(diags->size() == 2);  // an erroneous operand is dyn: no cascade at '||'
  CHECK((*diags)[0].message == "cannot add number and string in 'invoice.amount + 'x''");
  CHECK((*diags)[1].message == "cannot multiply string and number in 'invoice.vendor * 2'");
}

TEST_CASE("paths() lists the data paths read, without variables and env", "[unit][expr]") {
  const Program p = compile(
      "invoice.amount > 1 && xs[i] > 0 && env.x && items.map(l, l.qty).size() > 0 && "
      "has(a.b) && lines[0]['sku'] == 'A' && invoice.amount < 9 && l > 1");
  const std::vector<std::vector<std::string>> expected = {
      {"invoice", "amount"}, {"xs"}, {"i"}, {"items"}, {"a", "b"}, {"lines", "0", "sku"}, {"l"}};
  CHECK(p.paths() == expected);
  CHECK(compile("1 + 2").paths().empty());
}

TEST_CASE("results own their data", "[unit][expr]") {
  Value v;
  {
    const Program p = compile("[name, tags, {'k': name + '!'}]");
    const json data = {{"name", "borrowed from data"}, {"tags", {"a", "b"}}};
    auto r = p.evaluate(data, {});
    REQUIRE(r.ok());
    v = std::move(*r);
  }  // program and data are gone
  CHECK(ledgerflow::expr::to_json_text(v) ==
        R"(["borrowed from data",["a","b"],{"k":"borrowed from data!"}])");
  CHECK(v.as_list()[0].as_string() == "borrowed from data");
}

TEST_CASE("values convert to nlohmann::json and to exact JSON text", "[unit][expr]") {
  const json data = {{"price", 12.1}};
  const Program p = compile(
      "{'int': 36, 'dec': price * 3, 'big': 12345678901234567890, 'neg': -0.5, "
      "'ts': date('2026-03-01'), 'list': [true, null, 'a\"b\\n'], 'third': 1 / 3}");
  const auto r = p.evaluate(data, {});
  REQUIRE(r.ok());
  const json j = ledgerflow::expr::to_json(*r);
  CHECK(j["int"].is_number_integer());
  CHECK(j["int"] == 36);
  CHECK(j["dec"].is_number_float());
  CHECK(j["dec"].get<double>() == 36.3);
  // Beyond int64 and more digits than a double carries: its exact decimal text.
  CHECK(j["big"] == "12345678901234567890");
  CHECK(j["neg"].get<double>() == -0.5);
  CHECK(j["ts"] == "2026-03-01T00:00:00Z");
  CHECK(j["list"] == json::parse(R"([true, null, "a\"b\n"])"));
  CHECK(ledgerflow::expr::to_json_text(*r) ==
        R"({"big":12345678901234567890,"dec":36.3,"int":36,"list":[true,null,"a\"b\n"],)"
        R"("neg":-0.5,"third":0.333333333333333333,"ts":"2026-03-01T00:00:00Z"})");
}

TEST_CASE("Value construction, lookup and equality", "[unit][expr]") {
  const Value m =
      Value::map({{"b", Value::boolean(true)}, {"a", Value()}, {"b", Value::string("last")}});
  REQUIRE(m.kind() == Kind::map);
  REQUIRE(m.as_map().size() == 2);
  CHECK(m.as_map()[0].first == "a");
  REQUIRE(m.find("b") != nullptr);
  CHECK(m.find("b")->as_string() == "last");
  CHECK(m.find("zz") == nullptr);
  CHECK(Value::string("x").find("x") == nullptr);

  Decimal d;
  REQUIRE(Decimal::parse("1.50", Decimal::Rounding::exact, &d) == Decimal::ParseStatus::ok);
  CHECK(Value::number(d) ==
        Value::number(
            Decimal::from_int64(3).round_half_away(0) == Decimal::from_int64(3) ? d : Decimal{}));
  CHECK(Value::list({Value::number(d)}) == Value::list({Value::number(d)}));
  CHECK_FALSE(Value() == Value::boolean(false));
  CHECK(Value::timestamp(5) == Value::timestamp(5));

  Value from;
  REQUIRE(Value::from_json(json::parse(R"({"a": [1, 2.5, "x", null, {"b": false}]})"), &from));
  CHECK(ledgerflow::expr::to_json_text(from) == R"({"a":[1,2.5,"x",null,{"b":false}]})");
  CHECK_FALSE(Value::from_json(json::parse("[1e300]"), &from));
}

TEST_CASE("evaluation is deterministic and uses only the context's clock", "[unit][expr]") {
  const Program p = compile("string(now())");
  const EvalContext epoch{0, nullptr};
  CHECK(ledgerflow::expr::to_json_text(*p.evaluate({}, epoch)) == R"("1970-01-01T00:00:00Z")");
  const EvalContext later{86'400'000'000, nullptr};
  CHECK(ledgerflow::expr::to_json_text(*p.evaluate({}, later)) == R"("1970-01-02T00:00:00Z")");
}

TEST_CASE("a Program is shared by concurrent evaluations", "[unit][expr]") {
  const Program p = compile("sum(lines.map(l, l.qty * l.price)) + size(name.upper() + tag)");
  const Program copy = p;  // copies share the compiled form
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      json data = {{"name", "thread"}, {"tag", std::string(static_cast<std::size_t>(t), 'x')}};
      data["lines"] = json::array();
      for (int i = 0; i < 50; ++i) data["lines"].push_back({{"qty", i}, {"price", 0.1}});
      std::string last;
      for (int i = 0; i < 2000; ++i) {
        const auto r = (t % 2 == 0 ? p : copy).evaluate(data, {});
        last = r.ok() ? ledgerflow::expr::to_json_text(*r) : r.error().message;
      }
      results[static_cast<std::size_t>(t)] = last;
    });
  }
  for (auto& th : threads) th.join();
  CHECK(results[0] == "128.5");  // 0.1 * (0 + ... + 49) + 6
  CHECK(results[1] == "129.5");
  CHECK(results[2] == "130.5");
  CHECK(results[3] == "131.5");
}

TEST_CASE("evaluation limits turn runaway work into errors", "[unit][expr]") {
  json data;
  data["xs"] = json::array();
  for (int i = 0; i < 200; ++i) data["xs"].push_back(i);
  SECTION("steps") {
    CHECK(eval_text("xs.all(a, xs.all(b, xs.all(c, true)))", data)
              .find("evaluation exceeded 1000000 steps") != std::string::npos);
    CHECK(eval_text("size(xs.map(a, xs.map(b, 1)))", data) == "200");
  }
  SECTION("memory") {
    data["s"] = std::string(64 * 1024, 's');
    CHECK(eval_text("xs.map(x, s + s).size()", data).find("evaluation exceeded its memory limit") !=
          std::string::npos);
  }
  SECTION("deeply nested data") {
    json deep = json::array();
    for (int i = 0; i < 1000; ++i) deep = json::array({deep});
    data["deep"] = deep;
    CHECK(eval_text("deep", data) == "error: the result nests more than 256 levels deep in 'deep'");
    CHECK(eval_text("deep == deep", data).find("nested more than 256 levels") != std::string::npos);
    CHECK(eval_text("size(deep)", data) == "1");
  }
  SECTION("regular expressions") {
    data["s"] = std::string(40, 'a') + "c";
    CHECK(eval_text("matches(s, '(a+)+b')", data).find("matches() gave up") != std::string::npos);
    data["long"] = std::string(64 * 1024 + 1, 'a');
    CHECK(eval_text("matches(long, 'a')", data).find("subject is longer than 65536 bytes") !=
          std::string::npos);
    data["p"] = std::string(513, 'a');
    CHECK(eval_text("matches('a', p)", data).find("pattern is longer than 512 bytes") !=
          std::string::npos);
    auto compiled = Program::compile("matches(s, '" + std::string(513, 'a') + "')");
    REQUIRE(std::holds_alternative<std::vector<Diagnostic>>(compiled));
    CHECK(std::get<std::vector<Diagnostic>>(compiled).front().message.find(
              "longer than 512 bytes") != std::string::npos);
  }
}

TEST_CASE("data that is not an object", "[unit][expr]") {
  CHECK(eval_text("a", json()) == "null");
  CHECK(eval_text("a", json::array({1})).find("cannot select field 'a' of list") !=
        std::string::npos);
  CHECK(eval_text("has(a)", json(5)) == "false");
}
