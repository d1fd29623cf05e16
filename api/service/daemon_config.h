// DaemonConfig: everything ledgerflowd is configured with, from three layers, each
// overriding the one before:
//
//   1. the YAML file given with --config (keys below; unknown keys are refused, located);
//   2. LEDGERFLOW_* environment variables: the key path upper-cased, dots as underscores
//      (limits.body_bytes -> LEDGERFLOW_LIMITS_BODY_BYTES, listen -> LEDGERFLOW_LISTEN);
//   3. command-line flags (--listen, --db, --demo, ...; see ledgerflowd --help).
//
// Relative paths are relative to the working directory.
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::api {

struct DaemonConfig {
  std::string listen = "127.0.0.1:8080";  // HOST:PORT (port 0 = any free port)
  std::string database = "ledgerflow.db";
  bool synchronous_full = true;         // synchronous: full | normal
  std::string workflows = "workflows";  // comma-separated directories deployed at start
  std::string models = "models";        // <name>/<version>/model.json
  std::string plugins = "";             // C-ABI scorer plugins (*.so); empty = none
  std::string users = "config/users.yaml";
  std::string demo_users = "config/demo-users.yaml";

  // Outbound HTTP (the http action, remote scorers): plugins/http/egress_policy.h.
  struct Egress {
    std::vector<std::string> allow_hosts;  // empty: any public host
    bool allow_private_networks = false;
    std::int64_t max_in_flight = 32;
  } egress;
  bool demo = false;  // use demo_users (published keys); only the --demo flag sets it
  std::string dashboard = "api/dashboard/dist";  // static files served at /
  int threads = 2;                               // network threads
  int worker_threads = 2;                        // threads for database reads behind the API
  int engine_shards = 2;                         // executor instance threads
  std::string log_level = "info";                // trace|debug|info|warn|error|off
  // Key for pseudonymising sensitive feature values in decision records (at least 32
  // bytes, not readable by others; storage/key_file.h). Empty: "<database>.hmac-key",
  // created once.
  std::string hmac_key_file = "";

  struct Limits {
    std::int64_t body_bytes = 1 << 20;
    std::int64_t import_body_bytes = 64 << 20;  // POST /v1/records/{type}
    std::int64_t header_bytes = 16 << 10;
    std::int64_t max_connections = 1024;
    std::int64_t read_timeout_ms = 15'000;
    std::int64_t idle_timeout_ms = 60'000;
    std::int64_t sse_queue_events = 1024;
    std::int64_t sse_heartbeat_ms = 15'000;
    std::int64_t max_sse_clients = 256;
    std::int64_t max_sse_clients_per_user = 8;
    double rate_per_second = 500;  // per API key; 0 = unlimited
    double rate_burst = 1000;
  } limits;

  // Access rule -> roles (the `access:` section; env LEDGERFLOW_ACCESS_<RULE>=a,b; flag
  // --set access.<rule>=a,b). Each replaces the roles of a rule the API or one of its
  // route modules defines; rules not named keep their defaults. An unknown rule stops
  // the daemon at start.
  std::map<std::string, std::vector<std::string>> access;

  // Parses "HOST:PORT".
  Result<std::pair<std::string, std::uint16_t>> listen_address() const;
};

// Reads `path` (if non-empty) over the defaults, then the environment (`env` is
// environ-style "KEY=VALUE"; pass the process environment). Errors name the file, line
// and key, or the variable.
Result<DaemonConfig> load_config(const std::string& path, const std::vector<std::string>& env);

// Sets one key ("limits.body_bytes") from text, as the environment layer does.
Result<void> set_config_value(DaemonConfig& config, const std::string& key,
                              const std::string& value);

// Every key, for --help and docs.
std::vector<std::string> config_keys();

}  // namespace ledgerflow::api
