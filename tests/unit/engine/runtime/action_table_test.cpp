// rt::ActionTable: action name -> handler, the executor's only way to find an action.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "engine/runtime/action_runner.h"

namespace rt = ledgerflow::rt;

namespace {

rt::ActionHandler echo(std::string tag) {
  return [tag](const rt::ActionRequest& r) {
    return rt::ActionResult::success({{"tag", tag}, {"action", r.action}});
  };
}

rt::ActionRequest request(const std::string& action) {
  rt::ActionRequest r;
  r.action = action;
  return r;
}

class CountingRunner final : public rt::ActionRunner {
 public:
  rt::ActionResult run(const rt::ActionRequest& r) override {
    ++calls;
    return rt::ActionResult::success({{"ran", r.action}});
  }
  int calls = 0;
};

}  // namespace

TEST_CASE("action table: each name runs its own handler", "[unit][actions]") {
  rt::ActionTable table;
  REQUIRE(table.add("b.second", echo("two")).ok());
  REQUIRE(table.add("a.first", echo("one")).ok());
  CHECK(table.size() == 2);
  CHECK(table.names() == std::vector<std::string>{"a.first", "b.second"});
  auto one = table.run(request("a.first"));
  REQUIRE(one.ok);
  CHECK(one.output["tag"] == "one");
  auto two = table.run(request("b.second"));
  REQUIRE(two.ok);
  CHECK(two.output["tag"] == "two");
  CHECK(table.find("a.first") != nullptr);
  CHECK(table.find("a.firs") == nullptr);
}

TEST_CASE("action table: an unknown action is an action_error naming it", "[unit][actions]") {
  rt::ActionTable table;
  REQUIRE(table.add("known", echo("k")).ok());
  auto r = table.run(request("ledger.post"));
  CHECK_FALSE(r.ok);
  CHECK(r.error == "action_error");
  CHECK(r.message ==
        "no action runner handles 'ledger.post' (is the plugin that provides it loaded?)");
}

TEST_CASE("action table: a name registered twice, an empty name or handler is refused",
          "[unit][actions]") {
  rt::ActionTable table;
  REQUIRE(table.add("ledger.post", echo("first")).ok());
  auto twice = table.add("ledger.post", echo("second"));
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().message == "action 'ledger.post' is registered twice");
  CHECK(table.run(request("ledger.post")).output["tag"] == "first");
  CHECK_FALSE(table.add("", echo("x")).ok());
  CHECK_FALSE(table.add("empty", rt::ActionHandler{}).ok());
  CHECK_FALSE(table.add("null", std::shared_ptr<rt::ActionRunner>{}).ok());
  CHECK(table.size() == 1);
}

TEST_CASE("action table: a runner serves the names it is registered under", "[unit][actions]") {
  auto runner = std::make_shared<CountingRunner>();
  rt::ActionTable table;
  REQUIRE(table.add("http", runner).ok());
  auto r = table.run(request("http"));
  REQUIRE(r.ok);
  CHECK(r.output["ran"] == "http");
  CHECK(runner->calls == 1);
  CHECK_FALSE(table.run(request("https")).ok);
  CHECK(runner->calls == 1);
}

TEST_CASE("action table: wrap replaces every handler and sees its name", "[unit][actions]") {
  rt::ActionTable table;
  REQUIRE(table.add("a", echo("a")).ok());
  REQUIRE(table.add("b", echo("b")).ok());
  std::vector<std::string> wrapped;
  table.wrap([&wrapped](const std::string& name, rt::ActionHandler inner) -> rt::ActionHandler {
    wrapped.push_back(name);
    return [inner, name](const rt::ActionRequest& r) {
      auto out = inner(r);
      out.output["wrapped_as"] = name;
      return out;
    };
  });
  CHECK(wrapped == std::vector<std::string>{"a", "b"});
  auto r = table.run(request("b"));
  CHECK(r.output["tag"] == "b");
  CHECK(r.output["wrapped_as"] == "b");
}

TEST_CASE("action table: a throwing handler's exception reaches the caller", "[unit][actions]") {
  rt::ActionTable table;
  REQUIRE(table
              .add("boom",
                   [](const rt::ActionRequest&) -> rt::ActionResult {
                     throw std::runtime_error("boom");
                   })
              .ok());
  CHECK_THROWS_WITH(table.run(request("boom")), "boom");
}
