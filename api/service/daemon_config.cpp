#include "api/service/daemon_config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <limits>

namespace ledgerflow::api {
namespace {

using Setter = std::function<Result<void>(DaemonConfig&, const std::string&)>;

Result<std::int64_t> parse_int(const std::string& key, const std::string& v, std::int64_t lo,
                               std::int64_t hi) {
  std::int64_t out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size()) {
    return Error::invalid(key + ": expected an integer, got '" + v + "'");
  }
  if (out < lo || out > hi) {
    return Error::invalid(key + ": " + v + " is out of range [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "]");
  }
  return out;
}

Result<double> parse_double(const std::string& key, const std::string& v, double lo, double hi) {
  try {
    std::size_t used = 0;
    double out = std::stod(v, &used);
    if (used != v.size() || !(out >= lo && out <= hi)) throw std::invalid_argument("range");
    return out;
  } catch (const std::exception&) {
    return Error::invalid(key + ": expected a number in [" + std::to_string(lo) + ", " +
                          std::to_string(hi) + "], got '" + v + "'");
  }
}

Result<bool> parse_bool(const std::string& key, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off") return false;
  return Error::invalid(key + ": expected true or false, got '" + v + "'");
}

Setter text(std::string DaemonConfig::*field) {
  return [field](DaemonConfig& c, const std::string& v) -> Result<void> {
    c.*field = v;
    return {};
  };
}

Setter integer(int DaemonConfig::*field, const char* key, int lo, int hi) {
  return [=](DaemonConfig& c, const std::string& v) -> Result<void> {
    auto n = parse_int(key, v, lo, hi);
    if (!n) return n.error();
    c.*field = static_cast<int>(*n);
    return {};
  };
}

Setter limit(std::int64_t DaemonConfig::Limits::*field, const char* key, std::int64_t lo,
             std::int64_t hi) {
  return [=](DaemonConfig& c, const std::string& v) -> Result<void> {
    auto n = parse_int(key, v, lo, hi);
    if (!n) return n.error();
    c.limits.*field = *n;
    return {};
  };
}

std::map<std::string, Setter> limit_setters();

const std::map<std::string, Setter>& setters() {
  static const std::map<std::string, Setter> top = {
      {"listen", text(&DaemonConfig::listen)},
      {"database", text(&DaemonConfig::database)},
      {"synchronous",
       [](DaemonConfig& c, const std::string& v) -> Result<void> {
         if (v != "full" && v != "normal") {
           return Error::invalid("synchronous: expected full or normal, got '" + v + "'");
         }
         c.synchronous_full = v == "full";
         return {};
       }},
      {"workflows", text(&DaemonConfig::workflows)},
      {"models", text(&DaemonConfig::models)},
      {"plugins", text(&DaemonConfig::plugins)},
      {"users", text(&DaemonConfig::users)},
      {"demo_users", text(&DaemonConfig::demo_users)},
      {"demo",
       [](DaemonConfig&, const std::string&) -> Result<void> {
         // The published demo keys (admin included) must never be switched on quietly by
         // a stray environment variable or config line.
         return Error::invalid(
             "'demo' cannot be set in a config file or the environment; only the --demo flag "
             "enables the demo users");
       }},
      {"dashboard", text(&DaemonConfig::dashboard)},
      {"egress.allow_hosts",
       [](DaemonConfig& c, const std::string& v) -> Result<void> {
         c.egress.allow_hosts.clear();
         std::size_t start = 0;
         while (start <= v.size()) {
           std::size_t end = v.find(',', start);
           if (end == std::string::npos) end = v.size();
           std::string host = v.substr(start, end - start);
           host.erase(0, host.find_first_not_of(" \t"));
           host.erase(host.find_last_not_of(" \t") + 1);
           if (!host.empty()) c.egress.allow_hosts.push_back(host);
           start = end + 1;
         }
         return {};
       }},
      {"egress.allow_private_networks",
       [](DaemonConfig& c, const std::string& v) -> Result<void> {
         auto b = parse_bool("egress.allow_private_networks", v);
         if (!b) return b.error();
         c.egress.allow_private_networks = *b;
         return {};
       }},
      {"egress.max_in_flight",
       [](DaemonConfig& c, const std::string& v) -> Result<void> {
         auto n = parse_int("egress.max_in_flight", v, 1, 10'000);
         if (!n) return n.error();
         c.egress.max_in_flight = *n;
         return {};
       }},
      {"threads", integer(&DaemonConfig::threads, "threads", 1, 64)},
      {"worker_threads", integer(&DaemonConfig::worker_threads, "worker_threads", 1, 64)},
      {"engine_shards", integer(&DaemonConfig::engine_shards, "engine_shards", 1, 64)},
      {"log_level",
       [](DaemonConfig& c, const std::string& v) -> Result<void> {
         static const char* kLevels[] = {"trace", "debug", "info", "warn", "error", "off"};
         if (std::find(std::begin(kLevels), std::end(kLevels), v) == std::end(kLevels)) {
           return Error::invalid(
               "log_level: expected trace, debug, info, warn, error or off, "
               "got '" +
               v + "'");
         }
         c.log_level = v;
         return {};
       }},
      {"hmac_key_file", text(&DaemonConfig::hmac_key_file)},
  };
  static const std::map<std::string, Setter> table = [] {
    std::map<std::string, Setter> all = top;
    all.merge(limit_setters());
    return all;
  }();
  return table;
}

// The `limits:` section.
std::map<std::string, Setter> limit_setters() {
  return {
      {"limits.body_bytes",
       limit(&DaemonConfig::Limits::body_bytes, "limits.body_bytes", 1024, 64 << 20)},
      {"limits.import_body_bytes", limit(&DaemonConfig::Limits::import_body_bytes,
                                         "limits.import_body_bytes", 1024, std::int64_t{1} << 30)},
      {"limits.header_bytes",
       limit(&DaemonConfig::Limits::header_bytes, "limits.header_bytes", 1024, 1 << 20)},
      {"limits.max_connections",
       limit(&DaemonConfig::Limits::max_connections, "limits.max_connections", 1, 100'000)},
      {"limits.read_timeout_ms",
       limit(&DaemonConfig::Limits::read_timeout_ms, "limits.read_timeout_ms", 10, 3'600'000)},
      {"limits.idle_timeout_ms",
       limit(&DaemonConfig::Limits::idle_timeout_ms, "limits.idle_timeout_ms", 10, 3'600'000)},
      {"limits.sse_queue_events",
       limit(&DaemonConfig::Limits::sse_queue_events, "limits.sse_queue_events", 1, 1'000'000)},
      {"limits.sse_heartbeat_ms",
       limit(&DaemonConfig::Limits::sse_heartbeat_ms, "limits.sse_heartbeat_ms", 10, 3'600'000)},
      {"limits.max_sse_clients",
       limit(&DaemonConfig::Limits::max_sse_clients, "limits.max_sse_clients", 0, 100'000)},
      {"limits.max_sse_clients_per_user",
       limit(&DaemonConfig::Limits::max_sse_clients_per_user, "limits.max_sse_clients_per_user",
             1, 100'000)},
      {"limits.rate_per_second",
       [](DaemonConfig& c, const std::string& v) -> Result<void> {
         auto d = parse_double("limits.rate_per_second", v, 0, 1e9);
         if (!d) return d.error();
         c.limits.rate_per_second = *d;
         return {};
       }},
      {"limits.rate_burst",
       [](DaemonConfig& c, const std::string& v) -> Result<void> {
         auto d = parse_double("limits.rate_burst", v, 1, 1e9);
         if (!d) return d.error();
         c.limits.rate_burst = *d;
         return {};
       }},
  };
}

// "a, b,c" -> {a, b, c}; invalid_argument for an empty list or an empty name.
Result<std::vector<std::string>> role_list(const std::string& key, const std::string& v) {
  std::vector<std::string> roles;
  for (std::size_t from = 0; from <= v.size();) {
    std::size_t comma = v.find(',', from);
    if (comma == std::string::npos) comma = v.size();
    std::string role = v.substr(from, comma - from);
    role.erase(0, role.find_first_not_of(' '));
    role.erase(role.find_last_not_of(' ') + 1);
    if (role.empty()) return Error::invalid(key + ": expected role names separated by commas");
    roles.push_back(role);
    from = comma + 1;
  }
  return roles;
}

constexpr std::string_view kAccessPrefix = "access.";

Result<void> set_access(DaemonConfig& c, const std::string& key, const std::string& v) {
  const std::string rule = key.substr(kAccessPrefix.size());
  if (rule.empty()) return Error::invalid("access: a rule name is missing");
  LF_TRY_ASSIGN(c.access[rule], role_list(key, v));
  return {};
}

// The `access:` section: rule -> a list of roles (or a comma-separated string).
Result<void> apply_access_yaml(DaemonConfig& c, const YAML::Node& node, const std::string& file) {
  for (const auto& kv : node) {
    const std::string key = std::string(kAccessPrefix) + kv.first.as<std::string>();
    const auto m = kv.first.Mark();
    const std::string where =
        file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
    std::string text;
    if (kv.second.IsSequence()) {
      for (const auto& r : kv.second) text += (text.empty() ? "" : ",") + r.as<std::string>();
    } else if (kv.second.IsScalar()) {
      text = kv.second.as<std::string>();
    } else {
      return Error::invalid(where + "'" + key + "' must be a list of roles");
    }
    if (auto r = set_access(c, key, text); !r) return Error::invalid(where + r.error().message);
  }
  return {};
}

std::string env_name(const std::string& key) {
  std::string out = "LEDGERFLOW_";
  for (char ch : key) out += ch == '.' ? '_' : static_cast<char>(std::toupper(ch));
  return out;
}

Result<void> apply_yaml(DaemonConfig& c, const YAML::Node& node, const std::string& prefix,
                        const std::string& file) {
  for (const auto& kv : node) {
    const std::string key = prefix + kv.first.as<std::string>();
    const auto m = kv.first.Mark();
    const std::string where =
        file + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1) + ": ";
    if (kv.second.IsMap() && key == "access") {
      LF_TRY(apply_access_yaml(c, kv.second, file));
      continue;
    }
    if (kv.second.IsMap()) {
      if (key != "limits" && key != "egress") {
        return Error::invalid(where + "'" + key + "' is not a section");
      }
      if (auto r = apply_yaml(c, kv.second, key + ".", file); !r) return r;
      continue;
    }
    const auto& table = setters();
    auto it = table.find(key);
    if (it == table.end()) {
      std::string known;
      for (const auto& [k, _] : table) known += (known.empty() ? "" : ", ") + k;
      return Error::invalid(where + "unknown key '" + key + "' (known: " + known + ")");
    }
    std::string value;
    if (kv.second.IsSequence()) {  // a list: the same as its comma-separated text
      for (const auto& item : kv.second) {
        if (!item.IsScalar()) return Error::invalid(where + "'" + key + "' must be a list of values");
        value += (value.empty() ? "" : ",") + item.as<std::string>();
      }
    } else if (kv.second.IsScalar()) {
      value = kv.second.as<std::string>();
    } else {
      return Error::invalid(where + "'" + key + "' must be a value");
    }
    if (auto r = it->second(c, value); !r) {
      return Error::invalid(where + r.error().message);
    }
  }
  return {};
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> DaemonConfig::listen_address() const {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error::invalid("listen: expected HOST:PORT, got '" + listen + "'");
  }
  auto port = parse_int("listen", listen.substr(colon + 1), 0, 65535);
  if (!port) return port.error();
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host, static_cast<std::uint16_t>(*port)};
}

Result<void> set_config_value(DaemonConfig& c, const std::string& key, const std::string& value) {
  if (key.rfind(kAccessPrefix, 0) == 0) return set_access(c, key, value);
  auto it = setters().find(key);
  if (it == setters().end()) return Error::invalid("unknown configuration key '" + key + "'");
  return it->second(c, value);
}

std::vector<std::string> config_keys() {
  std::vector<std::string> out;
  for (const auto& [k, _] : setters()) out.push_back(k);
  return out;
}

Result<DaemonConfig> load_config(const std::string& path, const std::vector<std::string>& env) {
  DaemonConfig c;
  if (!path.empty()) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(path);
    } catch (const YAML::BadFile&) {
      return Error::io(path + ": cannot read the configuration file");
    } catch (const YAML::Exception& e) {
      return Error::invalid(path + ":" + std::to_string(e.mark.line + 1) + ":" +
                            std::to_string(e.mark.column + 1) + ": " + e.msg);
    }
    if (root && !root.IsNull()) {
      if (!root.IsMap()) return Error::invalid(path + ": expected a mapping of settings");
      try {
        if (auto r = apply_yaml(c, root, "", path); !r) return r.error();
      } catch (const YAML::Exception& e) {
        return Error::invalid(path + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
      }
    }
  }
  // LEDGERFLOW_ACCESS_<RULE>=roles (rule names are lower case).
  const std::string access_env = env_name("access.");
  for (const auto& kv : env) {
    const auto eq = kv.find('=');
    if (kv.rfind(access_env, 0) != 0 || eq == std::string::npos) continue;
    std::string rule = kv.substr(access_env.size(), eq - access_env.size());
    for (auto& ch : rule) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (auto r = set_access(c, std::string(kAccessPrefix) + rule, kv.substr(eq + 1)); !r) {
      return Error::invalid("environment " + kv.substr(0, eq) + ": " + r.error().message);
    }
  }
  for (const auto& [key, setter] : setters()) {
    const std::string name = env_name(key) + "=";
    for (const auto& kv : env) {
      if (kv.rfind(name, 0) != 0) continue;
      if (auto r = setter(c, kv.substr(name.size())); !r) {
        return Error::invalid("environment " + env_name(key) + ": " + r.error().message);
      }
    }
  }
  return c;
}

}  // namespace ledgerflow::api
