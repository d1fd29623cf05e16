// Score steps and sensitive data: features read from `sensitive:` paths (or named there)
// are recorded as HMAC-SHA-256 pseudonyms, never in clear; the same value gives the same
// pseudonym under one key and another under another key. And the deploy-time check of
// score states against the model registry (engine/scoring/feature_check.h).
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>

#include "engine/runtime/executor.h"
#include "engine/scoring/feature_check.h"
#include "engine/scoring/pseudonym.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"

using namespace ledgerflow;

namespace {

using test::TempDir;

class IncomeScorer : public scoring::Scorer {
 public:
  IncomeScorer() { info_ = {"credit", "4", "logistic", "binary:logistic", {"income", "amount"}}; }
  const scoring::ModelInfo& info() const override { return info_; }
  Result<scoring::ScoreResult> score(std::span<const double> x, std::size_t) const override {
    scoring::ScoreResult r;
    r.score = x[0] > 50000 ? 0.2 : 0.7;
    r.probability = r.score;
    return r;
  }
  scoring::ModelInfo info_;
};

class OneModel : public scoring::ScorerRegistry {
 public:
  Result<std::shared_ptr<const scoring::Scorer>> resolve(std::string_view ref) const override {
    if (ref != "credit" && ref != "credit@4" && ref != "credit@champion") {
      return Error{ErrorCode::not_found, "model '" + std::string(ref) + "' not found"};
    }
    return std::shared_ptr<const scoring::Scorer>(std::make_shared<IncomeScorer>());
  }
};

const char* kFlow = R"(
workflow: credit_check
sensitive: [customer.salary]
start: s
states:
  s:
    type: score
    model: credit
    features: {income: customer.salary, amount: order.amount}
    output: risk
    next: done
  done: {type: succeed}
)";

struct Engine {
  Engine(const std::filesystem::path& db, std::string key) {
    storage::SqliteOptions o;
    o.path = db.string();
    auto s = storage::SqliteStore::open(o);
    REQUIRE(s.ok());
    store = std::move(*s);
    defs = std::make_unique<rt::DefinitionRegistry>(*store);
    rt::ExecutorOptions eo;
    eo.pseudonym_key = std::move(key);
    exec = std::make_unique<rt::Executor>(*store, *defs, clock, &scorers, rt::ActionTable{}, eo);
    REQUIRE(exec->recover().ok());
    auto d = defs->deploy(kFlow, def::Format::yaml, "olga", clock.now_us());
    REQUIRE(d.ok());
    REQUIRE(d->problems.empty());
  }
  ~Engine() {
    exec.reset();
    store.reset();
  }
  // Runs one instance; returns its history.
  std::vector<rt::HistoryRecord> run(double salary) {
    rt::StartRequest r;
    r.workflow = "credit_check";
    r.input = {{"customer", {{"salary", salary}}}, {"order", {{"amount", 1200}}}};
    r.actor = {"alice", {"credit_controller"}};
    auto started = exec->start_sync(std::move(r));
    REQUIRE(started.ok());
    exec->wait_idle();
    CHECK(store->instance(started->id)->status == rt::InstanceStatus::succeeded);
    auto h = store->history(started->id, 0, 1000);
    REQUIRE(h.ok());
    return *h;
  }
  rt::FakeClock clock;
  OneModel scorers;
  std::unique_ptr<storage::SqliteStore> store;
  std::unique_ptr<rt::DefinitionRegistry> defs;
  std::unique_ptr<rt::Executor> exec;
};

nlohmann::json decision_of(const std::vector<rt::HistoryRecord>& history) {
  for (const auto& h : history) {
    if (h.type == "decision") return h.data;
  }
  FAIL("no decision record");
  return nullptr;
}

}  // namespace

TEST_CASE("score: sensitive feature values are recorded only as pseudonyms",
          "[unit][runtime][privacy]") {
  TempDir dir;
  const std::string key_a(32, 'a'), key_b(32, 'b');
  nlohmann::json first, second, other_key;
  {
    Engine e(dir.path() / "a.db", key_a);
    auto h = e.run(123456.78);
    // The start event carries the input (replay needs it; the API masks it by key name);
    // nothing recorded after it holds the value in clear.
    for (std::size_t i = 1; i < h.size(); ++i) {
      INFO(h[i].type << ": " << h[i].data.dump());
      CHECK(h[i].data.dump().find("123456.78") == std::string::npos);
    }
    first = decision_of(h);
    second = decision_of(e.run(123456.78));
    CHECK(decision_of(e.run(99.5))["features"]["income"] != first["features"]["income"]);
  }
  {
    Engine e(dir.path() / "b.db", key_b);
    other_key = decision_of(e.run(123456.78));
  }
  const auto income = first["features"]["income"].get<std::string>();
  CHECK(income.rfind("hmac-sha256:", 0) == 0);
  CHECK(income.size() == std::string("hmac-sha256:").size() + 64);
  CHECK(first["features"]["amount"] == 1200);        // not sensitive: in clear
  CHECK(second["features"]["income"] == income);     // same value, same key
  CHECK(other_key["features"]["income"] != income);  // another key
  CHECK(first["score"] == 0.2);                      // scored on the clear value
}

TEST_CASE("score: which features count as sensitive", "[unit][runtime][privacy]") {
  auto loaded = def::load_definition(R"(
workflow: t
sensitive: [customer.salary, tax_id]
start: s
states:
  s:
    type: score
    model: m
    features:
      a: customer.salary * 2
      b: size(customer) > 3
      c: other.salary
      tax_id: order.amount
      d: order.amount
    next: done
  done: {type: succeed}
)");
  REQUIRE(loaded.ok());
  const auto& spec = std::get<def::ScoreSpec>(loaded.definition->find_state("s")->spec);
  std::map<std::string, bool> sensitive;
  for (const auto& [name, e] : spec.features) {
    sensitive[name] = scoring::is_sensitive_feature(*loaded.definition, name, e);
  }
  CHECK(sensitive["a"]);       // reads the path
  CHECK(sensitive["b"]);       // reads its parent
  CHECK(sensitive["c"]);       // the same key name elsewhere (masked by name too)
  CHECK(sensitive["tax_id"]);  // named in sensitive
  CHECK_FALSE(sensitive["d"]);
  CHECK(scoring::pseudonymise(nullptr, "k").is_null());
  CHECK(scoring::pseudonymise(1.5, "") == "hmac-sha256:unkeyed");
}

TEST_CASE("deploy: score features must match the model, located", "[unit][runtime][features]") {
  OneModel registry;
  auto check = [&](const std::string& yaml) {
    auto loaded = def::load_definition(yaml);
    REQUIRE(loaded.ok());
    return scoring::check_score_features(*loaded.definition, &registry, "");
  };
  CHECK(check(kFlow).empty());
  auto problems = check(R"(
workflow: t
start: s
states:
  s:
    type: score
    model: credit
    shadow: [credit@4, nope@2]
    features: {income: a.b, amount: c, extra: d}
    next: done
  done: {type: succeed}
)");
  REQUIRE(problems.size() == 3);
  // Sorted by position: the shadow reference that does not resolve comes first.
  CHECK(problems[0].loc.line == 8);
  CHECK(problems[0].message.find("shadow model 'nope@2' does not resolve") != std::string::npos);
  CHECK(problems[1].loc.line == 9);
  CHECK(problems[1].loc.column == 5);
  CHECK(problems[1].state == "s");
  CHECK(problems[1].message.find("model 'credit' version 4") != std::string::npos);
  CHECK(problems[1].message.find("unexpected: extra") != std::string::npos);
  CHECK(problems[2].message.find("shadow model 'credit' version 4") != std::string::npos);
  auto missing = check(R"(
workflow: t
start: s
states:
  s: {type: score, model: credit@4, features: {income: a}, next: done}
  done: {type: succeed}
)");
  REQUIRE(missing.size() == 1);
  CHECK(missing[0].message.find("missing: amount") != std::string::npos);
  auto unknown = check(R"(
workflow: t
start: s
states:
  s: {type: score, model: risk, features: {income: a}, next: done}
  done: {type: succeed}
)");
  REQUIRE(unknown.size() == 1);
  CHECK(unknown[0].loc.line == 5);
  CHECK(unknown[0].message.find("model 'risk' does not resolve") != std::string::npos);
  // Without a registry every score state is a problem (the daemon's rule).
  auto loaded = def::load_definition(kFlow);
  auto none = scoring::check_score_features(*loaded.definition, nullptr, "no models here");
  REQUIRE(none.size() == 1);
  CHECK(none[0].message.find("no models here") != std::string::npos);
}

TEST_CASE("deploy: the registry's deploy check refuses a mismatch", "[unit][runtime][features]") {
  TempDir dir;
  storage::SqliteOptions o;
  o.path = (dir.path() / "d.db").string();
  auto store = storage::SqliteStore::open(o);
  REQUIRE(store.ok());
  OneModel registry;
  rt::DefinitionRegistry defs(**store, [&](const def::Definition& d) {
    return scoring::check_score_features(d, &registry, "");
  });
  auto bad =
      defs.deploy(std::string(kFlow).replace(std::string(kFlow).find("amount: order"), 6, "amt"),
                  def::Format::yaml, "olga", 0);
  REQUIRE(bad.ok());
  REQUIRE(bad->problems.size() == 1);
  CHECK(bad->version == 0);
  CHECK(def::format_problem("f.yaml", bad->problems[0]).find("f.yaml:9:5: state 's': ") == 0);
  auto good = defs.deploy(kFlow, def::Format::yaml, "olga", 0);
  REQUIRE(good.ok());
  CHECK(good->problems.empty());
  CHECK(good->version == 1);
}
