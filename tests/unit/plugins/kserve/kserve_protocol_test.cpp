// The KServe v2 wire format (request building, response checks), the model file parser
// and the circuit breaker, without sockets.
#include <catch2/catch.hpp>

#include "engine/runtime/clock.h"
#include "plugins/kserve/circuit_breaker.h"
#include "plugins/kserve/kserve_config.h"
#include "plugins/kserve/kserve_protocol.h"

using ledgerflow::ErrorCode;
using ledgerflow::plugins::build_infer_request;
using ledgerflow::plugins::CircuitBreaker;
using ledgerflow::plugins::parse_infer_response;
using ledgerflow::plugins::parse_kserve_config;
using nlohmann::json;

namespace {

std::string response_error(const json& body) {
  auto r = parse_infer_response(body);
  INFO(body.dump());
  REQUIRE_FALSE(r.ok());
  return r.error().message;
}

json output(json shape, json datatype, json data) {
  return {{"outputs", json::array({{{"name", "out"},
                                    {"shape", std::move(shape)},
                                    {"datatype", std::move(datatype)},
                                    {"data", std::move(data)}}})}};
}

json config_doc() {
  return json::parse(R"({"format": "ledgerflow-kserve/1", "url": "http://127.0.0.1:8500/",
      "model": "fraud-v2", "features": ["amount", "days"], "timeout_ms": 200})");
}

}  // namespace

TEST_CASE("kserve: the request is one FP64 row", "[unit][plugins][kserve]") {
  std::vector<double> row = {1.5, -2, 0};
  json expected = json::parse(R"({"inputs": [{"name": "input-0", "shape": [1, 3],
      "datatype": "FP64", "data": [1.5, -2.0, 0.0]}]})");
  CHECK(build_infer_request(row, "input-0") == expected);
}

TEST_CASE("kserve: responses are checked, not trusted", "[unit][plugins][kserve]") {
  CHECK(*parse_infer_response(output({1, 1}, "FP64", {0.75})) == 0.75);
  CHECK(*parse_infer_response(output({1}, "FP32", {0.5})) == 0.5);
  CHECK(*parse_infer_response(output({1, 2}, "FP64", {0.1, 0.9})) == 0.1);  // first value

  CHECK(response_error("{not json") == "bad inference response: not JSON: '{not json'");
  CHECK(response_error(json::array()) ==
        "bad inference response: body: expected a JSON object, got []");
  CHECK(response_error(json::object()) == "bad inference response: outputs: missing");
  CHECK(response_error({{"outputs", json::array()}}) ==
        "bad inference response: outputs: expected a non-empty array, got []");
  CHECK(response_error(output({1, 1}, "BYTES", {"x"})) ==
        "bad inference response: outputs[0].datatype: expected FP64, FP32 or FP16, got \"BYTES\"");
  CHECK(response_error(output({1, 2}, "FP64", {0.5})) ==
        "bad inference response: outputs[0].shape: [1,2] describes 2 values but data has 1");
  CHECK(response_error(output({1, -1}, "FP64", {0.5})) ==
        "bad inference response: outputs[0].shape: expected non-negative integer dimensions, "
        "got [1,-1]");
  CHECK(response_error(output("1", "FP64", {0.5})) ==
        "bad inference response: outputs[0].shape: expected an array of 1 to 8 dimensions, "
        "got \"1\"");
  CHECK(response_error(output({1, 1}, "FP64", {nullptr})) ==  // NaN serialised as null
        "bad inference response: outputs[0].data[0]: expected a number, got null");
  CHECK(response_error(output({1, 1}, "FP64", {json::array({0.5})})) ==
        "bad inference response: outputs[0].data[0]: expected a number, got [0.5]");
  CHECK(response_error(output({0}, "FP64", json::array())) ==
        "bad inference response: outputs[0].data: no values");
  CHECK(response_error(output({60000, 60000}, "FP64", {0.5})) ==
        "bad inference response: outputs[0].shape: more than 65536 values");
  CHECK_THAT(response_error(std::string(500, 'z')), Catch::EndsWith("zzz...'"));
}

TEST_CASE("kserve: model files are parsed strictly", "[unit][plugins][kserve]") {
  auto c = parse_kserve_config(config_doc(), "m.json", "risk", "3");
  INFO((c.ok() ? "" : c.error().message));
  REQUIRE(c.ok());
  CHECK(c->name == "risk");
  CHECK(c->version == "3");
  CHECK(c->infer_url() == "http://127.0.0.1:8500/v2/models/fraud-v2/infer");
  CHECK(c->features == std::vector<std::string>{"amount", "days"});
  CHECK(c->timeout_ms == 200);
  CHECK(c->retries == 2);
  CHECK(c->objective == "binary:logistic");
  CHECK_FALSE(c->missing_value.has_value());

  auto error_for = [](const std::string& key, const json& value) {
    json doc = config_doc();
    if (value.is_null()) {
      doc.erase(key);
    } else {
      doc[key] = value;
    }
    auto r = parse_kserve_config(doc, "m.json", "risk", "3");
    INFO(key);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
  };
  CHECK(error_for("url", "https://models.example.com") ==
        "m.json: url: https is not supported yet (no TLS); use http://");
  CHECK_THAT(error_for("url", "ftp://x"), Catch::StartsWith("m.json: url: 'ftp://x' is not"));
  CHECK(error_for("url", "http://h/?q=1") ==
        "m.json: url: a base URL has no query string or fragment");
  CHECK(error_for("timout_ms", 5) == "m.json: timout_ms: unknown field");
  CHECK(error_for("timeout_ms", 0) == "m.json: timeout_ms: 0 is outside 1..60000");
  CHECK(error_for("retries", 9) == "m.json: retries: 9 is outside 0..5");
  CHECK(error_for("model", "../admin") ==
        "m.json: model: '../admin' is not a model name (letters, digits, . _ -)");
  CHECK(error_for("features", json::array({"a", "a"})) ==
        "m.json: features[1]: 'a' is listed twice");
  CHECK(error_for("features", nullptr) == "m.json: features: missing; the input names in order");
  CHECK(error_for("objective", "multi:softprob") ==
        "m.json: objective: expected \"binary:logistic\" or \"reg:squarederror\"");
  CHECK(error_for("circuit", {{"failures", 0}}) ==
        "m.json: circuit.failures: 0 is outside 1..1000");
  CHECK(error_for("circuit", {{"open", 5}}) == "m.json: circuit.open: unknown field");
}

TEST_CASE("kserve: the circuit opens, fails fast and half-opens", "[unit][plugins][kserve]") {
  auto clock = std::make_shared<ledgerflow::rt::FakeClock>();  // 2026-01-01T00:00:00Z
  CircuitBreaker breaker({3, 10000}, clock, "remote");
  for (int i = 0; i < 3; ++i) {
    REQUIRE(breaker.allow().ok());
    breaker.record_failure("503 Service Unavailable");
  }
  CHECK(breaker.state() == CircuitBreaker::State::open);
  auto fast = breaker.allow();
  REQUIRE_FALSE(fast.ok());
  CHECK(fast.error().code == ErrorCode::unavailable);
  CHECK(fast.error().message ==
        "remote: circuit open until 2026-01-01T00:00:10Z after 3 consecutive failures; "
        "last: 503 Service Unavailable");

  clock->advance_ms(10000);
  CHECK(breaker.state() == CircuitBreaker::State::half_open);
  REQUIRE(breaker.allow().ok());  // the probe
  auto second = breaker.allow();  // while the probe runs
  REQUIRE_FALSE(second.ok());
  CHECK_THAT(second.error().message, Catch::Contains("a probe call is in flight"));
  breaker.record_failure("timeout");  // a failed probe re-opens at once
  CHECK(breaker.state() == CircuitBreaker::State::open);
  CHECK_THAT(breaker.allow().error().message,
             Catch::Contains("circuit open until 2026-01-01T00:00:20Z"));

  clock->advance_ms(10000);
  REQUIRE(breaker.allow().ok());
  breaker.record_success();
  CHECK(breaker.state() == CircuitBreaker::State::closed);
  REQUIRE(breaker.allow().ok());
  breaker.record_failure("one");  // counting starts again from zero
  CHECK(breaker.state() == CircuitBreaker::State::closed);
}
