// ledgerflowd: the Ledgerflow daemon — the REST API, the engine and the live event feed
// in one process on one SQLite file.
//
//   ledgerflowd --config config/ledgerflow.yaml [--listen HOST:PORT] [--db PATH] [--demo]
//
// Start-up: configuration (file < LEDGERFLOW_* environment < flags), the users file,
// the database (recovery of instances in flight), deployment of the workflows directory,
// then the HTTP server. The first line on stdout is "ledgerflowd listening on http://..."
// (tests and scripts read the port from it when listening on port 0).
// SIGTERM / SIGINT drain: stop accepting, finish requests in flight and their commits,
// close event streams, exit 0.
#include <pthread.h>
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdio>
#include <iostream>

#include "api/http/problem.h"
#include "api/http/server.h"
#include "api/service/api_service.h"
#include "api/service/authenticator.h"
#include "api/service/daemon_config.h"
#include "api/service/engine_host.h"
#include "engine/expr/timestamp.h"
#include "engine/runtime/clock.h"
#include "plugins/finance/api/finance_routes.h"
#include "plugins/finance/finance_module.h"
#include "plugins/http/egress_policy.h"

extern char** environ;

namespace {

using namespace ledgerflow;

constexpr int kExitOk = 0;
constexpr int kExitConfig = 2;
constexpr int kExitStart = 1;

std::shared_ptr<spdlog::logger> make_logger(const std::string& level) {
  // JSON lines on stderr; each message is already a JSON object's members.
  auto logger = spdlog::stderr_logger_mt("ledgerflowd");
  logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l",%v})",
                      spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  return logger;
}

// `"msg":"...", ...` from a JSON object (the pattern supplies the braces).
std::string members(const nlohmann::json& j) {
  std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return s.size() >= 2 ? s.substr(1, s.size() - 2) : std::string();
}

// True for names and addresses that only this machine can reach.
bool is_loopback_host(const std::string& host) {
  if (host == "localhost" || host == "::1" || host == "[::1]") return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ledgerflowd: the Ledgerflow workflow daemon (REST API, engine, live events)"};
  app.set_version_flag("--version", "ledgerflowd 0.1.0");
  std::string config_path;
  std::vector<std::string> overrides;
  std::string listen, db, workflows, models, users, log_level;
  bool demo = false;
  bool demo_on_network = false;
  app.add_option("--config", config_path, "YAML configuration file (keys: see docs/operations.md)");
  app.add_option("--listen", listen,
                 "HOST:PORT to listen on (default 127.0.0.1:8080; port 0 = any)");
  app.add_option("--db", db, "SQLite database file (created if missing)");
  app.add_flag("--demo", demo,
               "Use the demo users and their published API keys (config/demo-users.yaml); "
               "never in production; refused on a listener that is not loopback");
  app.add_flag("--demo-on-network", demo_on_network,
               "With --demo: allow a listener that is not loopback (anyone who can reach it "
               "can use the published admin key)");
  app.add_option("--workflows", workflows,
                 "Directories (comma-separated) of workflow files deployed at start");
  app.add_option("--models", models, "Model registry directory");
  app.add_option("--users", users, "Users file: roles and SHA-256 hashes of API keys");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off");
  app.add_option("--set", overrides,
                 "KEY=VALUE for any configuration key (repeatable), "
                 "e.g. --set limits.body_bytes=2097152");
  app.footer(
      "Every configuration key can also be set with an environment variable: "
      "LEDGERFLOW_ + the key upper-cased with dots as underscores "
      "(limits.body_bytes -> LEDGERFLOW_LIMITS_BODY_BYTES).");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e) env.emplace_back(*e);
  auto config = api::load_config(config_path, env);
  if (!config) {
    std::cerr << "ledgerflowd: " << config.error().message << "\n";
    return kExitConfig;
  }
  auto set = [&](const char* key, const std::string& v) -> bool {
    if (v.empty()) return true;
    if (auto r = api::set_config_value(*config, key, v); !r) {
      std::cerr << "ledgerflowd: --" << key << ": " << r.error().message << "\n";
      return false;
    }
    return true;
  };
  if (!set("listen", listen) || !set("database", db) || !set("workflows", workflows) ||
      !set("models", models) || !set("users", users) || !set("log_level", log_level)) {
    return kExitConfig;
  }
  for (const auto& kv : overrides) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || !set(kv.substr(0, eq).c_str(), kv.substr(eq + 1))) {
      if (eq == std::string::npos) std::cerr << "ledgerflowd: --set expects KEY=VALUE\n";
      return kExitConfig;
    }
  }
  if (demo) config->demo = true;
  auto address = config->listen_address();
  if (!address) {
    std::cerr << "ledgerflowd: " << address.error().message << "\n";
    return kExitConfig;
  }
  if (config->demo && !demo_on_network && !is_loopback_host(address->first)) {
    std::cerr << "ledgerflowd: --demo publishes its API keys (admin included); refusing to "
                 "listen on '"
              << address->first
              << "', which is not loopback. Listen on 127.0.0.1, or add --demo-on-network "
                 "if you really mean it.\n";
    return kExitConfig;
  }
  auto log = make_logger(config->log_level);

  const std::string users_file = config->demo ? config->demo_users : config->users;
  auto auth = api::Authenticator::load(users_file);
  if (!auth) {
    std::cerr << "ledgerflowd: " << auth.error().message << "\n";
    return kExitConfig;
  }
  if (config->demo) {
    log->warn(members({{"msg",
                        "demo mode: the demo users' API keys are published; never use "
                        "--demo with real data"},
                       {"users", users_file}}));
  }

  // Signals go to the main thread only (sigwait below); every thread started from here
  // on inherits the blocked mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  rt::SystemClock clock;
  // Outbound HTTP goes only where the configuration allows (the http action and remote
  // scorers, which are loaded with the models below).
  plugins::EgressPolicy egress;
  egress.allow_hosts = config->egress.allow_hosts;
  egress.allow_private_networks = config->egress.allow_private_networks;
  egress.max_in_flight = static_cast<std::size_t>(config->egress.max_in_flight);
  plugins::set_default_egress_policy(egress);
  api::EngineHostOptions ho;
  ho.database = config->database;
  ho.synchronous_full = config->synchronous_full;
  ho.models = config->models;
  ho.plugins = config->plugins;
  ho.hmac_key_file = config->hmac_key_file;
  ho.model_notice = [log](const std::string& message) {
    log->warn(members({{"msg", "model"}, {"detail", message}}));
  };
  ho.shards = config->engine_shards;
  // The finance package: its records and ledgers on the same database, its actions.
  auto finance = std::make_shared<finance::FinanceModule>();
  ho.modules.push_back(finance);
  auto host = api::EngineHost::open(ho, clock);
  if (!host) {
    std::cerr << "ledgerflowd: " << host.error().message << "\n";
    return kExitStart;
  }
  // `workflows` is a comma-separated list of directories.
  for (std::size_t from = 0; from < config->workflows.size();) {
    std::size_t comma = config->workflows.find(',', from);
    if (comma == std::string::npos) comma = config->workflows.size();
    const std::string dir = config->workflows.substr(from, comma - from);
    from = comma + 1;
    if (dir.empty()) continue;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      log->warn(members({{"msg", "workflows directory not found; nothing deployed from it"},
                         {"workflows", dir}}));
      continue;
    }
    auto deployed = (*host)->deploy_directory(dir, "system");
    if (!deployed) {
      std::cerr << "ledgerflowd: " << deployed.error().message << "\n";
      return kExitStart;
    }
    for (const auto& d : *deployed) {
      log->info(members({{"msg", d.created ? "deployed" : "already deployed"},
                         {"workflow", d.name},
                         {"version", d.version},
                         {"file", d.file}}));
    }
  }

  api::ApiOptions ao;
  ao.worker_threads = config->worker_threads;
  ao.rate_per_second = config->limits.rate_per_second;
  ao.rate_burst = config->limits.rate_burst;
  ao.max_sse_clients = static_cast<std::size_t>(config->limits.max_sse_clients);
  ao.max_sse_clients_per_user = static_cast<std::size_t>(config->limits.max_sse_clients_per_user);
  ao.dashboard_dir = config->dashboard;
  ao.models_dir = config->models;
  ao.access = config->access;
  // The finance package's routes; declared before the service, which uses them.
  finance::FinanceRoutes finance_routes(finance->records(), finance->ar_ledger());
  auto service = std::make_unique<api::ApiService>(**host, std::move(*auth), ao);
  api::http::Router router;
  if (auto r = service->add_module(finance_routes); !r) {
    std::cerr << "ledgerflowd: " << r.error().message << "\n";
    return kExitStart;
  }
  if (auto r = service->register_routes(router); !r) {
    std::cerr << "ledgerflowd: " << r.error().message << "\n";
    return kExitStart;
  }

  api::http::ServerOptions so;
  so.host = address->first;
  so.port = address->second;
  so.threads = config->threads;
  so.body_limit_bytes = static_cast<std::size_t>(config->limits.body_bytes);
  so.bulk_path_prefix = "/v1/records/";
  so.bulk_body_limit_bytes = static_cast<std::size_t>(config->limits.import_body_bytes);
  so.header_limit_bytes = static_cast<std::size_t>(config->limits.header_bytes);
  so.max_connections = static_cast<std::size_t>(config->limits.max_connections);
  so.read_timeout_ms = static_cast<std::uint32_t>(config->limits.read_timeout_ms);
  so.idle_timeout_ms = static_cast<std::uint32_t>(config->limits.idle_timeout_ms);
  so.write_queue_limit = static_cast<std::size_t>(config->limits.sse_queue_events);
  so.sse_heartbeat_ms = static_cast<std::uint32_t>(config->limits.sse_heartbeat_ms);
  api::ApiService* svc = service.get();
  api::http::Server server(so, std::move(router), [log, svc](const api::http::AccessLogEntry& e) {
    svc->count_response(e.status);
    log->info(members({{"msg", "request"},
                       {"request_id", e.request_id},
                       {"method", e.method},
                       {"route", e.target.substr(0, 200)},
                       {"status", e.status},
                       {"duration_ms", e.duration_ms},
                       {"bytes", e.bytes},
                       {"user", e.user},
                       {"remote", e.remote}}));
  });
  if (auto r = server.start(); !r) {
    std::cerr << "ledgerflowd: " << r.error().message << "\n";
    return kExitStart;
  }
  const std::string url = "http://" + address->first + ":" + std::to_string(server.port());
  std::printf("ledgerflowd listening on %s\n", url.c_str());
  std::fflush(stdout);
  log->info(members({{"msg", "listening"}, {"url", url}, {"database", config->database}}));

  int sig = 0;
  sigwait(&signals, &sig);
  log->info(members({{"msg", "draining"}, {"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}}));
  const bool clean = server.drain(std::chrono::seconds(10));
  service->stop();
  service.reset();
  (*host)->executor().wait_idle();
  host->reset();  // the executor finishes, the store flushes and closes
  log->info(members({{"msg", "stopped"}, {"clean", clean}}));
  return kExitOk;
}
