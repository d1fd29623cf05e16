// Server-sent events over real sockets: ordered delivery with ids, heartbeats, slow
// consumers dropped without blocking the sender, owner-side close, close notification.
#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "unit/api/http/http_test_support.h"

namespace ledgerflow::api::http::test {
namespace {

// What an event hub would keep: the open streams and how many have closed.
struct Hub {
  std::mutex mu;
  std::vector<std::shared_ptr<SseStream>> streams;
  std::atomic<int> closed{0};

  std::shared_ptr<SseStream> wait_stream(std::size_t index) {
    std::shared_ptr<SseStream> out;
    eventually([&] {
      std::lock_guard lock(mu);
      if (streams.size() > index) out = streams[index];
      return out != nullptr;
    });
    return out;
  }
};

Router sse_router(const std::shared_ptr<Hub>& hub) {
  Router router;
  REQUIRE(router
              .add("GET", "/events",
                   [hub](const Request& req, Responder respond) {
                     respond.set_user("dashboard");
                     std::string resume(req.header("Last-Event-ID").value_or(""));
                     auto stream = respond.start_sse(
                         {{"X-Resume-From", resume}, {"Cache-Control", "no-store"}});
                     // Taking the hub's lock in on_close is safe: it never runs inside send().
                     stream->on_close([hub] {
                       std::lock_guard lock(hub->mu);
                       ++hub->closed;
                     });
                     std::lock_guard lock(hub->mu);
                     hub->streams.push_back(stream);
                   })
              .ok());
  REQUIRE(router
              .add("POST", "/echo",
                   [](const Request& req, Responder respond) {
                     respond(Response::text(200, req.body()));
                   })
              .ok());
  return router;
}

bool has_head(const std::string& s) {
  return s.find("\r\n\r\n") != std::string::npos;
}

}  // namespace

TEST_CASE("SSE delivers events in order with ids, and heartbeats", "[http]") {
  auto hub = std::make_shared<Hub>();
  ServerOptions options = test_options();
  options.sse_heartbeat_ms = 50;
  AccessLogSink log;
  auto server = start_server(sse_router(hub), options, log.fn());

  RawClient client(server->port());
  client.send_request("GET", "/events", "", "Last-Event-ID: 41\r\n");
  std::string head = client.read_until(has_head, 2000ms);
  REQUIRE(has_head(head));
  CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(head.find("Content-Type: text/event-stream\r\n") != std::string::npos);
  CHECK(head.find("X-Resume-From: 41\r\n") != std::string::npos);
  CHECK(head.find("Content-Length") == std::string::npos);
  CHECK(head.find("Cache-Control: no-store\r\n") != std::string::npos);  // overrides no-cache
  CHECK(head.find("no-cache") == std::string::npos);

  auto stream = hub->wait_stream(0);
  REQUIRE(stream);
  std::thread producer([stream] {
    for (int i = 42; i < 142; ++i) {
      CHECK(stream->send(std::to_string(i), "instance.changed",
                         "{\"seq\":" + std::to_string(i) + "}"));
    }
  });
  producer.join();
  std::string all = client.read_until(
      [](const std::string& s) {
        return s.find("id: 141\n") != std::string::npos && s.find(": ping\n") != std::string::npos;
      },
      3000ms);
  REQUIRE(all.find("id: 141\n") != std::string::npos);
  CHECK(all.find(": ping\n\n") != std::string::npos);

  std::size_t pos = 0;
  for (int i = 42; i < 142; ++i) {
    std::string expected = "id: " + std::to_string(i) +
                           "\nevent: instance.changed\ndata: {\"seq\":" + std::to_string(i) +
                           "}\n\n";
    std::size_t found = all.find(expected, pos);
    REQUIRE(found != std::string::npos);  // present, and after the previous one
    pos = found + expected.size();
  }

  client.close();
  REQUIRE(eventually([&] { return hub->closed == 1; }));
  CHECK_FALSE(stream->is_open());
  CHECK_FALSE(stream->send("142", "", "late"));
  REQUIRE(eventually([&] { return !log.entries().empty(); }));
  AccessLogEntry entry = log.entries().back();
  CHECK(entry.status == 200);
  CHECK(entry.user == "dashboard");
  CHECK(entry.bytes > 100 * 40);
}

TEST_CASE("SSE drops a slow consumer without blocking the sender", "[http]") {
  auto hub = std::make_shared<Hub>();
  ServerOptions options = test_options();
  options.write_queue_limit = 4;
  auto server = start_server(sse_router(hub), options);

  RawClient slow(server->port(), /*receive_buffer_bytes=*/4096);  // and it never reads
  slow.send_request("GET", "/events");
  auto stream = hub->wait_stream(0);
  REQUIRE(stream);
  REQUIRE(stream->send("first", "", "hello"));
  std::string first = slow.read_until(
      [](const std::string& s) { return s.find("data: hello\n\n") != std::string::npos; }, 2000ms);
  REQUIRE(first.find("id: first\n") != std::string::npos);

  // From here on the client reads nothing: once the socket buffers are full, writes stall
  // and the 4-event queue overflows.
  const std::string payload(64 * 1024, 'p');
  int sent = 0;
  bool refused = false;
  for (int i = 0; i < 2000 && !refused; ++i) {
    if (stream->send(std::to_string(i), "", payload)) {
      ++sent;
    } else {
      refused = true;
    }
  }
  CHECK(refused);
  CHECK(stream->dropped_as_slow());
  CHECK_FALSE(stream->is_open());
  REQUIRE(eventually([&] { return hub->closed == 1; }));
  RawClient other(server->port());
  auto ok = other.request("POST", "/echo", "still serving");
  REQUIRE(ok);
  CHECK(ok->body == "still serving");
  CHECK(slow.wait_closed(3000ms));
  INFO("events accepted before the drop: " << sent);
}

TEST_CASE("SSE owner close flushes queued events, then ends the response", "[http]") {
  auto hub = std::make_shared<Hub>();
  auto server = start_server(sse_router(hub));
  RawClient client(server->port());
  client.send_request("GET", "/events");
  auto stream = hub->wait_stream(0);
  REQUIRE(stream);
  CHECK(stream->send("1", "a", "one"));
  CHECK(stream->send("2", "b", "two"));
  stream->close();
  CHECK_FALSE(stream->send("3", "c", "three"));
  auto reply = client.read_reply(3000ms);  // close-delimited body
  REQUIRE(reply);
  CHECK(reply->status == 200);
  CHECK(reply->body == "id: 1\nevent: a\ndata: one\n\nid: 2\nevent: b\ndata: two\n\n");
  CHECK_FALSE(reply->keep_alive);
  REQUIRE(eventually([&] { return hub->closed == 1; }));
}

}  // namespace ledgerflow::api::http::test
