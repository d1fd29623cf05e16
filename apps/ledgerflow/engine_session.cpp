#include "apps/ledgerflow/engine_session.h"

#include <filesystem>
#include <iostream>

#include <yaml-cpp/yaml.h>

#include "apps/ledgerflow/commands.h"
#include "engine/expr/timestamp.h"
#include "engine/scoring/feature_check.h"
#include "plugins/finance/ar_actions.h"
#include "plugins/finance/finance_actions.h"
#include "plugins/http/http_action_runner.h"
#include "plugins/registry/directory_registry.h"
#include "storage/key_file.h"
#include "plugins/finance/sqlite/sqlite_record_store.h"
#include "storage/sqlite/sqlite_store.h"

namespace ledgerflow::cli {

int report(const Error& e, const char* command) {
  std::cerr << "ledgerflow " << command << ": " << e.message << "\n";
  return e.code == ErrorCode::io_error ? kExitUsage : kExitInvalid;
}

void add_session_options(CLI::App& cmd, SessionOptions& o, bool with_actor) {
  cmd.add_option("--db", o.db, "SQLite database file (created if missing)")->capture_default_str();
  cmd.add_option("--models", o.models, "Model registry directory (<name>/<version>/model.json)")
      ->capture_default_str();
  cmd.add_option("--hmac-key-file", o.hmac_key_file,
                 "Key for pseudonymising sensitive feature values (default: <db>.hmac-key, "
                 "created once)");
  if (with_actor) {
    cmd.add_option("--as", o.as, "The acting user")->capture_default_str();
    cmd.add_option("--roles", o.roles, "The user's roles, comma-separated (default: from --users)");
    cmd.add_option("--users", o.users, "Users file with each user's roles")->capture_default_str();
  }
}

namespace {

std::vector<std::string> split_commas(const std::string& s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else if (c != ' ') {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

Result<rt::Actor> resolve_actor(const SessionOptions& o) {
  rt::Actor actor;
  actor.user = o.as;
  if (!o.roles.empty()) {
    actor.roles = split_commas(o.roles);
    return actor;
  }
  if (o.as == "system" || !std::filesystem::exists(o.users)) return actor;
  try {
    YAML::Node users = YAML::LoadFile(o.users)["users"];
    if (users && users[o.as] && users[o.as]["roles"]) {
      for (const auto& r : users[o.as]["roles"]) actor.roles.push_back(r.as<std::string>());
    } else {
      return Error::invalid("user '" + o.as + "' is not in " + o.users + " (give --roles)");
    }
  } catch (const YAML::Exception& e) {
    return Error::invalid(o.users + ": " + e.what());
  }
  return actor;
}

}  // namespace

Result<std::unique_ptr<EngineSession>> EngineSession::open(const SessionOptions& o) {
  auto actor = resolve_actor(o);
  if (!actor) return actor.error();
  std::unique_ptr<EngineSession> s(new EngineSession());
  s->actor_ = std::move(*actor);
  storage::SqliteOptions so;
  so.path = o.db;
  so.busy_timeout_ms = 30000;  // a daemon's import may hold the write lock meanwhile
  auto store = storage::SqliteStore::open(so);
  if (!store) return store.error();
  s->store_ = std::move(*store);
  storage::RecordStoreOptions ro;
  ro.path = o.db;
  auto records = storage::SqliteRecordStore::open(ro);
  if (!records) return records.error();
  s->records_ = std::move(*records);
  if (std::filesystem::is_directory(o.models)) {
    auto reg = plugins::DirectoryRegistry::open(o.models);
    if (!reg) return reg.error();
    s->scorers_ = std::move(*reg);
  }
  // With a model registry, deployments check score states against it (as the daemon
  // does); without one, scoring fails at run time with "no model registry".
  rt::DefinitionRegistry::DeployCheck check;
  if (s->scorers_) {
    const scoring::ScorerRegistry* registry = s->scorers_.get();
    check = [registry](const def::Definition& d) {
      return scoring::check_score_features(d, registry, "");
    };
  }
  s->definitions_ = std::make_unique<rt::DefinitionRegistry>(*s->store_, std::move(check));
  auto key = storage::hmac_key_for(o.hmac_key_file, o.db);
  if (!key) return key.error();
  std::vector<std::shared_ptr<rt::ActionRunner>> runners{
      std::make_shared<plugins::HttpActionRunner>(),
      std::make_shared<finance::FinanceActionRunner>(*s->records_, s->clock_)};
  auto ar_runner = std::make_shared<finance::ArActionRunner>(*s->records_, s->clock_);
  runners.push_back(ar_runner);
  rt::ExecutorOptions eo;
  eo.shards = 1;
  eo.effect_threads = 2;
  eo.pseudonym_key = std::move(*key);
  s->executor_ = std::make_unique<rt::Executor>(*s->store_, *s->definitions_, s->clock_,
                                                s->scorers_.get(), std::move(runners), eo);
  if (auto r = s->executor_->recover(); !r) return r.error();
  return s;
}

EngineSession::~EngineSession() {
  executor_.reset();
}

void EngineSession::settle() {
  for (int round = 0; round < 1000; ++round) {
    executor_->wait_idle();
    if (executor_->fire_due_timers() == 0) break;
  }
  executor_->wait_idle();
  store_->flush();
}

std::uint64_t EngineSession::print_history(const std::string& id, std::uint64_t after) {
  auto h = store_->history(id, after, 100000);
  if (!h) {
    std::cerr << "error: " << h.error().message << "\n";
    return after;
  }
  for (const auto& r : *h) {
    std::string detail = r.data.dump();
    if (detail.size() > 140) detail = detail.substr(0, 137) + "...";
    std::cout << "  " << r.seq << "  " << expr::format_timestamp(r.at_us) << "  " << r.type;
    if (!r.state.empty()) std::cout << "  " << r.state;
    if (r.type != "state_entered") std::cout << "  " << detail;
    std::cout << "\n";
    after = r.seq;
  }
  return after;
}

void EngineSession::print_status(const std::string& id) {
  auto rec = store_->instance(id);
  if (!rec) {
    std::cerr << "error: " << rec.error().message << "\n";
    return;
  }
  std::cout << "instance " << rec->id << " (" << rec->workflow << " v" << rec->version
            << "): " << rt::to_string(rec->status) << "\n";
  if (rec->status == rt::InstanceStatus::failed) {
    std::cout << "  error: " << rec->state.value("error", std::string()) << ": "
              << rec->state.value("error_message", std::string()) << "\n";
  }
  rt::TaskFilter f;
  f.status = rt::TaskStatus::open;
  f.instance_id = id;
  if (auto tasks = store_->tasks(f)) {
    for (const auto& t : *tasks) {
      std::cout << "  open task " << t.id << ": " << t.title << " (";
      std::string who;
      for (const auto& r : t.candidate_roles) who += (who.empty() ? "role " : ", role ") + r;
      for (const auto& u : t.candidate_users) who += (who.empty() ? "user " : ", user ") + u;
      std::cout << who << ")\n";
    }
  }
  for (const auto& f2 : rec->state.value("frames", nlohmann::json::array())) {
    int wait = f2.value("wait", 0);
    if (wait == static_cast<int>(rt::WaitKind::signal)) {
      std::cout << "  waits in '" << f2.value("state", std::string()) << "' for signal '"
                << f2.value("wait_key", std::string()) << "'";
      if (f2.contains("correlation")) std::cout << " with correlation " << f2["correlation"].dump();
      std::cout << "\n";
    } else if (wait == static_cast<int>(rt::WaitKind::timer)) {
      std::cout << "  waits in '" << f2.value("state", std::string()) << "' for a timer\n";
    } else if (wait == static_cast<int>(rt::WaitKind::effect)) {
      std::cout << "  waits in '" << f2.value("state", std::string()) << "' for an action\n";
    }
  }
}

}  // namespace ledgerflow::cli
