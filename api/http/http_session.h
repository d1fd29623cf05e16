// HttpSession: one accepted TCP connection, from the first byte to the close.
//
// Per request: wait for the next request (idle_timeout, keep-alive only) -> read header and
// body under one deadline (read_timeout; 408 when it passes) with header and body limits
// (431/413) -> build a Request -> Router::dispatch on this network thread -> wait for the
// Responder, which posts the answer back onto this connection's strand -> write it (one
// write in flight, write_timeout) -> loop or close. An SSE answer turns the connection into
// an event stream until either side ends it.
//
// Lifetime: the session lives by shared_from_this in its pending operations; while a handler
// holds its Responder and no operation is pending it keeps itself alive (pending_self_)
// until the answer arrives or the server force-closes it. Responders and SSE streams hold
// only weak references, through the Gate (shared_state.h).
// Internal to api/http. Thread-safety: every member function runs on the connection's strand,
// except abandon() (teardown, when no network thread runs) and post() (any thread).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/http/responder.h"
#include "api/http/response.h"
#include "api/http/shared_state.h"
#include "api/http/sse_stream.h"

namespace ledgerflow::api::http {

class HttpSession : public std::enable_shared_from_this<HttpSession> {
 public:
  // `reject`: answer the first request with 503 and close (over the connection cap).
  HttpSession(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<SharedState> state,
              bool reject);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  using executor_type = boost::beast::tcp_stream::executor_type;
  executor_type get_executor() { return stream_.get_executor(); }  // the connection's strand

  void set_registry_id(std::uint64_t id) { registry_id_ = id; }
  void run();  // starts reading on the strand

  // Drain: close now if idle (between requests, or nothing received yet) or streaming SSE;
  // otherwise finish the exchange in progress and close instead of keeping alive.
  void drain();
  // Close now, whatever is in progress; a late answer is dropped.
  void force_close();
  // Teardown only, once no network thread runs: close and break self-references.
  void abandon();

  // Runs `fn(session)` on the session's strand if the gate is open and the session alive.
  // Callable from any thread; false when the call was dropped.
  template <typename Fn>
  static bool post(const std::weak_ptr<HttpSession>& weak, const std::shared_ptr<Gate>& gate,
                   Fn&& fn);

  // Answers delivered through the Responder (on the strand).
  void on_response(std::uint64_t seq, Response response, std::string user);
  void on_sse_start(std::uint64_t seq, std::shared_ptr<SseStream> stream, HeaderList headers,
                    std::string user);

 private:
  enum class Phase { idle, reading, handling, writing, sse, lingering, closed };

  // What the access log reports about the exchange in progress.
  struct Exchange {
    std::string id;
    std::string method;
    std::string target;
    std::string user;
    int status = 0;
    std::uint64_t bytes = 0;
    std::chrono::steady_clock::time_point started;
    bool logged = true;
  };

  void start_read();
  void on_idle_read(boost::beast::error_code ec, std::size_t bytes);
  void read_header();
  void arm_read_timer();
  void on_header(boost::beast::error_code ec, std::size_t bytes);
  // Runs the route's header check (authentication before the body is read); true when it
  // refused and the refusal is being written.
  bool refused_at_header();
  void read_body();
  void on_body(boost::beast::error_code ec, std::size_t bytes);
  void on_read_error(boost::beast::error_code ec);
  void handle_request();

  void begin_exchange_from_parser();
  void respond_error(int status, std::string_view detail, bool close_after,
                     HeaderList extra_headers = {});
  void write_response(Response response, bool close_after);
  void on_write(bool close_after, boost::beast::error_code ec, std::size_t bytes);

  void on_sse_head_written(boost::beast::error_code ec, std::size_t bytes);
  void watch_sse_client();
  void arm_heartbeat();
  void pump_sse();
  void on_sse_write(boost::beast::error_code ec, std::size_t bytes);
  void end_sse();

  void linger_close();
  void linger_read();
  void close();
  void log_exchange();

  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::shared_ptr<SharedState> state_;
  const ServerOptions& options_;
  const bool reject_;
  std::string remote_;
  std::uint64_t registry_id_ = 0;

  Phase phase_ = Phase::reading;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool timed_out_ = false;
  unsigned version_ = 11;
  std::uint64_t seq_ = 0;
  std::uint64_t read_gen_ = 0;
  std::chrono::steady_clock::time_point request_started_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  boost::asio::steady_timer read_timer_;
  std::optional<boost::beast::http::response<boost::beast::http::string_body>> response_;
  std::shared_ptr<HttpSession> pending_self_;
  Exchange exchange_;

  std::shared_ptr<SseStream> sse_;
  boost::beast::http::response<boost::beast::http::empty_body> sse_head_;
  boost::asio::steady_timer heartbeat_timer_;
  std::string sse_out_;
  bool sse_writing_ = false;
  bool sse_end_after_write_ = false;

  std::array<char, 8192> scratch_{};  // discarded input: SSE client, lingering close
  std::uint64_t discarded_bytes_ = 0;
};

template <typename Fn>
bool HttpSession::post(const std::weak_ptr<HttpSession>& weak, const std::shared_ptr<Gate>& gate,
                       Fn&& fn) {
  std::lock_guard lock(gate->mu);
  if (!gate->open) return false;
  auto session = weak.lock();
  if (!session) return false;
  auto executor = session->stream_.get_executor();
  // The session reference moves into the handler, so its last release (and destructor)
  // happens on the strand or at io_context teardown, never on the caller's thread.
  boost::asio::post(executor, [session = std::move(session), fn = std::forward<Fn>(fn)]() mutable {
    fn(*session);
  });
  return true;
}

}  // namespace ledgerflow::api::http
