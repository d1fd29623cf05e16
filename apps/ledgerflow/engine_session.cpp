#include "apps/ledgerflow/engine_session.h"

#include <filesystem>
#include <iostream>

#include <yaml-cpp/yaml.h>

#include "apps/host/http_module.h"
#include "apps/ledgerflow/commands.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::cli {

int report(const Error& e, const char* command) {
  std::cerr << "ledgerflow " << command << ": " << e.message << "\n";
  return e.code == ErrorCode::io_error ? kExitUsage : kExitInvalid;
}

void add_session_options(CLI::App& cmd, SessionOptions& o, bool with_actor) {
  cmd.add_option("--db", o.db, "SQLite database file (created if missing)")->capture_default_str();
  cmd.add_option("--models", o.models, "Model registry directory (<name>/<version>/model.json)")
      ->capture_default_str();
  cmd.add_option("--plugins", o.plugins,
                 "Where ledgerflow-plugin/1 scorer libraries are installed (default: next to "
                 "each model)");
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
  host::EngineConfig c;
  c.database = o.db;
  c.models = o.models;
  c.plugins = o.plugins;
  c.hmac_key_file = o.hmac_key_file;
  c.shards = 1;
  c.effect_threads = 2;
  host::EngineBuilder builder(std::move(c));
  builder.add(std::make_shared<host::HttpModule>());
  s->finance_ = finance::install(builder);
  auto engine = builder.build();
  if (!engine) return engine.error();
  s->engine_ = std::move(*engine);
  return s;
}

EngineSession::~EngineSession() = default;

std::uint64_t EngineSession::print_history(const std::string& id, std::uint64_t after) {
  auto h = engine_->store().history(id, after, 100000);
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
  auto rec = engine_->store().instance(id);
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
  if (auto tasks = engine_->store().tasks(f)) {
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
