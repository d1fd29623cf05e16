// The executor on a real SQLite file: durable commands, effects after commit, timers,
// idempotency, versioning, subflows, recovery, and bad input that must leave nothing
// half-written while other instances carry on.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>

#include "engine/runtime/executor.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

using namespace ledgerflow;

namespace {

using test::TempDir;

// Records every request and answers from a script: ok with {echo: args}, or fails.
class FakeRunner : public rt::ActionRunner {
 public:
  rt::ActionResult run(const rt::ActionRequest& r) override {
    std::lock_guard lock(mu);
    requests.push_back(r);
    if (r.action == "fake.fail") return rt::ActionResult::failure("http_error", "down");
    if (r.action == "fake.throw") throw std::runtime_error("boom");
    if (r.action == "fake.block") {
      entered.set_value();
      release.get_future().wait();  // holds the (only) effect thread until the test says
    }
    return rt::ActionResult::success({{"echo", r.args}});
  }
  std::mutex mu;
  std::vector<rt::ActionRequest> requests;
  std::promise<void> entered;
  std::promise<void> release;
};

class FixedScorer : public scoring::Scorer {
 public:
  FixedScorer() { info_ = {"risk", "3", "logistic", "binary:logistic", {"amount"}}; }
  const scoring::ModelInfo& info() const override { return info_; }
  Result<scoring::ScoreResult> score(std::span<const double> x, std::size_t) const override {
    scoring::ScoreResult r;
    r.score = x[0] > 1000 ? 0.9 : 0.1;
    r.probability = r.score;
    r.contributions = {{"amount", x[0] / 1000}};
    return r;
  }
  scoring::ModelInfo info_;
};

class FixedRegistry : public scoring::ScorerRegistry {
 public:
  Result<std::shared_ptr<const scoring::Scorer>> resolve(std::string_view ref) const override {
    if (ref.substr(0, 4) != "risk")
      return Error{ErrorCode::not_found, "no model " + std::string(ref)};
    return std::shared_ptr<const scoring::Scorer>(std::make_shared<FixedScorer>());
  }
};

struct Engine {
  explicit Engine(const std::filesystem::path& db, std::int64_t max_page_count = 0,
                  std::size_t effect_threads = 4) {
    storage::SqliteOptions o;
    o.path = db.string();
    o.max_page_count = max_page_count;
    auto s = storage::SqliteStore::open(o);
    REQUIRE(s.ok());
    store = std::move(*s);
    defs = std::make_unique<rt::DefinitionRegistry>(*store);
    runner = std::make_shared<FakeRunner>();
    rt::ActionTable actions;
    for (const char* name : {"fake.check", "fake.fail", "fake.throw", "fake.block"}) {
      REQUIRE(actions.add(name, runner).ok());
    }
    rt::ExecutorOptions options;
    options.effect_threads = effect_threads;
    exec = std::make_unique<rt::Executor>(*store, *defs, clock, &scorers, std::move(actions),
                                          options);
    REQUIRE(exec->recover().ok());
  }
  ~Engine() {
    exec.reset();
    store.reset();
  }
  int deploy(const std::string& yaml) {
    auto d = defs->deploy(yaml, def::Format::yaml, "olga", clock.now_us());
    REQUIRE(d.ok());
    INFO((d->problems.empty() ? "" : d->problems[0].message));
    REQUIRE(d->problems.empty());
    return d->version;
  }
  Result<rt::InstanceRecord> start(const std::string& wf, nlohmann::json input,
                                   rt::Actor actor = {"alice", {"ap_clerk"}}, std::string key = "",
                                   std::string business_key = "") {
    rt::StartRequest r;
    r.workflow = wf;
    r.input = std::move(input);
    r.actor = std::move(actor);
    r.idempotency_key = std::move(key);
    r.business_key = std::move(business_key);
    auto out = exec->start_sync(std::move(r));
    exec->wait_idle();
    return out;
  }
  std::vector<rt::InstanceRecord> all() {
    auto r = store->instances(rt::InstanceFilter{});
    REQUIRE(r.ok());
    return *r;
  }
  std::size_t outbox_size() {
    auto r = store->outbox(100);
    REQUIRE(r.ok());
    return r->size();
  }
  rt::InstanceRecord get(const std::string& id) {
    auto r = store->instance(id);
    REQUIRE(r.ok());
    return *r;
  }
  std::string open_task(const std::string& instance) {
    rt::TaskFilter f;
    f.status = rt::TaskStatus::open;
    f.instance_id = instance;
    auto t = store->tasks(f);
    REQUIRE(t.ok());
    return t->empty() ? "" : t->front().id;
  }
  Result<rt::InstanceRecord> act(const std::string& task, const std::string& outcome,
                                 rt::Actor actor) {
    rt::Event e;
    e.type = rt::Event::Type::task_complete;
    e.task_id = task;
    e.outcome = outcome;
    auto r = exec->task_sync(std::move(e), std::move(actor));
    exec->wait_idle();
    return r;
  }
  rt::FakeClock clock;
  FixedRegistry scorers;
  std::unique_ptr<storage::SqliteStore> store;
  std::unique_ptr<rt::DefinitionRegistry> defs;
  std::shared_ptr<FakeRunner> runner;
  std::unique_ptr<rt::Executor> exec;
};

const char* kFlow = R"(
workflow: ap
input: {schema: {type: object, required: [invoice], properties: {invoice: {type: object, required: [amount], properties: {amount: {type: number}}}}}}
start: score
states:
  score: {type: score, model: risk, features: {amount: invoice.amount}, explain: 1, output: risk, next: check}
  check: {type: task, action: fake.check, with: {amount: "${invoice.amount}"}, output: check, next: route}
  route:
    type: choice
    choices: [{when: risk.probability < 0.5, next: done}]
    default: approve
  approve:
    type: approval
    candidates: {roles: [ap_manager]}
    on: {approved: done, rejected: rejected}
  done: {type: succeed}
  rejected: {type: fail, error: rejected}
)";

const rt::Actor kBob{"bob", {"ap_manager"}};

}  // namespace

TEST_CASE("executor: an instance runs through score, action and approval durably",
          "[unit][executor]") {
  TempDir dir;
  std::string id;
  {
    Engine e(dir.path() / "lf.db");
    e.deploy(kFlow);
    auto r = e.start("ap", {{"invoice", {{"amount", 5000}}}});
    REQUIRE(r.ok());
    id = r->id;
    auto rec = e.get(id);
    CHECK(rec.status == rt::InstanceStatus::waiting);
    REQUIRE(e.runner->requests.size() == 1);
    CHECK(e.runner->requests[0].args["amount"] == 5000);
    CHECK(e.runner->requests[0].idempotency_key == id + ":check:1");
    auto h = e.store->history(id, 0, 1000);
    REQUIRE(h.ok());
    auto decision =
        std::find_if(h->begin(), h->end(), [](const auto& x) { return x.type == "decision"; });
    REQUIRE(decision != h->end());
    CHECK(decision->data["model"] == "risk");
    CHECK(decision->data["version"] == "3");
    CHECK(decision->data["score"] == 0.9);
  }
  // A restart keeps the open task; completing it finishes the instance.
  Engine e(dir.path() / "lf.db");
  std::string task = e.open_task(id);
  REQUIRE_FALSE(task.empty());
  auto done = e.act(task, "approved", kBob);
  REQUIRE(done.ok());
  CHECK(e.get(id).status == rt::InstanceStatus::succeeded);
  auto h = e.store->history(id, 0, 1000);
  auto def = e.defs->get("ap", 1);
  auto replayed = rt::replay(**def, *h);
  REQUIRE(replayed.ok());
  CHECK(replayed->state == e.get(id).state);
}

TEST_CASE("executor: bad requests are refused and nothing is written", "[unit][executor]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db");
  e.deploy(kFlow);
  auto count = [&]() { return e.all().size(); };

  auto bad_input = e.start("ap", {{"invoice", {{"amount", "many"}}}});
  REQUIRE_FALSE(bad_input.ok());
  CHECK(bad_input.error().code == ErrorCode::invalid_argument);
  CHECK_THAT(bad_input.error().message, Catch::Contains("/invoice/amount"));
  CHECK(count() == 0);

  auto unknown = e.start("nope", nlohmann::json::object());
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == ErrorCode::not_found);

  auto ok = e.start("ap", {{"invoice", {{"amount", 5000}}}});
  REQUIRE(ok.ok());
  std::string task = e.open_task(ok->id);
  std::uint64_t seq = e.get(ok->id).seq;

  auto submitter = e.act(task, "approved", {"alice", {"ap_manager"}});
  REQUIRE_FALSE(submitter.ok());
  CHECK(submitter.error().code == ErrorCode::forbidden);
  auto outsider = e.act(task, "approved", {"erin", {"collector"}});
  REQUIRE_FALSE(outsider.ok());
  CHECK(outsider.error().code == ErrorCode::forbidden);
  CHECK(e.get(ok->id).seq == seq);  // refusals leave no trace in the history

  REQUIRE(e.act(task, "approved", kBob).ok());
  auto twice = e.act(task, "approved", {"ben", {"ap_manager"}});
  REQUIRE_FALSE(twice.ok());
  CHECK(twice.error().code == ErrorCode::conflict);

  rt::Event sig;
  sig.type = rt::Event::Type::signal;
  sig.name = "anything";
  auto finished = e.exec->send_sync(ok->id, sig, kBob);
  REQUIRE_FALSE(finished.ok());
  CHECK(finished.error().code == ErrorCode::conflict);

  // Other instances are served all along.
  auto another = e.start("ap", {{"invoice", {{"amount", 10}}}});
  REQUIRE(another.ok());
  CHECK(e.get(another->id).status == rt::InstanceStatus::succeeded);
}

TEST_CASE("executor: idempotency keys and business keys", "[unit][executor]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db");
  e.deploy(kFlow);
  nlohmann::json input = {{"invoice", {{"amount", 10}}}};
  auto first = e.start("ap", input, {"alice", {}}, "key-1");
  auto replay = e.start("ap", input, {"alice", {}}, "key-1");
  REQUIRE(first.ok());
  REQUIRE(replay.ok());
  CHECK(first->id == replay->id);
  auto other_body = e.start("ap", {{"invoice", {{"amount", 11}}}}, {"alice", {}}, "key-1");
  REQUIRE_FALSE(other_body.ok());
  CHECK(other_body.error().code == ErrorCode::conflict);
  CHECK(e.all().size() == 1);

  REQUIRE(e.start("ap", input, {"alice", {}}, "", "INV-1").ok());
  auto dup = e.start("ap", input, {"alice", {}}, "", "INV-1");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.error().code == ErrorCode::conflict);
}

TEST_CASE("executor: versions pin running instances", "[unit][executor]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db");
  CHECK(e.deploy(kFlow) == 1);
  CHECK(e.deploy(kFlow) == 1);  // identical content: same version
  auto waiting = e.start("ap", {{"invoice", {{"amount", 5000}}}});
  REQUIRE(waiting.ok());
  std::string v2 = std::string(kFlow);
  v2.replace(v2.find("on: {approved: done"), 19, "on: {approved: rejected");
  CHECK(e.deploy(v2) == 2);
  auto fresh = e.start("ap", {{"invoice", {{"amount", 5000}}}});
  REQUIRE(fresh.ok());
  CHECK(fresh->version == 2);
  REQUIRE(e.act(e.open_task(waiting->id), "approved", kBob).ok());
  CHECK(e.get(waiting->id).status == rt::InstanceStatus::succeeded);  // v1 behaviour
  REQUIRE(e.act(e.open_task(fresh->id), "approved", kBob).ok());
  CHECK(e.get(fresh->id).status == rt::InstanceStatus::failed);  // v2 behaviour
}

// Change control: after a tampered version, redeploying the reviewed file makes it what
// runs again (a new version with the old content), also after a restart.
TEST_CASE("executor: redeploying reviewed content after a tampered version makes it current",
          "[unit][executor][attack]") {
  TempDir dir;
  std::string tampered = std::string(kFlow);
  tampered.replace(tampered.find("on: {approved: done"), 19, "on: {approved: rejected");
  {
    Engine e(dir.path() / "lf.db");
    CHECK(e.deploy(kFlow) == 1);
    CHECK(e.deploy(tampered) == 2);
    CHECK(e.deploy(kFlow) == 3);  // the rollback is a new version...
    CHECK(e.deploy(kFlow) == 3);  // ...once: the same content again changes nothing
    auto latest = e.defs->latest_version("ap");
    REQUIRE(latest.ok());
    CHECK(*latest == 3);
  }
  Engine e(dir.path() / "lf.db");
  CHECK(e.deploy(kFlow) == 3);
  auto started = e.start("ap", {{"invoice", {{"amount", 5000}}}});
  REQUIRE(started.ok());
  CHECK(started->version == 3);
  REQUIRE(e.act(e.open_task(started->id), "approved", kBob).ok());
  CHECK(e.get(started->id).status == rt::InstanceStatus::succeeded);  // the reviewed behaviour
}

TEST_CASE("executor: timers fire from the clock, including after a restart", "[unit][executor]") {
  TempDir dir;
  std::string id;
  {
    Engine e(dir.path() / "lf.db");
    e.deploy(
        "workflow: w\nstart: a\nstates:\n  a: {type: wait, duration: PT1H, next: b}\n  b: {type: "
        "succeed}\n");
    auto r = e.start("w", nlohmann::json::object());
    REQUIRE(r.ok());
    id = r->id;
    e.clock.advance_ms(60 * 1000);
    CHECK(e.exec->fire_due_timers() == 0);
  }
  Engine e(dir.path() / "lf.db");
  e.clock.advance_ms(2 * 3600 * 1000);  // overdue by the time we are back
  CHECK(e.exec->fire_due_timers() == 1);
  e.exec->wait_idle();
  CHECK(e.get(id).status == rt::InstanceStatus::succeeded);
  auto timers = e.store->timers_due(std::numeric_limits<std::int64_t>::max(), 10);
  REQUIRE(timers.ok());
  CHECK(timers->empty());
}

TEST_CASE("executor: action failures are catchable, a throwing runner is an action_error",
          "[unit][executor]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db");
  e.deploy(R"(
workflow: f
start: a
states:
  a: {type: task, action: fake.throw, catch: [{errors: [action_error], next: b, output: err}], next: b}
  b: {type: task, action: fake.fail, catch: [{errors: [http_error], next: c}], next: c}
  c: {type: task, action: nobody.handles, catch: [{errors: [any], next: d, output: err2}], next: d}
  d: {type: succeed}
)");
  auto r = e.start("f", nlohmann::json::object());
  REQUIRE(r.ok());
  auto rec = e.get(r->id);
  CHECK(rec.status == rt::InstanceStatus::succeeded);
  CHECK_THAT(rec.state["data"]["err"]["message"].get<std::string>(), Catch::Contains("boom"));
  CHECK_THAT(rec.state["data"]["err2"]["message"].get<std::string>(),
             Catch::Contains("no action runner"));
  CHECK(e.outbox_size() == 0);
}

TEST_CASE("executor: a subflow runs as a child instance", "[unit][executor]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db");
  e.deploy("workflow: child\nstart: a\nstates:\n  a: {type: succeed, result: \"${x * 2}\"}\n");
  e.deploy(
      "workflow: parent\nstart: s\nstates:\n  s: {type: subflow, workflow: child, input: {x: 21}, "
      "output: r, next: d}\n  d: {type: succeed, result: \"${r}\"}\n");
  auto r = e.start("parent", nlohmann::json::object());
  REQUIRE(r.ok());
  e.exec->wait_idle();
  auto rec = e.get(r->id);
  CHECK(rec.status == rt::InstanceStatus::succeeded);
  CHECK(rec.state["result"] == 42);
  CHECK(e.all().size() == 2);
  CHECK(e.outbox_size() == 0);
}

// The submitter of the root instance is the submitter of its subflows: they may not
// approve inside a child either (a child does not start "as the system").
TEST_CASE("executor: a subflow's approval refuses the root instance's submitter",
          "[unit][executor][attack]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db");
  e.deploy(R"(
workflow: review
start: approve
states:
  approve:
    type: approval
    candidates: {roles: [ap_clerk, ap_manager]}
    on: {approved: done}
  done: {type: succeed}
)");
  e.deploy(
      "workflow: outer\nstart: s\nstates:\n  s: {type: subflow, workflow: review, input: {}, "
      "next: d}\n  d: {type: succeed}\n");
  auto root = e.start("outer", nlohmann::json::object(), rt::Actor{"alice", {"ap_clerk"}});
  REQUIRE(root.ok());
  e.exec->wait_idle();
  std::string child_id;
  for (const auto& i : e.all()) {
    if (i.workflow == "review") child_id = i.id;
  }
  REQUIRE_FALSE(child_id.empty());
  CHECK(e.get(child_id).created_by == "alice");
  const std::string task = e.open_task(child_id);
  REQUIRE_FALSE(task.empty());
  auto self = e.act(task, "approved", rt::Actor{"alice", {"ap_clerk"}});
  REQUIRE_FALSE(self.ok());
  CHECK(self.error().is(ErrorReason::segregation_of_duties));
  REQUIRE(e.act(task, "approved", kBob).ok());
  CHECK(e.get(root->id).status == rt::InstanceStatus::succeeded);
}

TEST_CASE("executor: a full disk fails the write, nothing half-written, others carry on",
          "[unit][executor]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db", 155);  // pages (the empty schema takes about 105)
  e.deploy(kFlow);
  int ok = 0, failed = 0, stalled = 0;
  std::string big(2000, 'x');
  for (int i = 0; i < 60; ++i) {
    auto r = e.start("ap", {{"invoice", {{"amount", 10}, {"note", big}}}});
    (r.ok() ? ok : failed)++;
    if (r.ok()) {
      // A started instance never fails because of the disk: it finished, or a later
      // write (its action's result) was refused and it stays at its last committed step
      // with the effect still in the outbox, for recovery to resume.
      auto status = e.get(r->id).status;
      CHECK((status == rt::InstanceStatus::succeeded || status == rt::InstanceStatus::running));
      if (status == rt::InstanceStatus::running) ++stalled;
    } else {
      INFO(r.error().message);
      CHECK((r.error().code == ErrorCode::io_error || r.error().code == ErrorCode::unavailable));
    }
  }
  CHECK(failed > 0);
  CHECK(ok > 0);
  CHECK(e.outbox_size() >= static_cast<std::size_t>(stalled));
  // Every stored instance is whole: its history ends where its seq says.
  for (const auto& rec : e.all()) {
    auto h = e.store->history(rec.id, 0, 1000);
    REQUIRE(h.ok());
    REQUIRE_FALSE(h->empty());
    CHECK(h->back().seq == rec.seq);
  }
}

TEST_CASE("executor: a corrupted database is refused with a clear error", "[unit][executor]") {
  TempDir dir;
  auto path = dir.path() / "bad.db";
  std::ofstream(path) << std::string(8192, 'Z');
  storage::SqliteOptions o;
  o.path = path.string();
  auto s = storage::SqliteStore::open(o);
  REQUIRE_FALSE(s.ok());
  CHECK(s.error().code == ErrorCode::corruption);
  CHECK_THAT(s.error().message, Catch::Contains("bad.db"));
}

// Cancel stops what is queued: an action waiting for an effect thread when its instance
// is cancelled never runs (the cancel consumes it in the same write, and the effect
// thread re-checks the instance before acting).
TEST_CASE("executor: a cancelled instance's queued action never runs", "[unit][executor][attack]") {
  TempDir dir;
  Engine e(dir.path() / "lf.db", 0, /*effect_threads=*/1);
  e.deploy(R"(
workflow: blocker
start: hold
states:
  hold: {type: task, action: fake.block, next: done}
  done: {type: succeed}
)");
  e.deploy(R"(
workflow: pay
start: pay
states:
  pay: {type: task, action: fake.check, with: {amount: 250000}, next: done}
  done: {type: succeed}
)");
  auto start = [&](const std::string& wf) {
    rt::StartRequest r;
    r.workflow = wf;
    r.input = nlohmann::json::object();
    r.actor = {"alice", {"ap_clerk"}};
    auto out = e.exec->start_sync(std::move(r));
    REQUIRE(out.ok());
    return out->id;
  };
  start("blocker");
  e.runner->entered.get_future().wait();  // the only effect thread is now busy
  const std::string pay = start("pay");   // its action is queued behind it

  std::promise<Result<rt::InstanceRecord>> cancelled;
  rt::Event cancel;
  cancel.type = rt::Event::Type::cancel;
  cancel.comment = "wrong payee";
  e.exec->send(pay, std::move(cancel), rt::Actor{"alice", {"ap_clerk"}},
               [&](Result<rt::InstanceRecord> r) { cancelled.set_value(std::move(r)); });
  auto r = cancelled.get_future().get();
  REQUIRE(r.ok());
  CHECK(r->status == rt::InstanceStatus::cancelled);

  e.runner->release.set_value();
  e.exec->wait_idle();
  std::lock_guard lock(e.runner->mu);
  for (const auto& req : e.runner->requests) CHECK(req.action != "fake.check");
  CHECK(e.get(pay).status == rt::InstanceStatus::cancelled);
}
