// The HTTP server over real sockets: routing, keep-alive, async answers, the limits and
// timeouts, the connection cap, access logging.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <thread>

#include <catch2/catch.hpp>

#include "api/http/problem.h"
#include "unit/api/http/http_test_support.h"

namespace ledgerflow::api::http::test {
namespace {

using nlohmann::json;

// A slot where a handler parks its Responder for the test to answer later.
struct ParkedResponder {
  std::mutex mu;
  std::condition_variable cv;
  std::optional<Responder> responder;

  void park(Responder r) {
    std::lock_guard lock(mu);
    responder.emplace(std::move(r));
    cv.notify_all();
  }
  std::optional<Responder> wait(std::chrono::milliseconds timeout = 2000ms) {
    std::unique_lock lock(mu);
    cv.wait_for(lock, timeout, [&] { return responder.has_value(); });
    std::optional<Responder> out = std::move(responder);
    responder.reset();
    return out;
  }
};

Router basic_router() {
  Router router;
  REQUIRE(router
              .add("GET", "/v1/instances/{id}/signals/{name}",
                   [](const Request& req, Responder respond) {
                     json query = json::array();
                     for (const auto& [k, v] : req.query()) query.push_back({k, v});
                     respond(Response::json(200, {{"id", *req.param("id")},
                                                  {"name", *req.param("name")},
                                                  {"query", query},
                                                  {"request_id", req.id()}}));
                   })
              .ok());
  REQUIRE(router
              .add("POST", "/v1/instances/{id}/signals/{name}",
                   [](const Request& req, Responder respond) {
                     respond.set_user("bob");
                     respond(Response::text(202, "got " + req.body()));
                   })
              .ok());
  REQUIRE(router
              .add("POST", "/echo",
                   [](const Request& req, Responder respond) {
                     respond(Response::text(200, req.body()));
                   })
              .ok());
  REQUIRE(router
              .add("GET", "/async",
                   [](const Request& req, Responder respond) {
                     // Answer from another thread, as a handler handing work to the engine does.
                     std::string id = req.id();
                     std::thread([id, r = std::move(respond)]() mutable {
                       std::this_thread::sleep_for(20ms);
                       r(Response::json(200, {{"answered_by", "worker"}, {"id", id}}));
                     }).detach();
                   })
              .ok());
  REQUIRE(router.add("GET", "/dropped", [](const Request&, Responder) {}).ok());
  REQUIRE(router
              .add("GET", "/error",
                   [](const Request&, Responder respond) {
                     respond(problem_from_error({ErrorCode::not_found, "no instance i-7"}));
                   })
              .ok());
  return router;
}

}  // namespace

TEST_CASE("server routes with params and decoded query over a real socket", "[http]") {
  AccessLogSink log;
  auto server = start_server(basic_router(), test_options(), log.fn());
  RawClient client(server->port());
  REQUIRE(client.connected());

  auto reply =
      client.request("GET", "/v1/instances/inv%2F42/signals/goods%20received?a=1&b=x+y%21&a=2", "",
                     "X-Request-Id: trace-1\r\n");
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->header("content-type") == "application/json");
  CHECK(reply->header("x-request-id") == "trace-1");
  json body = json::parse(reply->body);
  CHECK(body["id"] == "inv/42");
  CHECK(body["name"] == "goods received");
  CHECK(body["query"] == json::parse(R"([["a","1"],["b","x y!"],["a","2"]])"));
  CHECK(body["request_id"] == "trace-1");

  auto post = client.request("POST", "/v1/instances/i1/signals/approve", "payload");
  REQUIRE(post);
  CHECK(post->status == 202);
  CHECK(post->body == "got payload");

  auto missing = client.request("GET", "/v1/nothing");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->header("content-type") == "application/problem+json");
  CHECK(json::parse(missing->body)["status"] == 404);

  auto wrong = client.request("DELETE", "/v1/instances/i1/signals/approve");
  REQUIRE(wrong);
  CHECK(wrong->status == 405);
  CHECK(wrong->header("allow") == "GET, POST");

  auto error = client.request("GET", "/error");
  REQUIRE(error);
  CHECK(error->status == 404);
  CHECK(json::parse(error->body)["detail"] == "no instance i-7");

  auto bad = client.request("GET", "/v1/a%zz");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  auto traversal = client.request("GET", "/v1/../etc/passwd");
  REQUIRE(traversal);
  CHECK(traversal->status == 400);
  CHECK(traversal->keep_alive);  // a well-formed message: the connection stays usable

  REQUIRE(eventually([&] { return log.entries().size() == 7; }));
  auto entries = log.entries();
  CHECK(entries[0].request_id == "trace-1");
  CHECK(entries[0].method == "GET");
  CHECK(entries[0].status == 200);
  CHECK(entries[0].bytes == reply->body.size());
  CHECK(entries[0].remote.rfind("127.0.0.1:", 0) == 0);
  CHECK(entries[1].user == "bob");
  CHECK(entries[1].status == 202);
  CHECK(entries[1].target == "/v1/instances/i1/signals/approve");
  CHECK(entries[3].status == 405);
  CHECK(entries[1].duration_ms >= 0);
}

TEST_CASE("keep-alive serves many requests on one connection, async answers work", "[http]") {
  auto server = start_server(basic_router());
  RawClient client(server->port());
  for (int i = 0; i < 20; ++i) {
    std::string path = i % 2 == 0 ? "/async" : "/echo";
    auto reply = i % 2 == 0 ? client.request("GET", path)
                            : client.request("POST", path, "n=" + std::to_string(i));
    REQUIRE(reply);
    CHECK(reply->status == 200);
    CHECK(reply->keep_alive);
    if (i % 2 == 0) {
      CHECK(json::parse(reply->body)["answered_by"] == "worker");
    } else {
      CHECK(reply->body == "n=" + std::to_string(i));
    }
  }
  CHECK(server->connection_count() == 1);

  // Two requests in one write (pipelined) are answered in order.
  REQUIRE(
      client.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\none"
                   "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\ntwo"));
  auto first = client.read_reply();
  auto second = client.read_reply();
  REQUIRE(first);
  REQUIRE(second);
  CHECK(first->body == "one");
  CHECK(second->body == "two");

  // Expect: 100-continue gets the interim answer before the body is sent.
  REQUIRE(client.write(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = client.read_reply();
  REQUIRE(interim);
  CHECK(interim->status == 100);
  REQUIRE(client.write("hello"));
  auto final_reply = client.read_reply();
  REQUIRE(final_reply);
  CHECK(final_reply->status == 200);
  CHECK(final_reply->body == "hello");
}

TEST_CASE("a handler that drops its Responder gets a 500 answer", "[http]") {
  auto server = start_server(basic_router());
  RawClient client(server->port());
  auto reply = client.request("GET", "/dropped");
  REQUIRE(reply);
  CHECK(reply->status == 500);
  CHECK(reply->header("content-type") == "application/problem+json");
  auto again = client.request("POST", "/echo", "still alive");
  REQUIRE(again);
  CHECK(again->body == "still alive");
}

TEST_CASE("oversized body gets 413, the server keeps serving", "[http]") {
  ServerOptions options = test_options();
  options.body_limit_bytes = 64 * 1024;
  auto server = start_server(basic_router(), options);

  RawClient big(server->port());
  std::string body(2 * 1024 * 1024, 'x');   // 2 MiB, as in the issue's bad-request table
  big.send_request("POST", "/echo", body);  // may fail midway once the server closes
  auto reply = big.read_reply();
  REQUIRE(reply);
  CHECK(reply->status == 413);
  CHECK_FALSE(reply->keep_alive);
  CHECK(reply->header("content-type") == "application/problem+json");
  CHECK(big.wait_closed(3000ms));

  // A chunked body has no length up front: the limit cuts it off while it is read.
  RawClient chunked(server->port());
  std::string chunk(48 * 1024, 'c');
  char size_line[32];
  std::snprintf(size_line, sizeof size_line, "%zx\r\n", chunk.size());
  chunked.write("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  chunked.write(size_line + chunk + "\r\n" + size_line + chunk + "\r\n0\r\n\r\n");
  auto chunked_reply = chunked.read_reply();
  REQUIRE(chunked_reply);
  CHECK(chunked_reply->status == 413);

  RawClient other(server->port());
  auto ok = other.request("POST", "/echo", std::string(60 * 1024, 'y'));
  REQUIRE(ok);
  CHECK(ok->status == 200);
  CHECK(ok->body.size() == 60 * 1024);
}

TEST_CASE("oversized header gets 431, malformed HTTP gets 400", "[http]") {
  ServerOptions options = test_options();
  options.header_limit_bytes = 4 * 1024;
  auto server = start_server(basic_router(), options);

  RawClient big(server->port());
  big.send_request("GET", "/echo", "", "X-Big: " + std::string(8 * 1024, 'h') + "\r\n");
  auto reply = big.read_reply();
  REQUIRE(reply);
  CHECK(reply->status == 431);
  CHECK(big.wait_closed(3000ms));

  RawClient garbage(server->port());
  garbage.write("GARBAGE\r\n\r\n");
  auto bad = garbage.read_reply();
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(garbage.wait_closed(3000ms));

  RawClient fine(server->port());
  auto ok = fine.request("POST", "/echo", "ok");
  REQUIRE(ok);
  CHECK(ok->status == 200);
}

TEST_CASE("a slow client is cut off with 408, an idle one is closed", "[http]") {
  ServerOptions options = test_options();
  options.read_timeout_ms = 200;
  options.idle_timeout_ms = 300;
  auto server = start_server(basic_router(), options);

  RawClient slow(server->port());
  slow.write("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  auto reply = slow.read_reply(3000ms);
  REQUIRE(reply);
  CHECK(reply->status == 408);  // the read timeout, not the 10 bytes, ended the request
  CHECK(slow.wait_closed(3000ms));
  slow.close();  // the server lingers (reading what a slow client may still send) until then

  RawClient idle(server->port());
  auto ok = idle.request("POST", "/echo", "x");
  REQUIRE(ok);
  CHECK(ok->keep_alive);
  CHECK(idle.wait_closed(2000ms));  // idle_timeout closes it without an answer

  CHECK(eventually([&] { return server->connection_count() == 0; }));
}

TEST_CASE("connections beyond max_connections get 503", "[http]") {
  ServerOptions options = test_options();
  options.max_connections = 2;
  auto server = start_server(basic_router(), options);

  auto a = std::make_unique<RawClient>(server->port());
  RawClient b(server->port());
  REQUIRE(a->request("POST", "/echo", "a"));
  REQUIRE(b.request("POST", "/echo", "b"));
  CHECK(server->connection_count() == 2);

  RawClient c(server->port());
  auto rejected = c.request("POST", "/echo", "c");
  REQUIRE(rejected);
  CHECK(rejected->status == 503);
  CHECK(rejected->header("retry-after") == "1");
  CHECK_FALSE(rejected->keep_alive);
  CHECK(c.wait_closed(3000ms));

  a.reset();
  REQUIRE(eventually([&] { return server->connection_count() == 1; }));
  RawClient d(server->port());
  auto accepted = d.request("POST", "/echo", "d");
  REQUIRE(accepted);
  CHECK(accepted->status == 200);
}

TEST_CASE("an answer after the client has gone is dropped safely", "[http]") {
  auto parked = std::make_shared<ParkedResponder>();
  Router router = basic_router();
  REQUIRE(router
              .add("GET", "/park",
                   [parked](const Request&, Responder r) { parked->park(std::move(r)); })
              .ok());
  AccessLogSink log;
  auto server = start_server(std::move(router), test_options(), log.fn());

  {
    RawClient client(server->port());
    client.send_request("GET", "/park");
    auto responder = parked->wait();
    REQUIRE(responder);
    client.close();
    std::this_thread::sleep_for(20ms);
    std::thread late([r = std::move(*responder)]() mutable {
      r(Response::text(200, std::string(256 * 1024, 'z')));
    });
    late.join();
  }
  REQUIRE(eventually([&] { return server->connection_count() == 0; }));

  RawClient next(server->port());
  auto ok = next.request("POST", "/echo", "after");
  REQUIRE(ok);
  CHECK(ok->body == "after");

  // An answer that outlives the whole server is dropped as well.
  RawClient client(server->port());
  client.send_request("GET", "/park");
  auto responder = parked->wait();
  REQUIRE(responder);
  server->drain(50ms);
  server.reset();
  CHECK((*responder)(Response::text(200, "too late")));  // accepted, dropped
}

TEST_CASE("server options are validated and a busy port is reported", "[http]") {
  ServerOptions bad = test_options();
  bad.threads = 0;
  Server invalid(bad, Router{});
  auto r = invalid.start();
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().code == ErrorCode::invalid_argument);

  auto first = start_server(Router{});
  ServerOptions same = test_options();
  same.port = first->port();
  Server second(same, Router{});
  auto clash = second.start();
  REQUIRE_FALSE(clash.ok());
  CHECK(clash.error().code == ErrorCode::unavailable);
}

}  // namespace ledgerflow::api::http::test
