// URL parsing and argument validation of the http action (no sockets).
#include <catch2/catch.hpp>

#include "plugins/http/http_call.h"
#include "plugins/http/http_exchange.h"

using ledgerflow::plugins::HttpLimits;
using ledgerflow::plugins::parse_http_call;
using ledgerflow::plugins::parse_url;
using ledgerflow::plugins::response_body_value;
using nlohmann::json;

TEST_CASE("http: URLs split into host, port and target", "[unit][plugins]") {
  auto a = parse_url("http://127.0.0.1:8080/api/v1?x=1#frag");
  REQUIRE(a.ok());
  CHECK(a->scheme == "http");
  CHECK(a->host == "127.0.0.1");
  CHECK(a->port == 8080);
  CHECK(a->target == "/api/v1?x=1");
  CHECK(a->host_header() == "127.0.0.1:8080");

  auto b = parse_url("HTTP://erp.example.com");
  REQUIRE(b.ok());
  CHECK(b->port == 80);
  CHECK(b->target == "/");
  CHECK(b->host_header() == "erp.example.com");

  auto c = parse_url("http://[::1]:9000?q");
  REQUIRE(c.ok());
  CHECK(c->host == "::1");
  CHECK(c->target == "/?q");
  CHECK(c->host_header() == "[::1]:9000");

  CHECK(parse_url("https://h/")->port == 443);
  for (const char* bad : {"h/x", "http://", "http://:80/", "http://h:70000/", "http://h:x/",
                          "http://[::1/", "http://h\n/"}) {
    INFO(bad);
    CHECK_FALSE(parse_url(bad).ok());
  }
}

TEST_CASE("http: effective timeout is the smaller of args and request", "[unit][plugins]") {
  ledgerflow::rt::ActionRequest r;
  r.action = "http";
  r.args = {{"method", "GET"}, {"url", "http://h/"}, {"timeout", "PT5S"}};
  r.timeout_ms = 30000;
  HttpLimits limits;
  CHECK(parse_http_call(r, limits)->timeout_ms == 5000);
  r.timeout_ms = 1000;
  CHECK(parse_http_call(r, limits)->timeout_ms == 1000);
  r.args.erase("timeout");
  CHECK(parse_http_call(r, limits)->timeout_ms == 1000);
  r.args["timeout"] = 250;
  CHECK(parse_http_call(r, limits)->timeout_ms == 250);
  r.args["body"] = std::string(2u << 20, 'x');
  auto big = parse_http_call(r, limits);
  REQUIRE_FALSE(big.ok());
  CHECK_THAT(big.error().message, Catch::Contains("args.body:"));
}

TEST_CASE("http: response bodies become JSON or text", "[unit][plugins]") {
  CHECK(response_body_value("application/json; charset=utf-8", R"({"a": 1})") == json{{"a", 1}});
  CHECK(response_body_value("application/problem+json", "[1]") == json::array({1}));
  CHECK(response_body_value("text/plain", R"({"a": 1})") == R"({"a": 1})");
  CHECK(response_body_value("application/json", "[1e999]") == "[1e999]");
  CHECK(response_body_value("application/json", std::string(100, '[')) == std::string(100, '['));
  CHECK(response_body_value("text/plain", "").is_null());
  auto invalid_utf8 = response_body_value("text/plain", "a\xff");
  CHECK(invalid_utf8 == "a\xef\xbf\xbd");  // U+FFFD
  CHECK_NOTHROW(invalid_utf8.dump());
}
