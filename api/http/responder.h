// Responder: the one-shot, move-only callback through which a handler answers a request.
//
// A handler may answer right away or keep the Responder and answer later from any thread —
// e.g. after the engine/database thread has done the work — so no network thread ever waits
// on slow work. The answer is posted back onto the connection's strand; if the connection
// has died (or the server has shut down) in the meantime it is dropped safely.
//
// Exactly one answer per request: a second call is a no-op returning false. A Responder
// destroyed without answering (a handler that forgot, or threw) answers 500 itself, so a
// connection can never hang waiting for it. To put it in a copyable std::function, wrap it
// in a std::shared_ptr.
//
// ResponseSink is the interface behind it: the server implements it per request; tests
// implement it (see capture_sink.h) to call handlers without sockets.
// Thread-safety: a Responder is not shared; move it to the thread that answers. A sink's
// methods are called at most once per exchange, from any thread.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/http/response.h"
#include "api/http/sse_stream.h"

namespace ledgerflow::api::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  // Delivers the response; `user` is what the handler set for the access log.
  virtual void deliver(Response response, std::string user) = 0;
  // Turns the exchange into an SSE stream whose 200 head carries `extra_headers`. Never
  // returns null (a stream whose connection is gone is returned already closed).
  virtual std::shared_ptr<SseStream> open_sse(HeaderList extra_headers, std::string user) = 0;
};

class Responder {
 public:
  explicit Responder(std::shared_ptr<ResponseSink> sink);
  Responder(Responder&& other) noexcept;
  Responder& operator=(Responder&& other) noexcept;  // answers 500 for the one replaced
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder();  // answers 500 if nothing was sent

  // Sends `response`. False (nothing sent) if already answered or moved from.
  bool operator()(Response response);
  bool send(Response response) { return (*this)(std::move(response)); }

  // Answers with a server-sent-events stream instead: 200, text/event-stream, no length;
  // the connection is not reused afterwards. Null if already answered or moved from.
  std::shared_ptr<SseStream> start_sse(HeaderList extra_headers = {});

  // Who the request is from, for the access log (set it once authentication has run).
  void set_user(std::string user) { user_ = std::move(user); }
  const std::string& user() const { return user_; }

  // True once answered (or moved from): further answers are ignored.
  bool answered() const { return sink_ == nullptr; }

 private:
  void answer_if_pending();  // the 500 safety net

  std::shared_ptr<ResponseSink> sink_;
  std::string user_;
};

}  // namespace ledgerflow::api::http
