// host::EngineBuilder: the one composition root. Modules open in order, register actions
// the executor finds by name, start with the executor and close in reverse after it; the
// configuration (clock, models policy, key) reaches the parts.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "apps/host/engine_builder.h"
#include "apps/host/module.h"
#include "engine/runtime/clock.h"

namespace host = ledgerflow::host;
namespace rt = ledgerflow::rt;
namespace fs = std::filesystem;
using ledgerflow::Result;

namespace {

class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("lf_host_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// What the modules saw, in order.
struct Log {
  std::mutex mu;
  std::vector<std::string> events;
  std::vector<std::string> calls_after_close;
  void add(std::string e) {
    std::lock_guard lock(mu);
    events.push_back(std::move(e));
  }
};

// Registers "<name>.echo" (and, if asked, an extra name); records its lifecycle.
class RecordingModule final : public host::Module {
 public:
  RecordingModule(std::string name, Log& log, std::string extra_action = "")
      : name_(std::move(name)), log_(log), extra_(std::move(extra_action)) {}
  std::string name() const override { return name_; }
  Result<void> open(const host::ModuleContext& c) override {
    log_.add("open:" + name_);
    database = c.config.database;
    clock = &c.clock;
    auto handler = [this](const rt::ActionRequest& r) {
      if (closed_) {
        std::lock_guard lock(log_.mu);
        log_.calls_after_close.push_back(r.action);
      }
      return rt::ActionResult::success({{"by", name_}, {"echo", r.args}});
    };
    if (auto added = c.actions.add(name_ + ".echo", handler); !added) return added;
    if (!extra_.empty()) return c.actions.add(extra_, handler);
    return {};
  }
  void started(rt::Executor& executor) override {
    log_.add("started:" + name_);
    this->executor = &executor;
  }
  void close() override {
    closed_ = true;
    log_.add("close:" + name_);
  }

  std::string database;
  const rt::Clock* clock = nullptr;
  rt::Executor* executor = nullptr;

 private:
  std::string name_;
  Log& log_;
  std::string extra_;
  std::atomic<bool> closed_{false};
};

host::EngineConfig config_for(const ScratchDir& dir) {
  host::EngineConfig c;
  c.database = dir.file("lf.db");
  c.synchronous_full = false;
  c.pseudonym_key = "test-key";
  c.shards = 1;
  c.effect_threads = 2;
  return c;
}

void deploy_ok(host::Engine& e, const std::string& yaml) {
  auto d = e.definitions().deploy(yaml, ledgerflow::def::Format::yaml, "olga", e.clock().now_us());
  REQUIRE(d.ok());
  INFO((d->problems.empty() ? "" : d->problems.front().message));
  REQUIRE(d->problems.empty());
}

rt::InstanceRecord run(host::Engine& e, const std::string& workflow) {
  rt::StartRequest r;
  r.workflow = workflow;
  r.actor = {"alice", {"ap_clerk"}};
  auto started = e.executor().start_sync(std::move(r));
  REQUIRE(started.ok());
  e.settle();
  auto rec = e.store().instance(started->id);
  REQUIRE(rec.ok());
  return *rec;
}

const char* kTwoActions = R"(
workflow: two
start: a
states:
  a: {type: task, action: first.echo, with: {n: 1}, output: a, next: b}
  b: {type: task, action: second.echo, with: {n: 2}, output: b, next: done}
  done: {type: succeed}
)";

const char* kScoreFlow = R"(
workflow: scored
input: {schema: {type: object, required: [invoice], properties: {invoice: {type: object, required: [amount], properties: {amount: {type: number}}}}}}
start: score
states:
  score: {type: score, model: risk, features: {amount: invoice.amount}, output: risk, next: done}
  done: {type: succeed}
)";

}  // namespace

TEST_CASE(
    "engine builder: modules' actions run by name; modules close in reverse, after the "
    "executor",
    "[unit][host]") {
  ScratchDir dir;
  Log log;
  auto first = std::make_shared<RecordingModule>("first", log);
  auto second = std::make_shared<RecordingModule>("second", log);
  {
    host::EngineBuilder builder(config_for(dir));
    builder.add(first).add(second);
    auto built = builder.build();
    REQUIRE(built.ok());
    host::Engine& e = **built;
    CHECK(first->database == dir.file("lf.db"));
    CHECK(first->clock == &e.clock());
    CHECK(second->executor == &e.executor());
    deploy_ok(e, kTwoActions);
    auto rec = run(e, "two");
    CHECK(rec.status == rt::InstanceStatus::succeeded);
    CHECK(rec.state["data"]["a"]["by"] == "first");
    CHECK(rec.state["data"]["b"]["by"] == "second");
    CHECK(rec.state["data"]["b"]["echo"]["n"] == 2);
    // Leave actions in flight: the executor must be gone before a module closes.
    for (int i = 0; i < 20; ++i) {
      rt::StartRequest r;
      r.workflow = "two";
      e.executor().start(std::move(r), nullptr);
    }
  }
  CHECK(log.events == std::vector<std::string>{"open:first", "open:second", "started:first",
                                               "started:second", "close:second", "close:first"});
  CHECK(log.calls_after_close.empty());
}

TEST_CASE("engine builder: two modules claiming one action do not build; the opened ones close",
          "[unit][host]") {
  ScratchDir dir;
  Log log;
  host::EngineBuilder builder(config_for(dir));
  builder.add(std::make_shared<RecordingModule>("first", log, "ledger.post"));
  builder.add(std::make_shared<RecordingModule>("second", log, "ledger.post"));
  auto built = builder.build();
  REQUIRE_FALSE(built.ok());
  CHECK(built.error().message == "second: action 'ledger.post' is registered twice");
  CHECK(log.events == std::vector<std::string>{"open:first", "open:second", "close:first"});
}

TEST_CASE("engine builder: add_action and wrap_actions reach the executor", "[unit][host]") {
  ScratchDir dir;
  std::atomic<int> wrapped_calls{0};
  host::EngineBuilder builder(config_for(dir));
  builder.add_action("first.echo", [](const rt::ActionRequest&) {
    return rt::ActionResult::success({{"x", 1}});
  });
  builder.add_action("second.echo", [](const rt::ActionRequest&) {
    return rt::ActionResult::failure("action_error", "refused");
  });
  builder.wrap_actions([&wrapped_calls](const std::string&, rt::ActionHandler inner) {
    return [&wrapped_calls, inner](const rt::ActionRequest& r) {
      ++wrapped_calls;
      return inner(r);
    };
  });
  auto built = builder.build();
  REQUIRE(built.ok());
  deploy_ok(**built, kTwoActions);
  auto rec = run(**built, "two");
  CHECK(rec.status == rt::InstanceStatus::failed);
  CHECK(rec.state.value("error_message", std::string()).find("refused") != std::string::npos);
  CHECK(wrapped_calls == 2);
}

TEST_CASE(
    "engine builder: without models, score states deploy only when models are not "
    "required",
    "[unit][host]") {
  ScratchDir dir;
  SECTION("required (the daemon)") {
    auto c = config_for(dir);
    c.require_models = true;
    auto built = host::EngineBuilder(c).build();
    REQUIRE(built.ok());
    CHECK((*built)->scorers() == nullptr);
    auto d = (*built)->definitions().deploy(kScoreFlow, ledgerflow::def::Format::yaml, "olga", 0);
    REQUIRE(d.ok());
    REQUIRE_FALSE(d->problems.empty());
    CHECK_THAT(d->problems.front().message, Catch::Contains("no models directory is configured"));
  }
  SECTION("a missing directory, required") {
    auto c = config_for(dir);
    c.require_models = true;
    c.models = dir.file("no-such-models");
    auto built = host::EngineBuilder(c).build();
    REQUIRE(built.ok());
    auto d = (*built)->definitions().deploy(kScoreFlow, ledgerflow::def::Format::yaml, "olga", 0);
    REQUIRE(d.ok());
    REQUIRE_FALSE(d->problems.empty());
    CHECK_THAT(d->problems.front().message, Catch::Contains("does not exist"));
  }
  SECTION("not required (the CLI)") {
    auto built = host::EngineBuilder(config_for(dir)).build();
    REQUIRE(built.ok());
    auto d = (*built)->definitions().deploy(kScoreFlow, ledgerflow::def::Format::yaml, "olga", 0);
    REQUIRE(d.ok());
    CHECK(d->problems.empty());
  }
}

TEST_CASE("engine builder: the configured clock drives timers; settle fires what is due",
          "[unit][host]") {
  ScratchDir dir;
  rt::FakeClock clock;
  auto c = config_for(dir);
  c.clock = &clock;
  auto built = host::EngineBuilder(c).build();
  REQUIRE(built.ok());
  host::Engine& e = **built;
  CHECK(&e.clock() == &clock);
  deploy_ok(e,
            "workflow: w\nstart: a\nstates:\n  a: {type: wait, duration: PT1H, next: b}\n"
            "  b: {type: succeed}\n");
  auto rec = run(e, "w");
  CHECK(rec.status == rt::InstanceStatus::waiting);  // the timer is not due by the fake clock
  clock.advance_ms(2 * 3600 * 1000);
  e.settle();
  auto after = e.store().instance(rec.id);
  REQUIRE(after.ok());
  CHECK(after->status == rt::InstanceStatus::succeeded);
}

TEST_CASE("engine builder: the pseudonym key comes from the key file unless given",
          "[unit][host]") {
  ScratchDir dir;
  SECTION("given: no file") {
    auto built = host::EngineBuilder(config_for(dir)).build();
    REQUIRE(built.ok());
    CHECK_FALSE(fs::exists(dir.file("lf.db.hmac-key")));
  }
  SECTION("not given: <database>.hmac-key, created once") {
    auto c = config_for(dir);
    c.pseudonym_key.reset();
    auto built = host::EngineBuilder(c).build();
    REQUIRE(built.ok());
    CHECK(fs::exists(dir.file("lf.db.hmac-key")));
  }
  SECTION("a configured key file that is missing fails the build") {
    auto c = config_for(dir);
    c.pseudonym_key.reset();
    c.hmac_key_file = dir.file("absent.key");
    CHECK_FALSE(host::EngineBuilder(c).build().ok());
  }
}
