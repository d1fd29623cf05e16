// The pure transition function, state type by state type, with a fake clock.
#include <catch2/catch.hpp>

#include "support/step_harness.h"

using ledgerflow::testing::StepHarness;
using namespace ledgerflow;

namespace {

const rt::Actor kBob{"bob", {"ap_manager"}};
const rt::Actor kCarol{"carol", {"finance_director"}};
const rt::Actor kAlice{"alice", {"ap_clerk"}};
const rt::Actor kErin{"erin", {"collector"}};

void require_ok(const Result<void>& r) {
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
}

// Replaying the recorded events reproduces the stored state exactly.
void check_replay(const StepHarness& h) {
  auto replayed = rt::replay(*h.def, h.history);
  INFO((replayed.ok() ? std::string() : replayed.error().message));
  REQUIRE(replayed.ok());
  CHECK(replayed->state == h.rec.state);
  CHECK(replayed->status == h.rec.status);
  CHECK(replayed->seq == h.rec.seq);
}

}  // namespace

TEST_CASE("set, choice and succeed run inline in one step", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: a
states:
  a: {type: task, action: set, with: {total: "${x * 2}"}, next: b}
  b:
    type: choice
    choices: [{when: total > 10, next: big}]
    default: small
  big: {type: succeed, result: {size: big}}
  small: {type: succeed}
)");
  require_ok(h.start({{"x", 6}}));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.rec.state["result"] == nlohmann::json{{"size", "big"}});
  CHECK(h.data()["total"] == 12);
  check_replay(h);
}

TEST_CASE("input.schema is checked at start and names the path", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
input:
  schema:
    type: object
    required: [invoice]
    properties:
      invoice: {type: object, properties: {amount: {type: number}}}
start: a
states:
  a: {type: succeed}
)");
  auto r = h.start({{"invoice", {{"amount", "lots"}}}});
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(r.error().message, Catch::Contains("/invoice/amount"));
  CHECK_FALSE(h.started);
}

TEST_CASE("task actions become effects and their output is stored", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: call
states:
  call:
    type: task
    action: ap.check
    with: {id: "${invoice.id}"}
    output: check
    next: done
  done: {type: succeed}
)");
  require_ok(h.start({{"invoice", {{"id", "I-1"}}}}));
  CHECK(h.rec.status == rt::InstanceStatus::running);
  const auto* e = h.effect("action");
  REQUIRE(e);
  CHECK(e->payload["action"] == "ap.check");
  CHECK(e->payload["args"]["id"] == "I-1");
  CHECK(e->payload["idempotency_key"] == "inst1:call:1");
  require_ok(h.complete_effect("action", {{"ok", true}}));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["check"]["ok"] == true);
  CHECK(h.outbox.empty());
  check_replay(h);
}

TEST_CASE("emit publishes an event", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: e
states:
  e: {type: task, action: emit, with: {event: invoice.flagged, data: {id: "${id}"}}, next: done}
  done: {type: succeed}
)");
  require_ok(h.start({{"id", "X"}}));
  auto it = std::find_if(h.events.begin(), h.events.end(),
                         [](const auto& e) { return e.kind == "emit"; });
  REQUIRE(it != h.events.end());
  CHECK(it->payload["event"] == "invoice.flagged");
  CHECK(it->payload["data"]["id"] == "X");
}

TEST_CASE("score sends numeric features and records the decision", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: s
states:
  s:
    type: score
    model: risk@champion
    features: {amount: invoice.amount, flagged: invoice.flagged, missing: invoice.nothing}
    explain: 2
    output: risk
    next: done
  done: {type: succeed}
)");
  require_ok(h.start({{"invoice", {{"amount", 12.5}, {"flagged", true}}}}));
  const auto* e = h.effect("score");
  REQUIRE(e);
  CHECK(e->payload["features"]["amount"] == 12.5);
  CHECK(e->payload["features"]["flagged"] == 1.0);
  CHECK(e->payload["features"]["missing"].is_null());
  require_ok(h.complete_effect("score", {{"score", 0.8}, {"model", "risk"}, {"version", "2"}}));
  auto decision = std::find_if(h.history.begin(), h.history.end(),
                               [](const auto& x) { return x.type == "decision"; });
  REQUIRE(decision != h.history.end());
  CHECK(decision->data["version"] == "2");
  CHECK(h.data()["risk"]["score"] == 0.8);
  check_replay(h);
}

TEST_CASE("decide: hit policies first, unique and collect", "[unit][runtime]") {
  auto make = [](const std::string& hit) {
    return R"(
workflow: t
start: d
states:
  d:
    type: decide
    hit: )" +
           hit + R"(
    rules:
      - {when: amount < 1000, result: {tier: auto}}
      - {when: amount < 10000, result: {tier: manager}}
    default: {tier: director}
    output: tier
    next: done
  done: {type: succeed}
)";
  };
  SECTION("first") {
    StepHarness h(make("first"));
    require_ok(h.start({{"amount", 500}}));
    CHECK(h.data()["tier"]["tier"] == "auto");
  }
  SECTION("default") {
    StepHarness h(make("first"));
    require_ok(h.start({{"amount", 50000}}));
    CHECK(h.data()["tier"]["tier"] == "director");
  }
  SECTION("collect") {
    StepHarness h(make("collect"));
    require_ok(h.start({{"amount", 500}}));
    CHECK(h.data()["tier"].size() == 2);
  }
  SECTION("unique fails when several match") {
    StepHarness h(make("unique"));
    require_ok(h.start({{"amount", 500}}));
    CHECK(h.rec.status == rt::InstanceStatus::failed);
    CHECK(h.rec.state["error"] == "rule_conflict");
  }
}

TEST_CASE("expression errors fail the state with expression_error", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: c
states:
  c:
    type: choice
    choices: [{when: amount + 1 > 5, next: done}]
    default: done
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  CHECK(h.rec.state["error"] == "expression_error");
  CHECK_THAT(h.rec.state["error_message"].get<std::string>(), Catch::Contains("amount + 1"));
}

TEST_CASE("retry with exponential backoff, then catch", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: call
states:
  call:
    type: task
    action: erp.post
    retry: [{errors: [http_error], max_attempts: 3, initial: PT1S, max: PT10S, jitter: false}]
    catch: [{errors: [any], next: manual, output: failure}]
    next: done
  manual: {type: succeed}
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  require_ok(h.fail_effect("action", "http_error", "503"));
  CHECK(h.rec.status == rt::InstanceStatus::waiting);
  REQUIRE(h.timers.size() == 1);
  CHECK(h.timers.begin()->second.due_at_us == h.now + 1'000'000);
  h.advance_ms(1000);
  REQUIRE(h.effect("action"));
  CHECK(h.effect("action")->payload["attempt"] == 2);
  CHECK(h.effect("action")->payload["idempotency_key"] == "inst1:call:2");
  require_ok(h.fail_effect("action", "http_error", "503"));
  REQUIRE(h.timers.size() == 1);
  CHECK(h.timers.begin()->second.due_at_us == h.now + 2'000'000);  // doubled
  h.advance_ms(2000);
  require_ok(h.fail_effect("action", "http_error", "503 again"));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["failure"]["error"] == "http_error");
  CHECK(h.rec.state["frames"].empty());
  check_replay(h);
}

TEST_CASE("an error nobody catches fails the instance", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: call
states:
  call: {type: task, action: erp.post, next: done}
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  require_ok(h.fail_effect("action", "http_error", "down"));
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  CHECK(h.rec.state["error"] == "http_error");
}

TEST_CASE("state timeout fails with timeout and a late result is ignored", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: call
states:
  call:
    type: task
    action: slow.thing
    timeout: PT5S
    catch: [{errors: [timeout], next: late}]
    next: done
  late: {type: fail, error: too_slow}
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  std::string effect_id = h.effect("action")->id;
  h.advance_ms(5000);
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  CHECK(h.rec.state["error"] == "too_slow");
  rt::Event late;
  late.type = rt::Event::Type::effect_result;
  late.effect_id = effect_id;
  // A late result is consumed (its outbox entry is done) and changes nothing else.
  require_ok(h.send(late));
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  CHECK(h.history.back().type == "effect_ignored");
  CHECK(h.outbox.empty());
}

TEST_CASE("instance timeout", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
timeout: PT1H
start: w
states:
  w: {type: wait, signal: never, next: done}
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  h.advance_ms(3600 * 1000);
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  CHECK(h.rec.state["error"] == "timeout");
  CHECK(h.timers.empty());
}

TEST_CASE("wait: duration, until and signal with correlation", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: pause
states:
  pause: {type: wait, duration: P1D, next: until}
  until: {type: wait, until: 'date("2026-01-05")', next: paid}
  paid: {type: wait, signal: payment, correlation: invoice_id, output: payment, next: done}
  done: {type: succeed}
)");
  require_ok(h.start({{"invoice_id", "I-9"}}));
  CHECK(h.rec.status == rt::InstanceStatus::waiting);
  h.advance_ms(24LL * 3600 * 1000);
  CHECK(h.rec.state["frames"][0]["state"] == "until");
  h.advance_ms(3LL * 24 * 3600 * 1000);
  CHECK(h.rec.state["frames"][0]["state"] == "paid");
  rt::Event s;
  s.type = rt::Event::Type::signal;
  s.name = "payment";
  s.correlation = "I-other";
  auto wrong = h.send(s);
  REQUIRE_FALSE(wrong.ok());
  CHECK(wrong.error().code == ErrorCode::conflict);
  s.correlation = "I-9";
  s.payload = {{"amount", 10}};
  require_ok(h.send(s));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["payment"]["amount"] == 10);
  check_replay(h);
}

TEST_CASE("a signal to a finished instance is a conflict", "[unit][runtime]") {
  StepHarness h("workflow: t\nstart: a\nstates: {a: {type: succeed}}\n");
  require_ok(h.start(nlohmann::json::object()));
  rt::Event s;
  s.type = rt::Event::Type::signal;
  s.name = "x";
  auto r = h.send(s);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::conflict);
}

TEST_CASE("parallel join all collects branch results in order", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: p
states:
  p:
    type: parallel
    branches:
      - start: b1
        states:
          b1: {type: task, action: svc.one, output: r, next: b1done}
          b1done: {type: succeed, result: "${r.v}"}
      - start: b2
        states:
          b2: {type: succeed, result: two}
    output: results
    next: done
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  CHECK(h.rec.status == rt::InstanceStatus::running);
  require_ok(h.complete_effect("action", {{"v", "one"}}));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["results"] == nlohmann::json::array({"one", "two"}));
  check_replay(h);
}

TEST_CASE("parallel join any cancels the others", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: p
states:
  p:
    type: parallel
    join: any
    branches:
      - start: timer
        states:
          timer: {type: wait, duration: PT1H, next: t_done}
          t_done: {type: succeed, result: timeout}
      - start: sig
        states:
          sig: {type: wait, signal: paid, next: s_done}
          s_done: {type: succeed, result: paid}
    output: first
    next: done
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  CHECK(h.timers.size() == 1);
  rt::Event s;
  s.type = rt::Event::Type::signal;
  s.name = "paid";
  require_ok(h.send(s));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["first"] == "paid");
  CHECK(h.timers.empty());  // the losing branch's timer was disarmed
  check_replay(h);
}

TEST_CASE("a failing branch fails the parallel state", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: p
states:
  p:
    type: parallel
    branches:
      - start: ok
        states: {ok: {type: wait, signal: s, next: okd}, okd: {type: succeed}}
      - start: bad
        states: {bad: {type: fail, error: broken}}
    catch: [{errors: [broken], next: handled}]
    next: done
  handled: {type: succeed, result: handled}
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.rec.state["result"] == "handled");
}

TEST_CASE("map runs one iteration per item with a concurrency bound, results in order",
          "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: m
states:
  m:
    type: map
    items: lines
    max_concurrency: 2
    iterator:
      start: price
      states:
        price: {type: task, action: svc.price, output: p, next: total}
        total: {type: succeed, result: "${qty * p.unit}"}
    output: totals
    next: done
  done: {type: succeed}
)");
  require_ok(h.start({{"lines", {{{"qty", 1}}, {{"qty", 2}}, {{"qty", 3}}}}}));
  auto pending = [&]() {
    return std::count_if(h.outbox.begin(), h.outbox.end(),
                         [](const auto& o) { return o.kind == "action"; });
  };
  CHECK(pending() == 2);  // bounded
  // Finish the second item first: results still land in item order.
  auto second = h.outbox[1];
  rt::Event e;
  e.type = rt::Event::Type::effect_result;
  e.effect_id = second.id;
  e.output = {{"unit", 10}};
  require_ok(h.send(e));
  CHECK(pending() == 2);  // the third item started
  require_ok(h.complete_effect("action", {{"unit", 1}}));
  require_ok(h.complete_effect("action", {{"unit", 100}}));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["totals"] == nlohmann::json::array({1, 20, 300}));
  check_replay(h);
}

TEST_CASE("map over an empty list completes at once", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: m
states:
  m:
    type: map
    items: lines
    iterator: {start: x, states: {x: {type: succeed}}}
    output: out
    next: done
  done: {type: succeed}
)");
  require_ok(h.start({{"lines", nlohmann::json::array()}}));
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  CHECK(h.data()["out"] == nlohmann::json::array());
}

TEST_CASE("subflow starts a child instance and takes its result", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: child
states:
  child: {type: subflow, workflow: other, input: {x: "${x}"}, output: child, next: done}
  done: {type: succeed}
)");
  require_ok(h.start({{"x", 1}}));
  const auto* e = h.effect("start_child");
  REQUIRE(e);
  CHECK(e->payload["workflow"] == "other");
  CHECK(e->payload["input"]["x"] == 1);
  CHECK(e->payload["child_id"] == "inst1-c1");
  require_ok(h.complete_effect("start_child", {{"y", 2}}));
  CHECK(h.data()["child"]["y"] == 2);
  CHECK(h.rec.status == rt::InstanceStatus::succeeded);
}

TEST_CASE("cancel finishes the instance and cancels open tasks", "[unit][runtime]") {
  StepHarness h(R"(
workflow: t
start: a
states:
  a: {type: approval, candidates: {roles: [ap_manager]}, on: {approved: done}}
  done: {type: succeed}
)");
  require_ok(h.start(nlohmann::json::object()));
  REQUIRE(h.open_task());
  rt::Event c;
  c.type = rt::Event::Type::cancel;
  require_ok(h.send(c, kBob));
  CHECK(h.rec.status == rt::InstanceStatus::cancelled);
  CHECK(h.open_task() == nullptr);
  CHECK(h.send(c).error().code == ErrorCode::conflict);
}
