// Retry jitter is a specified function (jitter.h), so these values hold on every
// platform and standard library; a change here changes stored retry due times.
#include <catch2/catch.hpp>

#include "engine/runtime/jitter.h"
#include "support/step_harness.h"

using namespace ledgerflow;

TEST_CASE("jitter: FNV-1a 64 matches the published test vectors", "[unit][runtime][jitter]") {
  CHECK(rt::fnv1a64("") == 0xcbf29ce484222325ULL);
  CHECK(rt::fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
  CHECK(rt::fnv1a64("foobar") == 0x85944171f73967e8ULL);
}

TEST_CASE("jitter: golden draws over (instance, state, attempt)", "[unit][runtime][jitter]") {
  // fnv1a64("inst1\0post\01") = 0x4225222ed8669c75, mod 1000 = 429.
  CHECK(rt::fnv1a64(std::string_view("inst1\0post\0"
                                     "1",
                                     12)) == 0x4225222ed8669c75ULL);
  CHECK(rt::retry_jitter_permille(rt::kJitterFnv1a, "inst1", "post", 1) == 429);
  CHECK(rt::retry_jitter_permille(rt::kJitterFnv1a, "inst1", "post", 2) == 796);
  CHECK(rt::retry_jitter_permille(rt::kJitterFnv1a, "0001767225600000-00001a2b3c", "charge", 7) ==
        197);
}

namespace {

const char* kRetry = R"(
workflow: retrying
start: post
states:
  post:
    type: task
    action: erp.post
    retry: [{errors: [http_error], max_attempts: 3, initial: PT2S, max: PT1M}]
    next: done
  done: {type: succeed}
)";

std::int64_t first_retry_delay(const ledgerflow::testing::StepHarness& h) {
  for (const auto& r : h.history) {
    if (r.type == "retry_scheduled") return r.data["delay_ms"].get<std::int64_t>();
  }
  return -1;
}

}  // namespace

TEST_CASE("jitter: a retry's delay follows the specified draw, and replay agrees",
          "[unit][runtime][jitter]") {
  ledgerflow::testing::StepHarness h(kRetry);
  REQUIRE(h.start(nlohmann::json::object()).ok());
  REQUIRE(h.fail_effect("action", "http_error", "down").ok());
  // 2000 ms, jitter 429/999 of the upper half: 1000 + 1000 * 429 / 999 = 1429.
  CHECK(first_retry_delay(h) == 1429);
  CHECK(h.rec.state["jitter"] == rt::kJitterFnv1a);
  auto replayed = rt::replay(*h.def, h.history);
  REQUIRE(replayed.ok());
  CHECK(replayed->state == h.rec.state);
}

TEST_CASE("jitter: an instance recorded before the scheme replays with its own draw",
          "[unit][runtime][jitter]") {
  // A history written by an earlier build: the start event names no "jitter" scheme.
  ledgerflow::testing::StepHarness h(kRetry);
  REQUIRE(h.start(nlohmann::json::object()).ok());
  auto history = h.history;
  history.front().data.erase("jitter");
  auto replayed = rt::replay(*h.def, history);
  REQUIRE(replayed.ok());
  CHECK_FALSE(replayed->state.contains("jitter"));
  // Its retries keep drawing the way they did when it was recorded.
  rt::Event fail;
  fail.type = rt::Event::Type::effect_result;
  fail.effect_id = h.outbox.at(0).id;
  fail.ok = false;
  fail.error = "http_error";
  rt::StepContext ctx;
  ctx.now_us = h.now;
  auto t = rt::step(*h.def, &*replayed, fail, ctx);
  REQUIRE(t.ok());
  std::uint32_t legacy = rt::retry_jitter_permille("", "inst1", "post", 1);
  std::int64_t expected = static_cast<std::int64_t>(1000 + 1000.0 * legacy / 999.0);
  bool found = false;
  for (const auto& r : t->history) {
    if (r.type != "retry_scheduled") continue;
    found = true;
    CHECK(r.data["delay_ms"].get<std::int64_t>() == expected);
  }
  CHECK(found);
}
