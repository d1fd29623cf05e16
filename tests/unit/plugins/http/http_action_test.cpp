// The http action against a real loopback server: echo with headers and idempotency key,
// non-2xx, timeout, oversized and non-JSON bodies, refused connections, https.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>
#include <vector>

#include "plugins/http/http_action_runner.h"
#include "unit/plugins/http/test_http_server.h"

using ledgerflow::plugins::HttpActionRunner;
using ledgerflow::plugins::HttpLimits;

using ledgerflow::plugins::test::TestHttpServer;
using ledgerflow::plugins::test::unused_port;
using ledgerflow::rt::ActionRequest;
using ledgerflow::rt::ActionResult;
using nlohmann::json;

namespace {
// These tests talk to servers on 127.0.0.1, which the default egress policy refuses.
HttpLimits loopback_limits() {
  HttpLimits limits;
  limits.egress.allow_private_networks = true;
  return limits;
}


ActionRequest request(json args) {
  ActionRequest r;
  r.action = "http";
  r.args = std::move(args);
  r.idempotency_key = "inst-42/post_invoice/1";
  r.instance_id = "inst-42";
  r.state = "post_invoice";
  r.timeout_ms = 10000;
  return r;
}

void require_failure(const ActionResult& r, const std::string& error) {
  INFO("ok=" << r.ok << " error=" << r.error << " message=" << r.message);
  REQUIRE_FALSE(r.ok);
  CHECK(r.error == error);
}

}  // namespace

TEST_CASE("http: POST echo carries body, idempotency key and headers", "[unit][plugins]") {
  TestHttpServer server;
  HttpActionRunner runner(loopback_limits());

  auto result = runner.run(request({{"method", "POST"},
                                    {"url", server.url("/echo?x=1")},
                                    {"headers", {{"X-Trace", "abc"}, {"X-Count", 3}}},
                                    {"body", {{"amount", 12.5}, {"currency", "EUR"}}}}));
  INFO(result.error << ": " << result.message);
  REQUIRE(result.ok);
  CHECK(result.output["status"] == 200);
  CHECK(result.output["headers"]["content-type"] == "application/json");
  const json& echo = result.output["body"];  // parsed: the server answered JSON
  CHECK(echo["method"] == "POST");
  CHECK(echo["target"] == "/echo?x=1");
  CHECK(echo["headers"]["idempotency-key"] == "inst-42/post_invoice/1");
  CHECK(echo["headers"]["content-type"] == "application/json");
  CHECK(echo["headers"]["user-agent"] == "ledgerflow/0.1");
  CHECK(echo["headers"]["x-trace"] == "abc");
  CHECK(echo["headers"]["x-count"] == "3");
  CHECK(echo["headers"]["host"] == "127.0.0.1:" + std::to_string(server.port()));
  CHECK(json::parse(echo["body"].get<std::string>()) ==
        json({{"amount", 12.5}, {"currency", "EUR"}}));
}

TEST_CASE("http: GET sends no body and no content type", "[unit][plugins]") {
  TestHttpServer server;
  HttpActionRunner runner(loopback_limits());
  auto result = runner.run(request({{"method", "GET"},
                                    {"url", server.url("/echo")},
                                    {"headers", {{"User-Agent", "custom/1"}}}}));
  INFO(result.message);
  REQUIRE(result.ok);
  const json& echo = result.output["body"];
  CHECK(echo["method"] == "GET");
  CHECK(echo["body"] == "");
  CHECK_FALSE(echo["headers"].contains("content-type"));
  CHECK(echo["headers"]["user-agent"] == "custom/1");  // args headers override defaults
}

TEST_CASE("http: non-2xx is http_error naming the call and status", "[unit][plugins]") {
  TestHttpServer server;
  HttpActionRunner runner(loopback_limits());
  auto url = server.url("/status/503");
  auto result = runner.run(request({{"method", "POST"}, {"url", url}, {"body", {{"a", 1}}}}));
  require_failure(result, "http_error");
  CHECK(result.message == "POST " + url + ": 503 Service Unavailable");
  CHECK(result.output.is_null());

  auto missing = runner.run(request({{"method", "GET"}, {"url", server.url("/nowhere")}}));
  require_failure(missing, "http_error");
  CHECK_THAT(missing.message, Catch::EndsWith(": 404 Not Found"));
}

TEST_CASE("http: a slow server is a timeout", "[unit][plugins]") {
  TestHttpServer server;  // /slow answers after 5 s
  HttpActionRunner runner(loopback_limits());
  for (const json& timeout : {json(200), json("PT0.2S")}) {
    // A timeout failure means the runner returned before the server's answer came.
    auto result = runner.run(
        request({{"method", "GET"}, {"url", server.url("/slow")}, {"timeout", timeout}}));
    require_failure(result, "timeout");
    CHECK_THAT(result.message, Catch::Contains("no response within 200 ms"));
  }
  // The state's own budget (request.timeout_ms) caps a longer args.timeout.
  auto capped = request({{"method", "GET"}, {"url", server.url("/slow")}, {"timeout", "PT30S"}});
  capped.timeout_ms = 200;
  require_failure(runner.run(capped), "timeout");
}

TEST_CASE("http: response bodies (big, text, bad JSON, empty)", "[unit][plugins]") {
  TestHttpServer server;
  HttpActionRunner runner(loopback_limits());
  auto big = runner.run(request({{"method", "GET"}, {"url", server.url("/big")}}));
  require_failure(big, "http_error");
  CHECK_THAT(big.message, Catch::Contains("larger than the limit of 1048576 bytes"));

  auto text = runner.run(request({{"method", "GET"}, {"url", server.url("/text")}}));
  REQUIRE(text.ok);
  CHECK(text.output["body"] == "hello, ledgerflow");
  CHECK(text.output["headers"]["content-type"] == "text/plain");

  auto bad = runner.run(request({{"method", "GET"}, {"url", server.url("/bad-json")}}));
  REQUIRE(bad.ok);
  CHECK(bad.output["body"] == "{not json");

  auto empty = runner.run(request({{"method", "DELETE"}, {"url", server.url("/empty")}}));
  REQUIRE(empty.ok);
  CHECK(empty.output["status"] == 204);
  CHECK(empty.output["body"].is_null());
}

TEST_CASE("http: connection refused and https are http_error", "[unit][plugins]") {
  HttpActionRunner runner(loopback_limits());
  auto url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/x";
  auto refused = runner.run(request({{"method", "GET"}, {"url", url}}));
  require_failure(refused, "http_error");
  CHECK_THAT(refused.message, Catch::StartsWith("GET " + url + ": could not connect to 127.0.0.1:"));

  auto tls = runner.run(request({{"method", "GET"}, {"url", "https://127.0.0.1/"}}));
  require_failure(tls, "http_error");
  CHECK_THAT(tls.message, Catch::Contains("https is not supported yet"));
}

TEST_CASE("http: malformed arguments are action_error", "[unit][plugins]") {
  HttpActionRunner runner(loopback_limits());
  struct Case {
    json args;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {{{"url", "http://127.0.0.1/"}}, "args.method: missing"},
      {{{"method", "FETCH"}, {"url", "http://127.0.0.1/"}}, "'FETCH' is not one of"},
      {{{"method", "GET"}}, "args.url: missing"},
      {{{"method", "GET"}, {"url", "ftp://x/"}}, "scheme 'ftp' is not supported"},
      {{{"method", "GET"}, {"url", "http://u:p@h/"}}, "credentials in the URL"},
      {{{"method", "GET"}, {"url", "http://h:0/"}}, "out of range"},
      {{{"method", "GET"}, {"url", "http://h/a b"}}, "spaces or control characters"},
      {{{"method", "GET"}, {"url", "http://h/"}, {"hedaers", json::object()}},
       "unknown argument 'hedaers' (did you mean 'headers'?)"},
      {{{"method", "GET"}, {"url", "http://h/"}, {"headers", {{"X-A", "1\r\nX-B: 2"}}}},
       "contains a line break"},
      {{{"method", "GET"}, {"url", "http://h/"}, {"headers", {{"Host", "evil"}}}},
       "args.headers.Host: is set by the client"},
      {{{"method", "GET"}, {"url", "http://h/"}, {"timeout", 0}}, "args.timeout: must be positive"},
      {{{"method", "GET"}, {"url", "http://h/"}, {"timeout", "5 seconds"}}, "args.timeout:"},
      {json::array(), "must be a mapping"},
  };
  for (const auto& c : cases) {
    auto result = runner.run(request(c.args));
    INFO(c.args.dump());
    require_failure(result, "action_error");
    CHECK_THAT(result.message, Catch::Contains(c.expected));
  }
  auto wrong = request({{"method", "GET"}, {"url", "http://h/"}});
  wrong.action = "emit";
  require_failure(runner.run(wrong), "action_error");
}

TEST_CASE("http: concurrent calls from 4 threads", "[unit][plugins]") {
  TestHttpServer server;
  HttpActionRunner runner(loopback_limits());
  std::vector<int> ok(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        auto r =
            runner.run(request({{"method", "PUT"}, {"url", server.url("/echo")}, {"body", i}}));
        if (r.ok && r.output["body"]["body"] == std::to_string(i)) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == std::vector<int>(4, 10));
}

TEST_CASE("http: the egress policy refuses internal addresses and hosts not on the list",
          "[unit][plugins][attack]") {
  TestHttpServer server;
  // Default policy: 127.0.0.1 (the daemon's own API) and the metadata address are refused
  // after resolution, before any connection.
  HttpActionRunner strict{HttpLimits{}};
  for (const std::string& url : {server.url("/echo"), std::string("http://169.254.169.254/latest"),
                                std::string("http://localhost:1/"), std::string("http://10.1.2.3/")}) {
    INFO(url);
    auto r = strict.run(request({{"method", "GET"}, {"url", url}}));
    require_failure(r, "http_error");
    CHECK_THAT(r.message, Catch::Contains("not allowed"));
  }
  // An allow-list: other hosts are refused by name, before any lookup.
  HttpLimits listed = loopback_limits();
  listed.egress.allow_hosts = {"*.bank.example", "127.0.0.1:" + std::to_string(server.port())};
  HttpActionRunner runner(listed);
  auto other = runner.run(request({{"method", "GET"}, {"url", "http://127.0.0.1:1/"}}));
  require_failure(other, "http_error");
  CHECK_THAT(other.message, Catch::Contains("egress.allow_hosts"));
  auto allowed = runner.run(request({{"method", "GET"}, {"url", server.url("/echo")}}));
  CHECK(allowed.ok);
}
