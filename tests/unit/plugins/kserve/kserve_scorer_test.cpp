// KserveScorer against a real (scripted) Open Inference Protocol server: the request on
// the wire, parsed scores, timeouts, retries, garbage responses, the circuit breaker
// (FakeClock), and dispatch from the DirectoryRegistry.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>

#include "engine/runtime/clock.h"
#include "plugins/http/http_action_runner.h"
#include "plugins/kserve/kserve_scorer.h"
#include "plugins/registry/directory_registry.h"
#include "support/temp_dir.h"
#include "unit/plugins/http/test_http_server.h"
#include "unit/plugins/kserve/kserve_test_server.h"

using ledgerflow::ErrorCode;
using ledgerflow::plugins::CircuitBreaker;
using ledgerflow::plugins::DirectoryRegistry;
using ledgerflow::plugins::KserveScorer;
using ledgerflow::plugins::test::infer_response;
using ledgerflow::plugins::test::KserveReply;
using ledgerflow::plugins::test::KserveTestServer;
using ledgerflow::plugins::test::unused_port;
using ledgerflow::test::TempDir;
using nlohmann::json;

namespace {

json model_doc(const std::string& base_url, json extra = json::object()) {
  json doc = {{"format", "ledgerflow-kserve/1"},
              {"url", base_url},
              {"model", "fraud"},
              {"features", json::array({"amount", "days"})},
              {"timeout_ms", 2000},
              {"backoff_ms", 1}};
  doc.update(extra);
  return doc;
}

std::unique_ptr<KserveScorer> make_scorer(const std::string& base_url, json extra = json::object(),
                                          KserveScorer::Options options = {}) {
  if (!options.http) {
    // The test server is on 127.0.0.1, which the default egress policy refuses.
    ledgerflow::plugins::HttpLimits limits;
    limits.egress.allow_private_networks = true;
    options.http = std::make_shared<ledgerflow::plugins::HttpActionRunner>(limits);
  }
  auto s = KserveScorer::from_model_file(model_doc(base_url, std::move(extra)), "model.json",
                                         "risk", "1", std::move(options));
  INFO((s.ok() ? "" : s.error().message));
  REQUIRE(s.ok());
  return std::move(*s);
}

const std::vector<double> kRow = {1200.5, 30};

ledgerflow::Error score_error(const KserveScorer& scorer, std::vector<double> row = kRow) {
  auto r = scorer.score(row, 3);
  REQUIRE_FALSE(r.ok());
  return r.error();
}

KserveReply body_reply(std::string body, int status = 200) {
  return {status, "application/json", std::move(body), 0};
}

}  // namespace

TEST_CASE("kserve: one infer call with the row, score parsed", "[unit][plugins][kserve]") {
  KserveTestServer server;
  server.enqueue(body_reply(infer_response(0.82)));
  auto scorer = make_scorer(server.base_url());
  CHECK(scorer->info().kind == "kserve");
  CHECK(scorer->info().features == std::vector<std::string>{"amount", "days"});

  auto r = scorer->score(kRow, 3);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r->score == 0.82);
  REQUIRE(r->probability.has_value());
  CHECK(*r->probability == 0.82);
  CHECK(r->contributions.empty());
  CHECK(r->bias == 0);

  auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/v2/models/fraud/infer");
  CHECK(requests[0].content_type == "application/json");
  CHECK(json::parse(requests[0].body) ==
        json::parse(R"({"inputs": [{"name": "input-0", "shape": [1, 2], "datatype": "FP64",
                        "data": [1200.5, 30.0]}]})"));
}

TEST_CASE("kserve: missing and infinite inputs", "[unit][plugins][kserve]") {
  KserveTestServer server;
  auto strict = make_scorer(server.base_url());
  std::vector<double> missing = {std::nan(""), 3};
  CHECK(score_error(*strict, missing).message ==
        "kserve " + server.base_url() +
            "/v2/models/fraud/infer: feature 'amount' is missing and the model file sets no "
            "missing_value");
  std::vector<double> inf = {1, INFINITY};
  CHECK_THAT(score_error(*strict, inf).message, Catch::EndsWith("feature 'days' is infinite"));
  CHECK_THAT(score_error(*strict, {1}).message, Catch::EndsWith("expects 2 features, got 1"));
  CHECK(server.request_count() == 0);

  auto lenient = make_scorer(server.base_url(), {{"missing_value", -1}});
  REQUIRE(lenient->score(missing, 0).ok());
  REQUIRE(server.request_count() == 1);
  CHECK(json::parse(server.requests()[0].body)["inputs"][0]["data"] == json::array({-1.0, 3.0}));
}

TEST_CASE("kserve: a slow server is a timeout, not retried", "[unit][plugins][kserve]") {
  KserveTestServer server;
  server.set_default({200, "application/json", infer_response(0.5), 3000});
  auto scorer = make_scorer(server.base_url(), {{"timeout_ms", 150}});
  auto e = score_error(*scorer);
  CHECK(e.code == ErrorCode::unavailable);
  CHECK_THAT(e.message, Catch::Contains("no response within 150 ms"));
  CHECK(server.request_count() == 1);
}

TEST_CASE("kserve: 5xx is retried with backoff, then succeeds", "[unit][plugins][kserve]") {
  KserveTestServer server;
  server.enqueue(body_reply("overloaded", 503));
  server.enqueue(body_reply("overloaded", 502));
  server.enqueue(body_reply(infer_response(0.4)));
  auto scorer = make_scorer(server.base_url(), {{"retries", 2}});
  auto r = scorer->score(kRow, 0);
  INFO((r.ok() ? "" : r.error().message));
  REQUIRE(r.ok());
  CHECK(r->score == 0.4);
  CHECK(server.request_count() == 3);

  SECTION("until the retries run out") {
    server.set_default(body_reply("down", 503));
    auto once = make_scorer(server.base_url(), {{"retries", 1}});
    auto e = score_error(*once);
    CHECK(e.code == ErrorCode::unavailable);
    CHECK(e.message == "kserve " + server.base_url() +
                           "/v2/models/fraud/infer: 503 Service Unavailable (after 2 attempts)");
    CHECK(server.request_count() == 5);
  }
  SECTION("4xx is not retried") {
    server.enqueue(body_reply(R"({"error": "no such model"})", 404));
    auto e = score_error(*scorer);
    CHECK(e.code == ErrorCode::invalid_argument);
    CHECK_THAT(e.message, Catch::EndsWith("/v2/models/fraud/infer: 404 Not Found"));
    CHECK(server.request_count() == 4);
    CHECK(scorer->circuit_state() == CircuitBreaker::State::closed);
  }
  SECTION("a refused connection is retried") {
    auto nowhere =
        make_scorer("http://127.0.0.1:" + std::to_string(unused_port()), {{"retries", 2}});
    auto e = score_error(*nowhere);
    CHECK(e.code == ErrorCode::unavailable);
    CHECK_THAT(e.message, Catch::Contains("connect to 127.0.0.1:"));
    CHECK_THAT(e.message, Catch::EndsWith("(after 3 attempts)"));
  }
}

TEST_CASE("kserve: garbage responses are clear errors", "[unit][plugins][kserve]") {
  KserveTestServer server;
  auto scorer = make_scorer(server.base_url(), {{"retries", 0}, {"circuit", {{"failures", 100}}}});
  auto error_for = [&](KserveReply reply) {
    server.enqueue(std::move(reply));
    auto e = score_error(*scorer);
    CHECK(e.code == ErrorCode::invalid_argument);
    return e.message;
  };
  const std::string prefix = "kserve " + server.base_url() + "/v2/models/fraud/infer: ";
  CHECK(error_for(body_reply("{not json")) ==
        prefix + "bad inference response: not JSON: '{not json'");
  CHECK(error_for({200, "text/html", "<html>oops</html>", 0}) ==
        prefix + "bad inference response: not JSON: '<html>oops</html>'");
  CHECK(error_for(body_reply(R"({"model_name": "fraud"})")) ==
        prefix + "bad inference response: outputs: missing");
  CHECK(
      error_for(body_reply(
          R"({"outputs": [{"name": "p", "shape": [1, 3], "datatype": "FP64", "data": [0.5]}]})")) ==
      prefix + "bad inference response: outputs[0].shape: [1,3] describes 3 values but data has 1");
  // Python's json module writes NaN, which is not JSON.
  CHECK_THAT(error_for(body_reply(R"({"outputs": [{"data": [NaN], "name": "p"}]})")),
             Catch::Equals(prefix + "bad inference response: not JSON: '{\"outputs\": "
                                    "[{\"data\": [NaN], \"name\": \"p\"}]}'"));
  CHECK(error_for(body_reply(infer_response(1.7))) ==
        prefix +
            "bad inference response: outputs[0].data[0]: 1.700000 is not a probability in "
            "[0, 1]");
  CHECK(error_for({204, "", "", 0}) ==
        prefix + "bad inference response: body: expected a JSON object, got null");
  CHECK(server.request_count() == 7);

  // A regression model takes any finite value.
  auto regression = make_scorer(server.base_url(), {{"objective", "reg:squarederror"}});
  server.enqueue(body_reply(infer_response(1234.5)));
  auto r = regression->score(kRow, 0);
  REQUIRE(r.ok());
  CHECK(r->score == 1234.5);
  CHECK_FALSE(r->probability.has_value());
}

TEST_CASE("kserve: the circuit opens after K failures and half-opens after T",
          "[unit][plugins][kserve]") {
  KserveTestServer server;
  server.set_default(body_reply("down", 503));
  auto clock = std::make_shared<ledgerflow::rt::FakeClock>();
  auto scorer = make_scorer(server.base_url(),
                            {{"retries", 0}, {"circuit", {{"failures", 3}, {"open_ms", 30000}}}},
                            {nullptr, clock});
  for (int i = 0; i < 3; ++i)
    CHECK_THAT(score_error(*scorer).message, Catch::EndsWith("503 Service Unavailable"));
  CHECK(server.request_count() == 3);
  CHECK(scorer->circuit_state() == CircuitBreaker::State::open);

  auto fast = score_error(*scorer);
  CHECK(fast.code == ErrorCode::unavailable);
  CHECK(fast.message == "kserve " + server.base_url() +
                            "/v2/models/fraud/infer: circuit open until 2026-01-01T00:00:30Z "
                            "after 3 consecutive failures; last: 503 Service Unavailable");
  CHECK(server.request_count() == 3);  // failed fast: the server saw nothing

  clock->advance_ms(29999);
  CHECK_THAT(score_error(*scorer).message, Catch::Contains("circuit open until"));
  CHECK(server.request_count() == 3);

  clock->advance_ms(1);  // half-open: one probe, which fails and re-opens the circuit
  CHECK_THAT(score_error(*scorer).message, Catch::EndsWith("503 Service Unavailable"));
  CHECK(server.request_count() == 4);
  CHECK_THAT(score_error(*scorer).message,
             Catch::Contains("circuit open until 2026-01-01T00:01:00Z"));

  clock->advance_ms(30000);  // the next probe succeeds and closes the circuit
  server.set_default(body_reply(infer_response(0.3)));
  auto probe = scorer->score(kRow, 0);
  REQUIRE(probe.ok());
  CHECK(probe->score == 0.3);
  CHECK(scorer->circuit_state() == CircuitBreaker::State::closed);
  REQUIRE(scorer->score(kRow, 0).ok());
  CHECK(server.request_count() == 6);
}

TEST_CASE("kserve: the registry dispatches ledgerflow-kserve/1", "[unit][plugins][kserve]") {
  KserveTestServer server;
  server.set_default(body_reply(infer_response(0.6)));
  TempDir models;
  models.write("fraud/2/model.json", model_doc(server.base_url()).dump());
  // The registry's scorers use the process-wide runner: let it reach 127.0.0.1 here.
  struct EgressGuard {
    ledgerflow::plugins::EgressPolicy before = ledgerflow::plugins::default_egress_policy();
    EgressGuard() {
      auto loopback = before;
      loopback.allow_private_networks = true;
      ledgerflow::plugins::set_default_egress_policy(loopback);
    }
    ~EgressGuard() { ledgerflow::plugins::set_default_egress_policy(before); }
  } egress;
  DirectoryRegistry registry(models.path());
  auto scorer = registry.resolve("fraud");
  INFO((scorer.ok() ? "" : scorer.error().message));
  REQUIRE(scorer.ok());
  CHECK((*scorer)->info().name == "fraud");
  CHECK((*scorer)->info().version == "2");
  CHECK((*scorer)->info().kind == "kserve");
  auto r = (*scorer)->score(kRow, 0);
  REQUIRE(r.ok());
  CHECK(r->score == 0.6);

  auto path = models.write("tls/1/model.json", model_doc("https://models.example.com").dump());
  auto tls = registry.resolve("tls");
  REQUIRE_FALSE(tls.ok());
  CHECK(tls.error().message == path + ": url: https is not supported yet (no TLS); use http://");
}
