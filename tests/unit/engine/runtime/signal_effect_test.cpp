// "Signal another instance" is an engine effect: an action's result lists signals, the
// executor writes them to the outbox with that result and delivers them after the
// commit. No action runner holds the executor.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <atomic>
#include <filesystem>

#include "engine/runtime/executor.h"
#include "storage/sqlite/sqlite_store.h"

using namespace ledgerflow;

namespace {

// fake.pay asks to signal the waiter whose business key is args.invoice.
class PayRunner : public rt::ActionRunner {
 public:
  rt::ActionResult run(const rt::ActionRequest& r) override {
    auto out = rt::ActionResult::success({{"paid", r.args["invoice"]}});
    rt::SignalRequest s;
    s.workflow = "waiter";
    s.business_key = r.args["invoice"].get<std::string>();
    s.name = "paid";
    s.correlation = r.args["invoice"];
    s.payload = {{"by", r.instance_id}};
    out.signals.push_back(std::move(s));
    return out;
  }
};

const char* kWaiter = R"(
workflow: waiter
input: {schema: {type: object, required: [invoice], properties: {invoice: {type: string}}}}
start: wait
states:
  wait: {type: wait, signal: paid, correlation: invoice, output: payment, next: done}
  done: {type: succeed}
)";

const char* kPayer = R"(
workflow: payer
input: {schema: {type: object, required: [invoice], properties: {invoice: {type: string}}}}
start: pay
states:
  pay: {type: task, action: fake.pay, with: {invoice: "${invoice}"}, output: paid, next: done}
  done: {type: succeed}
)";

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static std::atomic<int> n{0};
    path = std::filesystem::temp_directory_path() /
           ("lf_signal_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

struct Engine {
  explicit Engine(const std::filesystem::path& db) {
    storage::SqliteOptions o;
    o.path = db.string();
    auto s = storage::SqliteStore::open(o);
    REQUIRE(s.ok());
    store = std::move(*s);
    defs = std::make_unique<rt::DefinitionRegistry>(*store);
    for (const char* yaml : {kWaiter, kPayer}) {
      auto d = defs->deploy(yaml, def::Format::yaml, "olga", clock.now_us());
      REQUIRE(d.ok());
      REQUIRE(d->problems.empty());
    }
    exec = std::make_unique<rt::Executor>(
        *store, *defs, clock, nullptr,
        [] {
          rt::ActionTable t;
          REQUIRE(t.add("fake.pay", std::make_shared<PayRunner>()).ok());
          return t;
        }());
  }
  ~Engine() {
    exec.reset();
    store.reset();
  }
  std::string start(const std::string& wf, const std::string& invoice, std::string key = "") {
    rt::StartRequest r;
    r.workflow = wf;
    r.input = {{"invoice", invoice}};
    r.business_key = std::move(key);
    auto out = exec->start_sync(std::move(r));
    REQUIRE(out.ok());
    exec->wait_idle();
    return out->id;
  }
  rt::InstanceRecord get(const std::string& id) {
    auto r = store->instance(id);
    REQUIRE(r.ok());
    return *r;
  }
  rt::FakeClock clock;
  std::unique_ptr<storage::SqliteStore> store;
  std::unique_ptr<rt::DefinitionRegistry> defs;
  std::unique_ptr<rt::Executor> exec;
};

}  // namespace

TEST_CASE("signal effect: an action's signal reaches the instance it names",
          "[unit][runtime][executor][signal]") {
  TempDir dir;
  Engine e(dir.path / "lf.db");
  std::string waiter = e.start("waiter", "INV-1", "INV-1");
  CHECK(e.get(waiter).status == rt::InstanceStatus::waiting);
  std::string payer = e.start("payer", "INV-1");
  e.exec->wait_idle();
  CHECK(e.get(payer).status == rt::InstanceStatus::succeeded);
  auto w = e.get(waiter);
  CHECK(w.status == rt::InstanceStatus::succeeded);
  // The signal was recorded with the payer's result: it is part of the payer's history,
  // so replay and recovery see it.
  auto h = e.store->history(payer, 0, 1000);
  REQUIRE(h.ok());
  bool recorded = false;
  for (const auto& r : *h) {
    if (r.type == "event" && r.data.contains("signals")) {
      recorded = r.data["signals"][0]["business_key"] == "INV-1";
    }
  }
  CHECK(recorded);
  e.store->flush();
  auto outbox = e.store->outbox(100);
  REQUIRE(outbox.ok());
  CHECK(outbox->empty());
}

TEST_CASE("signal effect: a signal nobody takes is dropped, not an error",
          "[unit][runtime][executor][signal]") {
  TempDir dir;
  Engine e(dir.path / "lf.db");
  // No waiter for INV-2; and a waiter for INV-3 already finished.
  std::string done_waiter = e.start("waiter", "INV-3", "INV-3");
  std::string first = e.start("payer", "INV-3");
  REQUIRE(e.get(done_waiter).status == rt::InstanceStatus::succeeded);
  std::string nobody = e.start("payer", "INV-2");
  std::string again = e.start("payer", "INV-3");
  e.exec->wait_idle();
  for (const auto& id : {first, nobody, again}) {
    CHECK(e.get(id).status == rt::InstanceStatus::succeeded);
  }
  e.store->flush();
  auto outbox = e.store->outbox(100);
  REQUIRE(outbox.ok());
  CHECK(outbox->empty());
}

TEST_CASE("signal effect: a signal still in the outbox is delivered after a restart",
          "[unit][runtime][executor][signal]") {
  TempDir dir;
  std::string waiter;
  {
    Engine e(dir.path / "lf.db");
    waiter = e.start("waiter", "INV-4", "INV-4");
    // An action's result committed with its signal, then the process stopped before the
    // delivery: written here as the outbox row that commit leaves (its sender must be a
    // stored instance; the waiter itself will do).
    rt::WriteSet ws;
    ws.outbox.push_back(rt::OutboxRecord{waiter + "-e99",
                                         waiter,
                                         rt::kEffectSignal,
                                         e.clock.now_us(),
                                         {{"workflow", "waiter"},
                                          {"business_key", "INV-4"},
                                          {"name", "paid"},
                                          {"correlation", "INV-4"},
                                          {"payload", {{"by", "before the crash"}}}}});
    auto written = e.store->submit_sync(std::move(ws));
    INFO((written.ok() ? std::string() : written.error().message));
    REQUIRE(written.ok());
    CHECK(e.get(waiter).status == rt::InstanceStatus::waiting);
  }
  Engine e(dir.path / "lf.db");
  REQUIRE(e.exec->recover().ok());
  e.exec->wait_idle();
  auto w = e.get(waiter);
  CHECK(w.status == rt::InstanceStatus::succeeded);
  e.store->flush();
  auto outbox = e.store->outbox(100);
  REQUIRE(outbox.ok());
  CHECK(outbox->empty());
}
