// Router, URL decoding, Request, problem+json and Responder without sockets (CaptureSink).
#include <thread>

#include <catch2/catch.hpp>

#include "api/http/capture_sink.h"
#include "api/http/problem.h"
#include "api/http/router.h"
#include "api/http/url_codec.h"

namespace ledgerflow::api::http {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

Request make_request(const std::string& method, const std::string& target,
                     Request::Headers headers = {}) {
  auto r = Request::make(method, target, std::move(headers));
  REQUIRE(r.ok());
  return std::move(r).value();
}

// Dispatches and returns the captured response (handlers in these tests answer inline).
Response route(const Router& router, const std::string& method, const std::string& target) {
  Request request = make_request(method, target);
  auto [responder, sink] = CaptureSink::make();
  router.dispatch(request, std::move(responder));
  auto response = sink->response();
  REQUIRE(response.has_value());
  return *response;
}

Handler echo_params(std::string name) {
  return [name](const Request& req, Responder respond) {
    json params = json::object();
    for (const auto& [k, v] : req.params()) params[k] = v;
    respond(Response::json(200, {{"route", name}, {"params", params}}));
  };
}

}  // namespace

TEST_CASE("percent_decode and query parsing decode strictly", "[http]") {
  CHECK(*percent_decode("a%20b%2Fc", false) == "a b/c");
  CHECK(*percent_decode("a+b", false) == "a+b");
  CHECK(*percent_decode("a+b", true) == "a b");
  CHECK(*percent_decode("%e2%82%AC", false) == "\xE2\x82\xAC");
  CHECK_FALSE(percent_decode("%", false).ok());
  CHECK_FALSE(percent_decode("%4", false).ok());
  CHECK_FALSE(percent_decode("%zz", false).ok());
  CHECK_FALSE(percent_decode("a%00b", false).ok());

  auto q = parse_query("a=1&b=x+y%26z&c&&a=2&=e&empty=");
  REQUIRE(q.ok());
  QueryParams expected{{"a", "1"}, {"b", "x y&z"}, {"c", ""}, {"a", "2"}, {"", "e"}, {"empty", ""}};
  CHECK(*q == expected);
  CHECK(parse_query("").value().empty());
  CHECK_FALSE(parse_query("a=%G1").ok());

  CHECK(split_path("/").value().empty());
  CHECK(split_path("/v1/a%20b").value() == std::vector<std::string>{"v1", "a b"});
  CHECK(split_path("/a//b").value() == std::vector<std::string>{"a", "", "b"});
  CHECK(split_path("/a/").value() == std::vector<std::string>{"a", ""});
  CHECK_FALSE(split_path("/a/../b").ok());
  CHECK_FALSE(split_path("/a/%2e%2E/b").ok());
  CHECK_FALSE(split_path("/a/./b").ok());
  CHECK_FALSE(split_path("relative").ok());
  std::string deep;
  for (int i = 0; i < 65; ++i) deep += "/x";
  CHECK_FALSE(split_path(deep).ok());
}

TEST_CASE("Request::make exposes decoded parts and a sane request id", "[http]") {
  Request r = make_request("GET", "/v1/instances?status=open&business_key=INV%2042+A",
                           {{"X-Request-Id", "abc-123"}, {"Content-Type", "text/plain"}});
  CHECK(r.path() == "/v1/instances");
  CHECK(r.query_string() == "status=open&business_key=INV%2042+A");
  CHECK(r.query_param("business_key") == std::optional<std::string_view>("INV 42 A"));
  CHECK_FALSE(r.query_param("missing").has_value());
  CHECK(r.header("content-type") == std::optional<std::string_view>("text/plain"));
  CHECK(r.id() == "abc-123");

  Request bad_id = make_request("GET", "/", {{"X-Request-Id", "bad id\"with quotes"}});
  CHECK(bad_id.id() != "bad id\"with quotes");
  CHECK(bad_id.id().size() == 16);
  CHECK(make_request("GET", "/").id() != make_request("GET", "/").id());

  CHECK_FALSE(Request::make("GET", "http://example.com/").ok());
  CHECK_FALSE(Request::make("GET", "/a%zz").ok());
}

TEST_CASE("Router matches patterns, captures params and prefers literals", "[http]") {
  Router router;
  REQUIRE(router.add("GET", "/v1/tasks/{id}", echo_params("task")).ok());
  REQUIRE(router.add("GET", "/v1/tasks/mine", echo_params("mine")).ok());
  REQUIRE(router.add("POST", "/v1/instances/{id}/signals/{name}", echo_params("signal")).ok());
  REQUIRE(router.add("GET", "/", echo_params("root")).ok());

  auto body = [](const Response& r) { return json::parse(r.body); };
  Response signal = route(router, "POST", "/v1/instances/i%2F1/signals/goods%20received");
  CHECK(signal.status == 200);
  CHECK(body(signal)["params"] == json{{"id", "i/1"}, {"name", "goods received"}});
  CHECK(body(route(router, "GET", "/v1/tasks/mine"))["route"] == "mine");
  CHECK(body(route(router, "GET", "/v1/tasks/t-9"))["route"] == "task");
  CHECK(body(route(router, "GET", "/"))["route"] == "root");

  Response missing = route(router, "GET", "/v1/nope");
  CHECK(missing.status == 404);
  CHECK(missing.content_type == "application/problem+json");
  CHECK(body(missing)["status"] == 404);
  CHECK(route(router, "GET", "/v1/tasks/").status == 404);  // captures never match ""

  Response wrong = route(router, "DELETE", "/v1/tasks/t-9");
  CHECK(wrong.status == 405);
  REQUIRE(wrong.headers.size() == 1);
  CHECK(wrong.headers[0] == std::pair<std::string, std::string>{"Allow", "GET"});

  CHECK(router.routes().size() == 4);
  CHECK(router.routes()[2].pattern == "/v1/instances/{id}/signals/{name}");
}

TEST_CASE("Router rejects malformed and clashing routes", "[http]") {
  Router router;
  auto h = echo_params("x");
  REQUIRE(router.add("GET", "/v1/a/{id}", h).ok());
  auto clash = router.add("GET", "/v1/a/{other}", h);
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().code == ErrorCode::conflict);
  CHECK(router.add("PUT", "/v1/a/{id}", h).ok());
  CHECK_FALSE(router.add("get", "/x", h).ok());
  CHECK_FALSE(router.add("GET", "x", h).ok());
  CHECK_FALSE(router.add("GET", "/a//b", h).ok());
  CHECK_FALSE(router.add("GET", "/a/", h).ok());
  CHECK_FALSE(router.add("GET", "/a/{id", h).ok());
  CHECK_FALSE(router.add("GET", "/a/{id}/{id}", h).ok());
  CHECK_FALSE(router.add("GET", "/a/x{id}", h).ok());
  CHECK_FALSE(router.add("GET", "/b", Handler{}).ok());
}

TEST_CASE("problem+json and the Error mapping", "[http]") {
  Response p = problem(409, "", "already claimed", {{"task", "t-1"}});
  CHECK(p.status == 409);
  CHECK(p.content_type == "application/problem+json");
  json body = json::parse(p.body);
  CHECK(body["type"] == "about:blank");
  CHECK(body["title"] == "Conflict");
  CHECK(body["detail"] == "already claimed");
  CHECK(body["task"] == "t-1");

  CHECK(status_for(ErrorCode::invalid_argument) == 400);
  CHECK(status_for(ErrorCode::invalid_argument, 422) == 422);
  CHECK(status_for(ErrorCode::not_found) == 404);
  CHECK(status_for(ErrorCode::conflict) == 409);
  CHECK(status_for(ErrorCode::unauthenticated) == 401);
  CHECK(status_for(ErrorCode::forbidden) == 403);
  CHECK(status_for(ErrorCode::unavailable) == 503);
  CHECK(status_for(ErrorCode::io_error) == 500);
  CHECK(status_for(ErrorCode::corruption) == 500);

  Response forbidden = problem_from_error({ErrorCode::forbidden, "segregation of duties"});
  CHECK(forbidden.status == 403);
  CHECK(json::parse(forbidden.body)["code"] == "forbidden");
  CHECK(json::parse(forbidden.body)["detail"] == "segregation of duties");
  Response io = problem_from_error(Error::io("disk full at /var/lib/x.db"));
  CHECK(io.status == 500);
  CHECK(io.body.find("/var/lib") == std::string::npos);  // internals stay in the log
  CHECK(problem_from_error(Error::invalid("bad"), 422).status == 422);
}

TEST_CASE("Responder answers once, from any thread, and 500s when dropped", "[http]") {
  {
    auto [responder, sink] = CaptureSink::make();
    responder.set_user("alice");
    std::thread worker([r = std::move(responder)]() mutable {
      CHECK(r(Response::text(201, "made")));
      CHECK_FALSE(r(Response::text(200, "again")));
      CHECK(r.answered());
    });
    auto response = sink->wait_for(2000ms);
    worker.join();
    REQUIRE(response.has_value());
    CHECK(response->status == 201);
    CHECK(sink->user() == "alice");
  }
  {
    auto [responder, sink] = CaptureSink::make();
    { Responder dropped = std::move(responder); }
    REQUIRE(sink->response().has_value());
    CHECK(sink->response()->status == 500);
  }
  {
    Router router;
    REQUIRE(router
                .add("GET", "/boom",
                     [](const Request&, Responder) { throw std::runtime_error("handler bug"); })
                .ok());
    CHECK(route(router, "GET", "/boom").status == 500);
  }
}

TEST_CASE("SseStream formats events and enforces its queue limits", "[http]") {
  SseStream stream(SseStream::Limits{3, 1024});
  bool closed = false;
  stream.on_close([&] { closed = true; });
  CHECK(stream.send("1", "task.created", "{\"a\":1}"));
  CHECK(stream.send("", "", "line1\nline2\r\nline3"));
  CHECK(stream.send("2\n", "evil\r\nid: 9", "x"));
  SseStream::Batch batch = stream.take();
  CHECK(batch.bytes ==
        "id: 1\nevent: task.created\ndata: {\"a\":1}\n\n"
        "data: line1\ndata: line2\ndata: line3\n\n"
        "id: 2\nevent: evilid: 9\ndata: x\n\n");
  CHECK_FALSE(batch.end);
  CHECK(stream.comment("ping"));
  CHECK(stream.take().bytes == ": ping\n\n");

  CHECK(stream.send("a", "", "1"));
  CHECK(stream.send("b", "", "2"));
  CHECK(stream.send("c", "", "3"));
  CHECK_FALSE(stream.send("d", "", "4"));  // fourth queued event: slow consumer
  CHECK_FALSE(stream.is_open());
  CHECK(stream.dropped_as_slow());
  CHECK(stream.take().drop);
  CHECK_FALSE(closed);  // on_close waits for the transport
  stream.finish();
  CHECK(closed);

  SseStream big(SseStream::Limits{100, 64});
  CHECK_FALSE(big.send("1", "", std::string(100, 'x')));  // over the byte limit
  CHECK(big.dropped_as_slow());

  SseStream owner_closed(SseStream::Limits{});
  CHECK(owner_closed.send("1", "", "last"));
  owner_closed.close();
  CHECK_FALSE(owner_closed.send("2", "", "late"));
  SseStream::Batch last = owner_closed.take();
  CHECK(last.end);
  CHECK(last.bytes == "id: 1\ndata: last\n\n");
}

}  // namespace ledgerflow::api::http
