// Bad models and bad scorer answers end the score step with a scorer_error that the
// workflow can catch, never a crash: a truncated model file, a tree model with a NaN
// leaf, a rules condition over a missing value, and a remote scorer answering garbage.
// (The scorers' own tests cover each message in detail, and wrong feature widths.)
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>

#include "engine/runtime/executor.h"
#include "plugins/http/egress_policy.h"
#include "plugins/registry/directory_registry.h"
#include "storage/sqlite/sqlite_store.h"
#include "support/temp_dir.h"
#include "unit/plugins/forest/forest_test_support.h"
#include "unit/plugins/kserve/kserve_test_server.h"

using namespace ledgerflow;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using test::TempDir;

std::string workflow_for(const std::string& model) {
  return "workflow: w_" + model + R"(
start: s
states:
  s:
    type: score
    model: )" +
         model + R"(
    features: {amount: x}
    catch: [{errors: [scorer_error], next: fallback, output: err}]
    next: done
  fallback: {type: succeed}
  done: {type: succeed}
)";
}

// An XGBoost JSON model whose first leaf is NaN (what a broken trainer writes).
std::string nan_leaf_model() {
  json doc = json::parse(plugins::test::read_file(plugins::test::trained_model("regression").path));
  json& tree = doc["learner"]["gradient_booster"]["model"]["trees"][0];
  std::size_t leaf = 0;
  while (tree["left_children"][leaf] != -1) ++leaf;
  tree["split_conditions"][leaf] = 123456.0;
  std::string text = doc.dump();
  return text.replace(text.find("123456.0"), 8, "NaN");
}

}  // namespace

TEST_CASE("score: bad models and garbage answers are catchable scorer_errors",
          "[unit][runtime][score_errors]") {
  TempDir dir;
  plugins::test::KserveTestServer server;
  server.set_default({200, "application/json", "{\"outputs\": \"garbage\"}", 0});
  const std::string linear =
      R"({"format": "ledgerflow-linear/1", "kind": "logistic", "name": "truncated", "version": "1",
          "features": [{"name": "amount", "coef": 0.5}], "intercept": 0})";
  dir.write("models/truncated/1/model.json", linear.substr(0, linear.size() / 2));
  dir.write("models/nan_leaf/1/model.json", nan_leaf_model());
  dir.write("models/rules_null/1/model.json",
            R"({"format": "ledgerflow-rules/1", "features": ["amount"],
                "rules": [{"when": "amount > 10", "score": 0.9, "reason": "large"}],
                "default": {"score": 0.1, "reason": "small"}})");
  dir.write("models/remote/1/model.json", json{{"format", "ledgerflow-kserve/1"},
                                               {"url", server.base_url()},
                                               {"model", "fraud"},
                                               {"features", {"amount"}},
                                               {"timeout_ms", 2000},
                                               {"retries", 0}}
                                              .dump());

  storage::SqliteOptions o;
  o.path = (dir.path() / "lf.db").string();
  auto store = storage::SqliteStore::open(o);
  REQUIRE(store.ok());
  // The remote model's server is on 127.0.0.1, which the default egress policy refuses.
  struct EgressGuard {
    plugins::EgressPolicy before = plugins::default_egress_policy();
    EgressGuard() {
      plugins::EgressPolicy loopback = before;
      loopback.allow_private_networks = true;
      plugins::set_default_egress_policy(loopback);
    }
    ~EgressGuard() { plugins::set_default_egress_policy(before); }
  } egress;
  auto registry =
      plugins::DirectoryRegistry::open((dir.path() / "models").string(), [](const std::string&) {});
  REQUIRE(registry.ok());
  rt::DefinitionRegistry defs(**store);
  rt::FakeClock clock;
  {
    rt::Executor exec(**store, defs, clock, registry->get(), {});
    REQUIRE(exec.recover().ok());
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"truncated", "truncated/1/model.json:"},
        {"nan_leaf", "non-finite"},
        {"rules_null", "rules[0] ('amount > 10')"},
        {"remote", "bad inference response"},
    };
    for (const auto& [model, expected] : cases) {
      INFO(model);
      auto d = defs.deploy(workflow_for(model), def::Format::yaml, "olga", 0);
      REQUIRE(d.ok());
      REQUIRE(d->problems.empty());
      rt::StartRequest r;
      r.workflow = "w_" + model;
      // Missing for the rules table (its condition fails on null); a value for the rest.
      r.input = {{"x", model == "rules_null" ? json(nullptr) : json(5)}};
      r.actor = {"alice", {}};
      auto started = exec.start_sync(std::move(r));
      REQUIRE(started.ok());
      exec.wait_idle();
      auto rec = (*store)->instance(started->id);
      REQUIRE(rec.ok());
      CHECK(rec->status == rt::InstanceStatus::succeeded);
      const json& err = rec->state["data"]["err"];
      INFO(err.dump());
      CHECK(err["error"] == "scorer_error");
      CHECK(err["message"].get<std::string>().find(expected) != std::string::npos);
    }
  }
}
