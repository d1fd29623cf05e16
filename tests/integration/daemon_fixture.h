// DaemonFixture: the real ledgerflowd binary, started on 127.0.0.1:0 with a temporary
// database and workflows directory, the demo users, and a short idle timeout; and a
// small JSON-over-HTTP client for driving it. Integration tests use nothing else: every
// request crosses a real socket to the real daemon.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crash/child_process.h"
#include "unit/api/http/http_test_support.h"

namespace ledgerflow::daemon_test {

using Reply = api::http::test::Reply;

// Demo API keys (config/demo-users.yaml).
inline std::string key_of(const std::string& user) {
  return "lf-demo-" + user;
}

class Daemon {
 public:
  // Starts ledgerflowd with `workflow_files` (paths relative to the source tree) copied
  // into a fresh workflows directory, the models of tests/data/daemon/models copied into
  // a fresh models directory, plus `extra_args`. REQUIREs that it comes up.
  explicit Daemon(const std::vector<std::string>& workflow_files,
                  std::vector<std::string> extra_args = {});
  ~Daemon();

  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string db_path() const { return (dir_ / "ledger.db").string(); }

  // One request on a fresh connection, as `user` (empty = no Authorization header).
  std::optional<Reply> request(const std::string& method, const std::string& target,
                               const std::string& user, const std::string& body = {},
                               const std::string& extra_headers = {}) const;
  // request() that REQUIREs a reply and a status, and returns the body as JSON.
  nlohmann::json call(const std::string& method, const std::string& target, const std::string& user,
                      int expected_status, const nlohmann::json& body = nullptr,
                      const std::string& extra_headers = {}) const;

  // SIGTERM, then waits; returns the exit code.
  int stop();
  // The daemon's stderr (its JSON log lines).
  std::string log() const;
  // Restarts on the same database and workflows directory.
  void restart(std::vector<std::string> extra_args = {});

 private:
  void start(std::vector<std::string> extra_args);

  std::filesystem::path dir_;
  std::unique_ptr<crash::ChildProcess> child_;
  std::uint16_t port_ = 0;
};

// One server-sent event.
struct SseEvent {
  std::uint64_t id = 0;
  std::string event;
  nlohmann::json data;
};
// The events in the raw bytes of an SSE response (headers included); a partial last event
// is left out.
std::vector<SseEvent> parse_sse(const std::string& all);

// Reads server-sent events from /v1/events until `count` events arrived or the timeout.
std::vector<SseEvent> read_events(std::uint16_t port, const std::string& user,
                                  std::optional<std::uint64_t> last_event_id, std::size_t count,
                                  std::chrono::milliseconds timeout);

}  // namespace ledgerflow::daemon_test
