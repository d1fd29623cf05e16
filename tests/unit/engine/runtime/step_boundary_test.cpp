// step()'s exception boundary: whatever throws inside a step fails that instance with
// the error recorded (error "internal_error", the exception's message), replay agrees,
// and the executor keeps serving every other instance.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <atomic>
#include <filesystem>

#include "engine/runtime/executor.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/step_harness.h"

using ledgerflow::testing::StepHarness;
using namespace ledgerflow;

namespace {

// `set` writes to data paths its `with` keys name; an index past kMaxPathIndex throws
// std::out_of_range inside step().
const char* kThrowsAfterAction = R"(
workflow: wide
start: fetch
states:
  fetch: {type: task, action: fake.fetch, output: fetched, next: spread}
  spread: {type: task, action: set, with: {"rows[1000000]": "${fetched}"}, next: done}
  done: {type: succeed}
)";

const char* kThrowsAtStart = R"(
workflow: wide_at_start
start: spread
states:
  spread: {type: task, action: set, with: {"rows[1000000]": 1}, next: done}
  done: {type: succeed}
)";

const char* kFine = R"(
workflow: fine
start: fetch
states:
  fetch: {type: task, action: fake.fetch, output: fetched, next: done}
  done: {type: succeed}
)";

const char* kApproval = R"(
workflow: approve
start: approve
states:
  approve:
    type: approval
    candidates: {roles: [ap_manager]}
    on: {approved: done, rejected: done}
  done: {type: succeed}
)";

const rt::HistoryRecord* find(const std::vector<rt::HistoryRecord>& h, const std::string& type) {
  for (const auto& r : h) {
    if (r.type == type) return &r;
  }
  return nullptr;
}

void check_failed_with_internal_error(const std::vector<rt::HistoryRecord>& history) {
  const auto* failed = find(history, "instance_failed");
  REQUIRE(failed != nullptr);
  CHECK(failed->data["error"] == "internal_error");
  CHECK(failed->data["message"].get<std::string>().find("rows[1000000]") != std::string::npos);
}

}  // namespace

TEST_CASE("step: an exception inside a step fails the instance with the error recorded",
          "[unit][runtime][boundary]") {
  StepHarness h(kThrowsAfterAction);
  REQUIRE(h.start(nlohmann::json::object()).ok());
  REQUIRE(h.outbox.size() == 1);
  rt::Event result;
  result.type = rt::Event::Type::effect_result;
  result.effect_id = h.outbox[0].id;
  result.ok = true;
  result.output = {{"n", 3}};
  auto r = h.send(result);
  INFO((r.ok() ? std::string() : r.error().message));
  REQUIRE(r.ok());
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  check_failed_with_internal_error(h.history);
  // The event that caused it is recorded, so replay throws again and agrees.
  auto replayed = rt::replay(*h.def, h.history);
  REQUIRE(replayed.ok());
  CHECK(replayed->status == rt::InstanceStatus::failed);
  CHECK(replayed->state == h.rec.state);
  CHECK(replayed->seq == h.rec.seq);
}

TEST_CASE("step: an exception in a start event creates the instance failed",
          "[unit][runtime][boundary]") {
  StepHarness h(kThrowsAtStart);
  REQUIRE(h.start(nlohmann::json::object()).ok());
  CHECK(h.rec.id == "inst1");
  CHECK(h.rec.status == rt::InstanceStatus::failed);
  check_failed_with_internal_error(h.history);
  REQUIRE(find(h.history, "instance_started") != nullptr);
  auto replayed = rt::replay(*h.def, h.history);
  REQUIRE(replayed.ok());
  CHECK(replayed->state == h.rec.state);
}

TEST_CASE("step: a damaged approval task is refused as corrupt, not thrown",
          "[unit][runtime][boundary]") {
  StepHarness h(kApproval);
  REQUIRE(h.start(nlohmann::json::object()).ok());
  REQUIRE(h.tasks.size() == 1);
  std::string task = h.tasks.begin()->first;
  SECTION("a task with no id") {
    for (auto& f : h.rec.state["frames"]) f["task"].erase("id");
    rt::Event e;
    e.type = rt::Event::Type::task_complete;
    e.task_id = task;
    e.outcome = "approved";
    auto r = h.send(e, {"bob", {"ap_manager"}});
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == ErrorCode::corruption);
  }
  SECTION("a task missing its lists reads them as empty") {
    for (auto& f : h.rec.state["frames"]) {
      f["task"].erase("forbidden");
      f["task"].erase("approvals");
      f["task"].erase("delegates");
    }
    rt::Event e;
    e.type = rt::Event::Type::task_complete;
    e.task_id = task;
    e.outcome = "approved";
    auto r = h.send(e, {"bob", {"ap_manager"}});
    INFO((r.ok() ? std::string() : r.error().message));
    REQUIRE(r.ok());
    CHECK(h.rec.status == rt::InstanceStatus::succeeded);
  }
}

namespace {

class FetchRunner : public rt::ActionRunner {
 public:
  rt::ActionResult run(const rt::ActionRequest&) override {
    return rt::ActionResult::success({{"n", 3}});
  }
};

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("lf_boundary_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("executor: a step that throws fails its instance and the others carry on",
          "[unit][runtime][executor][boundary]") {
  TempDir dir;
  storage::SqliteOptions o;
  o.path = (dir.path / "lf.db").string();
  auto opened = storage::SqliteStore::open(o);
  REQUIRE(opened.ok());
  std::unique_ptr<storage::SqliteStore> store = std::move(*opened);
  rt::FakeClock clock;
  rt::DefinitionRegistry defs(*store);
  for (const char* yaml : {kThrowsAfterAction, kFine}) {
    auto d = defs.deploy(yaml, def::Format::yaml, "olga", clock.now_us());
    REQUIRE(d.ok());
    REQUIRE(d->problems.empty());
  }
  auto exec = std::make_unique<rt::Executor>(
      *store, defs, clock, nullptr,
      [] {
          rt::ActionTable t;
          REQUIRE(t.add("fake.fetch", std::make_shared<FetchRunner>()).ok());
          return t;
        }());
  auto start = [&](const std::string& wf) {
    rt::StartRequest r;
    r.workflow = wf;
    r.actor = {"alice", {}};
    auto out = exec->start_sync(std::move(r));
    REQUIRE(out.ok());
    return out->id;
  };
  std::string bad = start("wide");
  std::string good = start("fine");
  exec->wait_idle();
  std::string after = start("fine");
  exec->wait_idle();

  auto bad_rec = store->instance(bad);
  REQUIRE(bad_rec.ok());
  CHECK(bad_rec->status == rt::InstanceStatus::failed);
  auto history = store->history(bad, 0, 1000);
  REQUIRE(history.ok());
  check_failed_with_internal_error(*history);
  for (const auto& id : {good, after}) {
    auto rec = store->instance(id);
    REQUIRE(rec.ok());
    CHECK(rec->status == rt::InstanceStatus::succeeded);
  }
  exec.reset();
}
