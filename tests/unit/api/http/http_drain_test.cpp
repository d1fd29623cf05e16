// Graceful drain: stop accepting, close idle connections and SSE streams, let in-flight
// requests finish, then stop; and a drain that times out force-closes and returns false.
#include <atomic>
#include <future>
#include <thread>

#include <catch2/catch.hpp>

#include "unit/api/http/http_test_support.h"

namespace ledgerflow::api::http::test {
namespace {

struct Parked {
  std::mutex mu;
  std::vector<Responder> responders;
  std::vector<std::shared_ptr<SseStream>> streams;
  std::atomic<int> streams_closed{0};

  std::size_t count() {
    std::lock_guard lock(mu);
    return responders.size();
  }
  Responder take() {
    std::lock_guard lock(mu);
    Responder r = std::move(responders.back());
    responders.pop_back();
    return r;
  }
};

Router drain_router(const std::shared_ptr<Parked>& parked) {
  Router router;
  REQUIRE(router
              .add("GET", "/park",
                   [parked](const Request&, Responder r) {
                     std::lock_guard lock(parked->mu);
                     parked->responders.push_back(std::move(r));
                   })
              .ok());
  REQUIRE(router
              .add("GET", "/events",
                   [parked](const Request&, Responder r) {
                     auto stream = r.start_sse();
                     stream->on_close([parked] { ++parked->streams_closed; });
                     std::lock_guard lock(parked->mu);
                     parked->streams.push_back(stream);
                   })
              .ok());
  REQUIRE(router
              .add("POST", "/echo",
                   [](const Request& req, Responder r) { r(Response::text(200, req.body())); })
              .ok());
  return router;
}

}  // namespace

TEST_CASE("drain lets in-flight requests finish, closes idle and SSE, then stops", "[http]") {
  auto parked = std::make_shared<Parked>();
  auto server = start_server(drain_router(parked));
  std::uint16_t port = server->port();

  RawClient idle(port);
  REQUIRE(idle.request("POST", "/echo", "x"));
  RawClient sse(port);
  sse.send_request("GET", "/events");
  REQUIRE(eventually([&] {
    std::lock_guard lock(parked->mu);
    return !parked->streams.empty();
  }));
  RawClient inflight(port);
  inflight.send_request("GET", "/park");
  REQUIRE(eventually([&] { return parked->count() == 1; }));

  auto drained = std::async(std::launch::async, [&] { return server->drain(5000ms); });

  CHECK(idle.wait_closed(2000ms));
  CHECK(sse.wait_closed(2000ms));
  CHECK(eventually([&] { return parked->streams_closed == 1; }));
  CHECK(eventually([&] { return !RawClient(port).connected(); }));  // no longer accepting
  CHECK(drained.wait_for(100ms) == std::future_status::timeout);    // waits for /park

  std::thread([r = parked->take()]() mutable { r(Response::text(200, "finished")); }).join();
  auto reply = inflight.read_reply();
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "finished");
  CHECK_FALSE(reply->keep_alive);  // Connection: close while draining
  CHECK(inflight.wait_closed(2000ms));

  REQUIRE(drained.wait_for(3000ms) == std::future_status::ready);
  CHECK(drained.get());
  CHECK(server->connection_count() == 0);
  CHECK(server->drain(0ms));  // idempotent
}

TEST_CASE("drain past its timeout force-closes, late answers are harmless", "[http]") {
  auto parked = std::make_shared<Parked>();
  auto server = start_server(drain_router(parked));
  RawClient stuck(server->port());
  stuck.send_request("GET", "/park");
  REQUIRE(eventually([&] { return parked->count() == 1; }));

  CHECK_FALSE(server->drain(100ms));  // gave up on the parked request
  CHECK(stuck.wait_closed(1000ms));

  Responder late = parked->take();
  server.reset();
  CHECK(late(Response::text(200, "nobody listens")));  // accepted, dropped, no crash
}

}  // namespace ledgerflow::api::http::test

namespace ledgerflow::api::http::test {

TEST_CASE("drain from a network thread is refused instead of deadlocking", "[http]") {
  auto target = std::make_shared<std::atomic<Server*>>(nullptr);
  Router router;
  REQUIRE(router
              .add("POST", "/shutdown",
                   [target](const Request&, Responder r) {
                     bool drained = target->load()->drain(0ms);
                     r(Response::text(200, drained ? "drained" : "refused"));
                   })
              .ok());
  auto server = start_server(std::move(router));
  *target = server.get();
  RawClient client(server->port());
  auto reply = client.request("POST", "/shutdown", "now");
  REQUIRE(reply);
  CHECK(reply->body == "refused");
  CHECK(server->drain(1000ms));
}

}  // namespace ledgerflow::api::http::test
