// SseStream: the sending end of one server-sent-events response (text/event-stream).
//
// A handler gets one from Responder::start_sse and hands it (or a weak_ptr to it) to
// whatever produces events — typically an event hub fed by the engine thread. send() is
// callable from any thread and never blocks: events go into a bounded per-stream queue that
// the connection drains on its own strand, one write at a time. A client that falls further
// behind than the queue allows is a slow consumer: the stream is closed, send() returns
// false, and the producer moves on (it is never stalled by one client).
//
// The stream ends when the client disconnects, the queue overflows, the owner calls close(),
// a write times out, or the server drains; on_close() tells the owner once, whatever the
// cause. Heartbeats (": ping") are queued by the server every ServerOptions::sse_heartbeat_ms.
//
// Thread-safety: every public method is thread-safe. The "transport side" methods are for
// the connection that writes the stream (and for fakes in tests).
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>

namespace ledgerflow::api::http {

class SseStream {
 public:
  struct Limits {
    std::size_t max_events = 256;             // queued and not yet written
    std::size_t max_bytes = 4 * 1024 * 1024;  // formatted bytes queued and not yet written
  };

  explicit SseStream(Limits limits);
  SseStream(const SseStream&) = delete;
  SseStream& operator=(const SseStream&) = delete;

  // Queues one event: "id: <id>", "event: <event>" (each omitted when empty; CR/LF are
  // removed from both) and one "data:" line per line of `data`. Returns false and queues
  // nothing when the stream is no longer open, or when the event would take the queue past
  // its limits — in that case the stream is closed as a slow consumer.
  bool send(std::string_view id, std::string_view event, std::string_view data);
  // Queues a comment line (": <text>"), which EventSource clients ignore. Same limits.
  bool comment(std::string_view text);

  // Ends the stream from the server side: what is queued is still written, then the
  // connection closes. Idempotent.
  void close();
  // False once the stream is closing or closed for any reason; send() would fail.
  bool is_open() const;
  // True when the stream was closed because the client fell behind.
  bool dropped_as_slow() const;

  // `fn` runs once when the stream has ended, on a network thread (never inside send() or
  // close(), so it may take the owner's locks). If the stream has already ended it runs
  // right away on the calling thread. A second call replaces a callback not yet run.
  void on_close(std::function<void()> fn);

  // ---- transport side ----
  struct Batch {
    std::string bytes;  // everything queued, in order (empty if nothing)
    bool end = false;   // write `bytes`, then end the stream
    bool drop = false;  // end the stream now; `bytes` is empty
  };
  // `wake` is called (outside the stream's lock) whenever a batch becomes available: the
  // first event after a take(), or a close. It must be cheap and thread-safe (a post).
  void attach(std::function<void()> wake);
  // Takes everything queued.
  Batch take();
  // Number of formatted bytes queued (for tests and metrics).
  std::size_t queued_bytes() const;
  // The transport has ended the stream: is_open() becomes false, on_close runs (once).
  void finish();

 private:
  bool enqueue(std::string formatted);  // applies the limits; wakes the transport
  void wake_if(bool should_wake);

  const Limits limits_;
  mutable std::mutex mu_;
  std::string queue_;
  std::size_t queued_events_ = 0;
  bool open_ = true;
  bool end_requested_ = false;
  bool dropped_ = false;
  bool finished_ = false;
  bool wake_pending_ = false;
  std::function<void()> wake_;
  std::function<void()> on_close_;
};

}  // namespace ledgerflow::api::http
