// Golden traces: a definition, a script of events, and the exact history they must
// produce (tests/data/traces/<name>/). Run with LF_UPDATE_GOLDEN=1 to rewrite the
// expected files after an intended change, then review the diff.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/step_harness.h"

using ledgerflow::testing::StepHarness;
using namespace ledgerflow;

namespace {

std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

rt::Actor actor_of(const nlohmann::json& step) {
  rt::Actor a;
  if (!step.contains("as")) return a;
  a.user = step["as"].value("user", std::string("system"));
  a.roles = step["as"].value("roles", std::vector<std::string>());
  return a;
}

// Runs one script step; returns a line describing its outcome for the trace.
std::string run_step(StepHarness& h, const nlohmann::json& s) {
  Result<void> r;
  if (s.contains("start")) {
    r = h.start(s["start"], actor_of(s));
  } else if (s.contains("advance_ms")) {
    h.advance_ms(s["advance_ms"].get<std::int64_t>());
  } else if (s.contains("complete_effect")) {
    r = h.complete_effect(s["complete_effect"], s.value("output", nlohmann::json()));
  } else if (s.contains("fail_effect")) {
    r = h.fail_effect(s["fail_effect"], s.value("error", std::string("action_error")),
                      s.value("message", ""));
  } else if (s.contains("task")) {
    const auto* t = h.open_task();
    if (!t) return "no open task";
    r = h.act(t->id, s["task"].get<std::string>(), actor_of(s));
  } else if (s.contains("signal")) {
    rt::Event e;
    e.type = rt::Event::Type::signal;
    e.name = s["signal"];
    e.correlation = s.value("correlation", nlohmann::json());
    e.payload = s.value("payload", nlohmann::json());
    r = h.send(e, actor_of(s));
  }
  return r.ok() ? "ok"
                : "error " + std::string(to_string(r.error().code)) + ": " + r.error().message;
}

}  // namespace

TEST_CASE("golden traces", "[unit][runtime][golden]") {
  const auto root = std::filesystem::path(LF_SOURCE_DIR) / "tests/data/traces";
  int count = 0;
  for (const auto& dir : std::filesystem::directory_iterator(root)) {
    if (!dir.is_directory()) continue;
    ++count;
    SECTION(dir.path().filename().string()) {
      StepHarness h(slurp(dir.path() / "definition.yaml"));
      auto script = nlohmann::json::parse(slurp(dir.path() / "events.json"));
      nlohmann::json trace = nlohmann::json::array();
      for (const auto& s : script) {
        trace.push_back({{"step", s}, {"result", run_step(h, s)}});
      }
      nlohmann::json history = nlohmann::json::array();
      for (const auto& rec : h.history) {
        history.push_back({{"seq", rec.seq},
                           {"type", rec.type},
                           {"state", rec.state},
                           {"actor", rec.actor},
                           {"data", rec.data}});
      }
      nlohmann::json actual = {
          {"results", trace}, {"status", rt::to_string(h.rec.status)}, {"history", history}};
      auto expected_path = dir.path() / "expected.json";
      if (std::getenv("LF_UPDATE_GOLDEN")) std::ofstream(expected_path) << actual.dump(2) << "\n";
      auto expected = nlohmann::json::parse(slurp(expected_path));
      INFO("diff: " << nlohmann::json::diff(expected, actual).dump(2));
      CHECK(actual == expected);
      auto replayed = rt::replay(*h.def, h.history);
      REQUIRE(replayed.ok());
      CHECK(replayed->state == h.rec.state);
    }
  }
  CHECK(count >= 3);
}
