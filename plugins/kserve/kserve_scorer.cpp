#include "plugins/kserve/kserve_scorer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <mutex>
#include <thread>

#include "plugins/http/http_action_runner.h"
#include "plugins/kserve/kserve_protocol.h"

namespace ledgerflow::plugins {
namespace {

using nlohmann::json;

// One HttpActionRunner (one io thread) for every remote scorer; it lives while any
// scorer holds it, so no static outlives its users.
std::shared_ptr<rt::ActionRunner> shared_http_runner() {
  static std::mutex mu;
  static std::weak_ptr<rt::ActionRunner> weak;
  std::lock_guard lock(mu);
  if (auto runner = weak.lock()) return runner;
  std::shared_ptr<rt::ActionRunner> runner = std::make_shared<HttpActionRunner>();
  weak = runner;
  return runner;
}

// How a failed attempt is handled.
enum class Failure { retryable, refused, fatal };

struct Classified {
  Failure kind = Failure::fatal;
  std::string message;  // without the "POST <url>: " prefix the runner adds
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The http runner reports a non-2xx status as "<METHOD> <url>: <status> <reason>" and a
// refused connection as "...: could not connect to <host>"; those are the two cases
// that decide retrying, read from the message because ActionResult carries no status.
Classified classify(const rt::ActionResult& result, const std::string& prefix) {
  Classified c;
  c.message =
      result.message.starts_with(prefix) ? result.message.substr(prefix.size()) : result.message;
  if (result.error != "http_error") return c;  // timeout, action_error: not retried
  const std::string& m = c.message;
  if (m.size() >= 4 && is_digit(m[0]) && is_digit(m[1]) && is_digit(m[2]) && m[3] == ' ') {
    c.kind = m[0] == '5' ? Failure::retryable : Failure::refused;
  } else if (m.starts_with("could not connect to ")) {
    c.kind = Failure::retryable;
  }
  return c;
}

}  // namespace

Result<std::unique_ptr<KserveScorer>> KserveScorer::from_model_file(const json& doc,
                                                                    const std::string& path,
                                                                    const std::string& name,
                                                                    const std::string& version,
                                                                    Options options) {
  auto config = parse_kserve_config(doc, path, name, version);
  if (!config) return config.error();
  return std::make_unique<KserveScorer>(std::move(*config), std::move(options));
}

KserveScorer::KserveScorer(KserveConfig config, Options options)
    : config_(std::move(config)),
      http_(options.http ? std::move(options.http) : shared_http_runner()),
      what_("kserve " + config_.infer_url()),
      breaker_({config_.circuit_failures, config_.circuit_open_ms},
               options.clock ? std::move(options.clock) : std::make_shared<rt::SystemClock>(),
               what_) {
  info_.name = config_.name;
  info_.version = config_.version;
  info_.kind = "kserve";
  info_.objective = config_.objective;
  info_.features = config_.features;
}

Result<json> KserveScorer::request_body(std::span<const double> features) const {
  const auto& names = config_.features;
  if (features.size() != names.size()) {
    return Error::invalid(what_ + " expects " + std::to_string(names.size()) + " features, got " +
                          std::to_string(features.size()));
  }
  std::vector<double> row(features.begin(), features.end());
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (std::isnan(row[i])) {
      if (!config_.missing_value) {
        return Error::invalid(what_ + ": feature '" + names[i] +
                              "' is missing and the model file sets no missing_value");
      }
      row[i] = *config_.missing_value;
    } else if (std::isinf(row[i])) {
      return Error::invalid(what_ + ": feature '" + names[i] + "' is infinite");
    }
  }
  return build_infer_request(row, config_.input_name);
}

Result<double> KserveScorer::call(const json& body) const {
  rt::ActionRequest request;
  request.action = "http";
  request.args = {{"method", "POST"},
                  {"url", config_.infer_url()},
                  {"body", body},
                  {"timeout", config_.timeout_ms}};
  request.timeout_ms = config_.timeout_ms;
  const std::string prefix = "POST " + config_.infer_url() + ": ";
  for (int attempt = 0;; ++attempt) {
    rt::ActionResult result;
    try {
      result = http_->run(request);
    } catch (const std::exception& e) {  // an injected transport broke its promise
      result = rt::ActionResult::failure("action_error", e.what());
    }
    if (result.ok) {
      json none;
      const json& response = result.output.is_object() && result.output.contains("body")
                                 ? result.output["body"]
                                 : none;
      auto value = parse_infer_response(response);
      if (value && config_.objective == "binary:logistic" && (*value < 0 || *value > 1)) {
        value =
            Error::invalid("bad inference response: outputs[0].data[0]: " + std::to_string(*value) +
                           " is not a probability in [0, 1]");
      }
      if (!value) {
        breaker_.record_failure(value.error().message);
        return Error::invalid(what_ + ": " + value.error().message);
      }
      breaker_.record_success();
      return *value;
    }
    Classified failure = classify(result, prefix);
    if (failure.kind == Failure::refused) {
      breaker_.record_success();  // the server is up; it refused this request
      return Error::invalid(what_ + ": " + failure.message);
    }
    if (failure.kind == Failure::retryable && attempt < config_.retries) {
      std::int64_t wait_ms = std::min(config_.backoff_ms << attempt, kKserveMaxBackoffMs);
      std::this_thread::sleep_for(std::chrono::milliseconds(wait_ms));
      continue;
    }
    std::string attempts =
        attempt > 0 ? " (after " + std::to_string(attempt + 1) + " attempts)" : "";
    breaker_.record_failure(failure.message + attempts);
    return Error{ErrorCode::unavailable, what_ + ": " + failure.message + attempts};
  }
}

Result<scoring::ScoreResult> KserveScorer::score(std::span<const double> features,
                                                 std::size_t /*explain_top_k*/) const {
  auto body = request_body(features);
  if (!body) return body.error();
  if (auto allowed = breaker_.allow(); !allowed) return allowed.error();
  auto value = call(*body);
  if (!value) return value.error();
  scoring::ScoreResult out;
  out.score = *value;
  if (config_.objective == "binary:logistic") out.probability = *value;
  return out;
}

}  // namespace ledgerflow::plugins
