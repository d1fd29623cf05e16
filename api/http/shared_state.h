// SharedState: what every connection of one Server shares — the options, the router, the
// access-log hook, the registry of live sessions (for the connection cap and for drain) and
// the Gate that keeps late answers from reaching a server that is being torn down.
// Internal to api/http; the public entry point is server.h.
// Thread-safety: all methods are thread-safe; options/router are read-only after start.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "api/http/access_log.h"
#include "api/http/router.h"
#include "api/http/server_options.h"

namespace ledgerflow::api::http {

class HttpSession;

// Responders and SSE streams may outlive the Server. They reach a session only through the
// gate: while it is open, posting to a session's strand is safe; the Server closes it
// before stopping the io_context, after which late answers are dropped.
struct Gate {
  std::mutex mu;
  bool open = true;
};

class SharedState {
 public:
  SharedState(ServerOptions options, Router router, AccessLogFn access_log);

  const ServerOptions& options() const { return options_; }
  const Router& router() const { return router_; }
  const std::shared_ptr<Gate>& gate() const { return gate_; }
  // Calls the access-log hook, if any; exceptions from it are swallowed (and logged).
  void log_access(const AccessLogEntry& entry) const;

  // Registry. `counted` sessions count against max_connections; sessions that only answer
  // 503 do not (they are bounded separately by the listener).
  std::uint64_t add(const std::shared_ptr<HttpSession>& session, bool counted);
  void remove(std::uint64_t id);
  std::size_t connections() const;  // counted sessions
  std::size_t rejecting() const;    // 503-only sessions
  std::vector<std::shared_ptr<HttpSession>> sessions() const;
  // Waits until no session is left or `deadline` passes; true if none is left.
  bool wait_until_empty(std::chrono::steady_clock::time_point deadline) const;

  bool draining() const { return draining_.load(std::memory_order_acquire); }
  void set_draining() { draining_.store(true, std::memory_order_release); }

 private:
  struct Entry {
    std::weak_ptr<HttpSession> session;
    bool counted = false;
  };

  const ServerOptions options_;
  const Router router_;
  const AccessLogFn access_log_;
  const std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::atomic<bool> draining_{false};

  mutable std::mutex mu_;
  mutable std::condition_variable emptied_;
  std::unordered_map<std::uint64_t, Entry> sessions_;
  std::uint64_t next_id_ = 1;
  std::size_t counted_ = 0;
};

}  // namespace ledgerflow::api::http
