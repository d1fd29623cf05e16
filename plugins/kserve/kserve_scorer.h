// KserveScorer: a scoring::Scorer whose model lives in a remote model server speaking the
// Open Inference Protocol (KServe v2 REST; also Triton, Seldon MLServer, TorchServe's v2
// mode). Configured by a "ledgerflow-kserve/1" model file (plugins/kserve/kserve_config.h).
//
// One score() is one POST {url}/v2/models/{model}/infer of a single FP64 row
// (plugins/kserve/kserve_protocol.h), under these rules, so that a slow or broken server
// costs a workflow step a bounded delay and a clear error, never a hang or a crash:
//
//   timeout    each attempt has timeout_ms for connect + send + response; a timeout is
//              not retried (the step's time budget is already spent)
//   retries    a 5xx status or a refused connection is retried up to `retries` times,
//              after backoff_ms, 2 x backoff_ms, ... (each wait capped at 10 s); so a call
//              takes at most (retries + 1) x timeout_ms plus the waits
//   4xx        not retried: invalid_argument with the status (the server is up, it
//              refused this request); it does not count against the circuit
//   garbage    a 2xx whose body is not a valid v2 response (plugins/kserve/kserve_protocol.h)
//              or, for binary:logistic, a score outside [0, 1]: invalid_argument naming
//              what was wrong; counts as a failure for the circuit
//   circuit    after circuit.failures consecutive failed calls the circuit opens for
//              circuit.open_ms: calls fail fast with unavailable "circuit open until ..."
//              (plugins/kserve/circuit_breaker.h), then one probe call is let through
//
// The remote gives no explanation: contributions are empty and bias is 0. A missing
// input (NaN) is sent as `missing_value` when the file sets one, else refused (JSON has
// no NaN, and v2 servers reject null).
//
// Transport: an rt::ActionRunner for the `http` action (plugins/http), by default one
// HttpActionRunner shared by every KserveScorer in the process (one io thread), so URL
// rules, limits and https refusal are the http action's. score() blocks its caller (a
// scoring worker) for the duration of the call.
//
// Thread-safety: score() may run on many threads at once (the circuit has its own lock).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/runtime/action_runner.h"
#include "engine/runtime/clock.h"
#include "engine/scoring/scorer.h"
#include "plugins/kserve/circuit_breaker.h"
#include "plugins/kserve/kserve_config.h"

namespace ledgerflow::plugins {

class KserveScorer final : public scoring::Scorer {
 public:
  struct Options {
    std::shared_ptr<rt::ActionRunner> http;  // null: the process-wide HttpActionRunner
    std::shared_ptr<const rt::Clock> clock;  // null: the system clock (for the circuit)
  };

  // Parses a "ledgerflow-kserve/1" document (see kserve_config.h); `name` / `version` are
  // the registry location. Does not contact the server.
  static Result<std::unique_ptr<KserveScorer>> from_model_file(const nlohmann::json& doc,
                                                               const std::string& path,
                                                               const std::string& name,
                                                               const std::string& version,
                                                               Options options = {});

  explicit KserveScorer(KserveConfig config, Options options = {});

  const scoring::ModelInfo& info() const override { return info_; }
  const KserveConfig& config() const { return config_; }
  CircuitBreaker::State circuit_state() const { return breaker_.state(); }

  // invalid_argument: wrong width, an infinite input, a missing input without
  // missing_value, a 4xx, or a garbage response. unavailable: timeout, connection
  // failure, 5xx after the retries, or an open circuit.
  Result<scoring::ScoreResult> score(std::span<const double> features,
                                     std::size_t explain_top_k) const override;

 private:
  Result<nlohmann::json> request_body(std::span<const double> features) const;
  Result<double> call(const nlohmann::json& body) const;

  KserveConfig config_;
  scoring::ModelInfo info_;
  std::shared_ptr<rt::ActionRunner> http_;
  std::string what_;  // "kserve http://host:port/v2/models/m/infer", for messages
  mutable CircuitBreaker breaker_;
};

}  // namespace ledgerflow::plugins
