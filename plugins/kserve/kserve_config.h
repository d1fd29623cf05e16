// KserveConfig: the validated contents of a "ledgerflow-kserve/1" model file, which
// points a model version at a remote model server speaking the Open Inference Protocol
// (KServe v2 REST) instead of holding the model itself:
//
//   {"format": "ledgerflow-kserve/1",
//    "url": "http://127.0.0.1:8500",          base URL (a path prefix is allowed)
//    "model": "fraud",                         the model's name on the server
//    "features": ["amount", "days_overdue"],   input order, sent as one FP64 row
//    "timeout_ms": 200,                        per attempt, 1..60000 (default 1000)
//    "objective": "binary:logistic",           or "reg:squarederror" (default: binary)
//    "input_name": "input-0",                  optional, the v2 input tensor's name
//    "missing_value": 0,                       optional: sent for NaN (missing) inputs;
//                                              without it a missing input is an error
//    "retries": 2, "backoff_ms": 50,           optional: retries of 5xx / connect errors
//    "circuit": {"failures": 5, "open_ms": 30000},   optional circuit breaker settings
//    "name"?, "version"?, "description"?}
//
// Strict, like the linear format: unknown fields and out-of-range limits are refused,
// naming the file and the field, because a typo ("timout_ms") would otherwise silently
// run with a default. https:// is refused (no TLS client yet), as in the http action.
// Thread-safety: plain value type; stateless parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/common/result.h"
#include "plugins/http/http_call.h"

namespace ledgerflow::plugins {

inline constexpr std::string_view kKserveModelFormat = "ledgerflow-kserve/1";

struct KserveConfig {
  std::string name;     // the registry's model name (the file's "name", else its location)
  std::string version;  // likewise
  Url base_url;         // http only; target is the path prefix without a trailing '/'
  std::string remote_model;
  std::vector<std::string> features;
  std::string objective = "binary:logistic";
  std::string input_name = "input-0";
  std::optional<double> missing_value;
  std::int64_t timeout_ms = 1000;
  int retries = 2;
  std::int64_t backoff_ms = 50;  // doubled after each retry
  int circuit_failures = 5;      // consecutive failed calls that open the circuit
  std::int64_t circuit_open_ms = 30000;

  std::string infer_url() const;  // "<base>/v2/models/<remote_model>/infer"
};

// Limits (TigerBeetle style): checked by the parser.
inline constexpr std::size_t kKserveMaxFeatures = 10'000;
inline constexpr std::int64_t kKserveMaxTimeoutMs = 60'000;
inline constexpr int kKserveMaxRetries = 5;
inline constexpr std::int64_t kKserveMaxBackoffMs = 10'000;
inline constexpr int kKserveMaxCircuitFailures = 1000;
inline constexpr std::int64_t kKserveMaxOpenMs = 3'600'000;

// `name` / `version` are the registry location, used when the file does not say.
// invalid_argument with "<source>: <field>: <why>" messages.
Result<KserveConfig> parse_kserve_config(const nlohmann::json& doc, const std::string& source,
                                         const std::string& name, const std::string& version);

}  // namespace ledgerflow::plugins
