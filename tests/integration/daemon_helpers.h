// Helpers shared by the daemon integration tests (on top of daemon_fixture.h): checking
// RFC 7807 problem answers, starting many instances over keep-alive connections from
// several threads, paging through /v1/instances, and reading the raw bytes of an SSE
// stream. Catch2 assertions are not thread-safe, so the threaded helpers only collect
// results; the calling test asserts on them.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <catch2/catch.hpp>

#include "integration/daemon_fixture.h"
#include "support/wait_until.h"

namespace ledgerflow::daemon_test {

using RawClient = api::http::test::RawClient;

inline std::string auth_header(const std::string& user) {
  return "Authorization: Bearer " + key_of(user) + "\r\n";
}

// CHECKs an RFC 7807 answer with `status` (as require_problem) without aborting the test;
// returns the body, or an empty object when there is no usable one.
inline nlohmann::json check_problem(const std::optional<Reply>& reply, int status) {
  CHECK(reply);
  if (!reply) return nlohmann::json::object();
  INFO("status " << reply->status << ", body: " << reply->body.substr(0, 2000));
  CHECK(reply->status == status);
  CHECK(reply->header("content-type").rfind("application/problem+json", 0) == 0);
  nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
  CHECK(body.is_object());
  if (!body.is_object()) return nlohmann::json::object();
  CHECK(body.value("status", 0) == status);
  CHECK(body.contains("title"));
  CHECK(body.contains("detail"));
  if (!body.contains("detail") || !body["detail"].is_string() ||
      body["detail"].get<std::string>().empty()) {
    FAIL_CHECK("the problem has no non-empty string 'detail'");
    return nlohmann::json::object();
  }
  return body;
}

// REQUIREs an RFC 7807 answer with `status`: Content-Type application/problem+json, a JSON
// object with a string title and detail and a matching "status". Returns the body.
inline nlohmann::json require_problem(const std::optional<Reply>& reply, int status) {
  REQUIRE(reply);
  INFO("status " << reply->status << ", body: " << reply->body);
  CHECK(reply->status == status);
  CHECK(reply->header("content-type").rfind("application/problem+json", 0) == 0);
  nlohmann::json body = nlohmann::json::parse(reply->body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body.value("status", 0) == status);
  CHECK(body.contains("title"));
  CHECK(body["title"].is_string());
  REQUIRE(body.contains("detail"));
  REQUIRE(body["detail"].is_string());
  CHECK(!body["detail"].get<std::string>().empty());
  return body;
}

// Outcome of one start request made from a worker thread.
struct StartOutcome {
  int status = 0;  // 0 = no answer (connection refused, reset or timed out)
  std::string id;
  std::string body;
};

// Starts instances of `workflow` with inputs make_input(i) for i in [first, first + n), from
// `threads` threads, each on its own keep-alive connection (reconnecting when the server
// closes it). Stops early, for every thread, once `stop` is set; counts 201s in
// `acknowledged`. Thread-safe to call while
// other requests run; asserts nothing.
inline std::vector<StartOutcome> start_many(std::uint16_t port, const std::string& workflow,
                                            const std::string& user, int first, int n, int threads,
                                            const std::function<nlohmann::json(int)>& make_input,
                                            std::atomic<bool>* stop = nullptr,
                                            std::atomic<int>* acknowledged = nullptr) {
  std::vector<StartOutcome> out(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  auto worker = [&] {
    std::unique_ptr<api::http::test::RawClient> client;
    for (;;) {
      if (stop && stop->load()) return;
      const int i = next.fetch_add(1);
      if (i >= n) return;
      StartOutcome& o = out[static_cast<std::size_t>(i)];
      for (int attempt = 0; attempt < 2 && o.status == 0; ++attempt) {
        if (!client || !client->connected()) {
          client = std::make_unique<api::http::test::RawClient>(port);
          if (!client->connected()) {
            client.reset();
            break;  // nobody listening (the daemon stopped)
          }
        }
        const std::string body = make_input(first + i).dump();
        if (!client->send_request("POST", "/v1/workflows/" + workflow + "/instances", body,
                                  auth_header(user) + "Content-Type: application/json\r\n" +
                                      "X-Request-Id: start-" + std::to_string(first + i) + "-" +
                                      std::to_string(attempt) + "\r\n")) {
          client.reset();
          if (stop && stop->load()) break;
          continue;  // the server closed the keep-alive connection: reconnect once
        }
        auto reply = client->read_reply(std::chrono::milliseconds(10000));
        if (!reply) {
          client.reset();
          // A request that was sent may have been executed: never resend it (that would
          // make a test's idea of "acknowledged" wrong). Record "no answer".
          break;
        }
        o.status = reply->status;
        o.body = reply->body;
        if (reply->status == 201) {
          auto j = nlohmann::json::parse(reply->body, nullptr, false);
          if (j.is_object()) o.id = j.value("id", std::string());
          if (acknowledged) ++*acknowledged;
        }
        if (!reply->keep_alive) client.reset();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  return out;
}

// Every instance id the listing returns for `query` (e.g. "workflow=auto"), paging with
// `limit` and following next_cursor. `between_pages` runs after each page.
inline std::vector<std::string> list_ids(const Daemon& d, const std::string& user,
                                         const std::string& query, int limit,
                                         const std::function<void()>& between_pages = {},
                                         int* pages = nullptr) {
  std::vector<std::string> ids;
  std::string cursor;
  int n = 0;
  for (;;) {
    std::string target = "/v1/instances?limit=" + std::to_string(limit);
    if (!query.empty()) target += "&" + query;
    if (!cursor.empty()) target += "&cursor=" + cursor;
    const nlohmann::json page = d.call("GET", target, user, 200);
    ++n;
    REQUIRE(page["items"].is_array());
    CHECK(page["items"].size() <= static_cast<std::size_t>(limit));
    for (const auto& item : page["items"]) ids.push_back(item["id"]);
    if (page["next_cursor"].is_null()) break;
    CHECK(page["items"].size() == static_cast<std::size_t>(limit));
    cursor = page["next_cursor"].get<std::string>();
    REQUIRE(n < 100000);
    if (between_pages) between_pages();
  }
  if (pages) *pages = n;
  return ids;
}

// The raw bytes of an SSE stream (`target`, e.g. "/v1/events?after=3") read until
// `count` events arrived or `timeout`, and the events parsed from them.
struct SseCapture {
  int status = 0;
  std::string raw;  // everything received, headers included
  std::vector<SseEvent> events;
};

inline SseCapture capture_sse(std::uint16_t port, const std::string& target,
                              const std::string& headers, std::size_t count,
                              std::chrono::milliseconds timeout) {
  api::http::test::RawClient client(port);
  SseCapture c;
  REQUIRE(client.connected());
  REQUIRE(client.send_request("GET", target, "", headers));
  c.raw = client.read_until([&](const std::string& all) { return parse_sse(all).size() >= count; },
                            timeout);
  if (c.raw.rfind("HTTP/1.1 ", 0) == 0 && c.raw.size() >= 12)
    c.status = std::stoi(c.raw.substr(9, 3));
  c.events = parse_sse(c.raw);
  return c;
}

// Polls GET /v1/instances/{id} as `user` until `done(view)` or `timeout` (then the check
// fails, showing the last view); returns the last view.
template <typename Done>
nlohmann::json poll_instance(const Daemon& d, const std::string& id, const std::string& user,
                             Done done,
                             std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  nlohmann::json view;
  const bool reached = ledgerflow::test::wait_until(
      [&] {
        view = d.call("GET", "/v1/instances/" + id, user, 200);
        return done(view);
      },
      timeout, std::chrono::milliseconds(25));
  INFO("instance " << id << " never reached the awaited state: " << view.dump());
  CHECK(reached);
  return view;
}

// Polls an instance until it is no longer running (waiting, or finished).
inline nlohmann::json settled_instance(const Daemon& d, const std::string& id,
                                       const std::string& user) {
  return poll_instance(d, id, user,
                       [](const nlohmann::json& view) { return view["status"] != "running"; });
}

}  // namespace ledgerflow::daemon_test
