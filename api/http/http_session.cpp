#include "api/http/http_session.h"

#include <algorithm>
#include <cctype>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include "api/http/problem.h"
#include "api/http/request.h"

namespace ledgerflow::api::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kIdleReadBytes = 4096;
// After an error answer the client may still be sending (a 2 MiB body after our 413); we
// read and discard for a while so that closing does not reset the connection before the
// client has read the answer. Bounded in time and bytes.
constexpr auto kLingerTime = std::chrono::seconds(2);
constexpr auto kDrainLingerTime = std::chrono::milliseconds(100);
constexpr std::uint64_t kMinLingerBytes = 4 * 1024 * 1024;
// An SSE client is not expected to send anything after its request.
constexpr std::uint64_t kMaxSseClientBytes = 64 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string_view sv(beast::string_view s) {
  return {s.data(), s.size()};
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Extra headers a handler may set: a token name, a value without CR/LF/NUL, and none of
// the headers the server owns (framing, connection management, the request id).
bool allowed_header(std::string_view name, std::string_view value) {
  if (name.empty() || name.size() > 256 || value.size() > 8192) return false;
  for (char c : name) {
    bool token = std::isalnum(static_cast<unsigned char>(c)) ||
                 std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    if (!token) return false;
  }
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos) return false;
  for (std::string_view owned :
       {"content-length", "transfer-encoding", "connection", "x-request-id", "content-type"}) {
    if (iequals(name, owned)) return false;
  }
  return true;
}

template <typename Message>
void add_headers(Message& message, const HeaderList& headers) {
  for (const auto& [name, value] : headers) {
    if (allowed_header(name, value)) message.insert(name, value);
  }
}

std::string endpoint_text(const tcp::socket& socket) {
  beast::error_code ec;
  auto ep = socket.remote_endpoint(ec);
  if (ec) return {};
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

template <typename Message>
Request::Headers headers_of(const Message& message) {
  Request::Headers headers;
  for (const auto& field : message) {
    headers.emplace_back(std::string(sv(field.name_string())), std::string(sv(field.value())));
  }
  return headers;
}

// Finishes a stream whose start was posted but never ran (server torn down first), so its
// owner still hears on_close.
struct FinishUnlessTaken {
  std::shared_ptr<SseStream> stream;
  explicit FinishUnlessTaken(std::shared_ptr<SseStream> s) : stream(std::move(s)) {}
  FinishUnlessTaken(FinishUnlessTaken&&) = default;
  FinishUnlessTaken& operator=(FinishUnlessTaken&&) = default;
  ~FinishUnlessTaken() {
    if (stream) stream->finish();
  }
};

// The server's ResponseSink for one exchange: posts the answer onto the session's strand,
// if the session and the server are still there (HttpSession::post checks both).
class SessionSink : public ResponseSink {
 public:
  SessionSink(std::weak_ptr<HttpSession> session, std::shared_ptr<Gate> gate, std::uint64_t seq,
              SseStream::Limits limits)
      : session_(std::move(session)), gate_(std::move(gate)), seq_(seq), limits_(limits) {}

  void deliver(Response response, std::string user) override {
    HttpSession::post(
        session_, gate_,
        [seq = seq_, response = std::move(response), user = std::move(user)](
            HttpSession& s) mutable { s.on_response(seq, std::move(response), std::move(user)); });
  }

  std::shared_ptr<SseStream> open_sse(HeaderList headers, std::string user) override {
    auto stream = std::make_shared<SseStream>(limits_);
    bool posted = HttpSession::post(
        session_, gate_,
        [seq = seq_, guard = FinishUnlessTaken{stream}, headers = std::move(headers),
         user = std::move(user)](HttpSession& s) mutable {
          s.on_sse_start(seq, std::move(guard.stream), std::move(headers), std::move(user));
        });
    if (!posted) stream->finish();
    return stream;
  }

 private:
  std::weak_ptr<HttpSession> session_;
  std::shared_ptr<Gate> gate_;
  std::uint64_t seq_;
  SseStream::Limits limits_;
};

}  // namespace

HttpSession::HttpSession(tcp::socket&& socket, std::shared_ptr<SharedState> state, bool reject)
    : stream_(std::move(socket)),
      buffer_(state->options().header_limit_bytes + 8192),
      state_(std::move(state)),
      options_(state_->options()),
      reject_(reject),
      remote_(endpoint_text(stream_.socket())),
      read_timer_(stream_.get_executor()),
      heartbeat_timer_(stream_.get_executor()) {
  request_started_ = Clock::now();
}

HttpSession::~HttpSession() {
  if (sse_) sse_->finish();
  state_->remove(registry_id_);
}

void HttpSession::run() {
  net::dispatch(stream_.get_executor(),
                beast::bind_front_handler(&HttpSession::start_read, shared_from_this()));
}

// ---- reading ---------------------------------------------------------------------------

void HttpSession::start_read() {
  if (phase_ == Phase::closed) return;
  if (state_->draining()) {  // accepted as the drain began, or between keep-alive requests
    close();
    return;
  }
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit_bytes));
  // Beast checks Content-Length against the limit while parsing the header, before the
  // target is known: start with the larger (bulk) limit and narrow it in on_header.
  parser_->body_limit(options_.bulk_path_prefix.empty()
                          ? options_.body_limit_bytes
                          : std::max(options_.body_limit_bytes, options_.bulk_body_limit_bytes));
  timed_out_ = false;
  if (first_request_ || buffer_.size() > 0) {
    read_header();
    return;
  }
  phase_ = Phase::idle;
  stream_.expires_after(std::chrono::milliseconds(options_.idle_timeout_ms));
  stream_.async_read_some(
      buffer_.prepare(kIdleReadBytes),
      beast::bind_front_handler(&HttpSession::on_idle_read, shared_from_this()));
}

void HttpSession::on_idle_read(beast::error_code ec, std::size_t bytes) {
  // Idle timeout, client closed, or drain. A drain may close the session while this read
  // completes with bytes: the request must not run then (it would be executed and never
  // answered, and the client's retry would apply it twice).
  if (ec || phase_ != Phase::idle) {
    close();
    return;
  }
  buffer_.commit(bytes);
  request_started_ = Clock::now();
  read_header();
}

void HttpSession::read_header() {
  phase_ = Phase::reading;
  if (!first_request_ && buffer_.size() > 0) request_started_ = Clock::now();
  // Reads are bounded by read_timer_ (which lets us answer 408) rather than by the
  // stream's own timeout (which closes the socket before we could answer).
  stream_.expires_never();
  arm_read_timer();
  bhttp::async_read_header(stream_, buffer_, *parser_,
                           beast::bind_front_handler(&HttpSession::on_header, shared_from_this()));
}

void HttpSession::arm_read_timer() {
  std::uint64_t gen = ++read_gen_;
  auto deadline = request_started_ + std::chrono::milliseconds(options_.read_timeout_ms);
  read_timer_.expires_at(deadline);
  read_timer_.async_wait([self = shared_from_this(), gen](beast::error_code ec) {
    if (ec || gen != self->read_gen_ || self->phase_ != Phase::reading) return;
    self->timed_out_ = true;
    beast::error_code ignored;
    self->stream_.socket().cancel(ignored);
  });
}

void HttpSession::on_header(beast::error_code ec, std::size_t) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  auto& message = parser_->get();
  const bool bulk = !options_.bulk_path_prefix.empty() && message.method() == bhttp::verb::post &&
                    sv(message.target()).starts_with(options_.bulk_path_prefix);
  if (!bulk && !options_.bulk_path_prefix.empty()) {
    // Only bulk imports get the larger limit: refuse a declared length at once, and bound
    // a chunked body by the normal limit.
    if (auto length = parser_->content_length(); length && *length > options_.body_limit_bytes) {
      ++read_gen_;
      read_timer_.cancel();
      respond_error(
          413, "the request body exceeds " + std::to_string(options_.body_limit_bytes) + " bytes",
          true);
      return;
    }
    parser_->body_limit(options_.body_limit_bytes);
  }
  if (refused_at_header()) return;
  if (message.version() >= 11 && iequals(sv(message[bhttp::field::expect]), "100-continue") &&
      !parser_->is_done()) {
    // The client waits for this before sending the body (curl does, for large bodies).
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code wec, std::size_t) {
                       if (wec) {
                         self->on_read_error(wec);
                         return;
                       }
                       self->read_body();
                     });
    return;
  }
  read_body();
}

bool HttpSession::refused_at_header() {
  const auto& message = parser_->get();
  auto head = Request::make(std::string(sv(message.method_string())),
                            std::string(sv(message.target())), headers_of(message), {}, remote_);
  if (!head) return false;  // answered 400 once the request is complete
  auto refusal = state_->router().check_header(*head);
  if (!refusal) return false;
  ++read_gen_;
  read_timer_.cancel();
  begin_exchange_from_parser();
  keep_alive_ = false;
  write_response(std::move(*refusal), true);
  return true;
}

void HttpSession::read_body() {
  if (phase_ != Phase::reading) return;
  bhttp::async_read(stream_, buffer_, *parser_,
                    beast::bind_front_handler(&HttpSession::on_body, shared_from_this()));
}

void HttpSession::on_body(beast::error_code ec, std::size_t) {
  if (ec) {
    on_read_error(ec);
    return;
  }
  ++read_gen_;
  read_timer_.cancel();
  handle_request();
}

void HttpSession::on_read_error(beast::error_code ec) {
  ++read_gen_;
  read_timer_.cancel();
  if (phase_ != Phase::reading) {  // closed by drain or force_close meanwhile
    close();
    return;
  }
  bool got_bytes = parser_ && (parser_->got_some() || buffer_.size() > 0);
  if (timed_out_) {
    if (!got_bytes) {
      close();
      return;
    }
    respond_error(
        408,
        "the request was not received within " + std::to_string(options_.read_timeout_ms) + " ms",
        true);
    return;
  }
  if (ec == bhttp::error::body_limit) {
    const bool bulk = !options_.bulk_path_prefix.empty() &&
                      parser_->get().method() == bhttp::verb::post &&
                      sv(parser_->get().target()).starts_with(options_.bulk_path_prefix);
    const std::size_t limit =
        bulk ? std::max(options_.body_limit_bytes, options_.bulk_body_limit_bytes)
             : options_.body_limit_bytes;
    respond_error(413, "the request body exceeds " + std::to_string(limit) + " bytes", true);
  } else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    respond_error(
        431, "the request header exceeds " + std::to_string(options_.header_limit_bytes) + " bytes",
        true);
  } else if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
             !is_parse_error(ec)) {
    close();  // the client went away (or a socket error): nobody to answer
  } else {
    respond_error(400, "malformed HTTP request: " + ec.message(), true);
  }
}

void HttpSession::handle_request() {
  auto& message = parser_->get();
  keep_alive_ = message.keep_alive();
  version_ = message.version();
  first_request_ = false;

  auto request =
      Request::make(std::string(sv(message.method_string())), std::string(sv(message.target())),
                    headers_of(message), std::move(message.body()), remote_);
  if (!request) {
    begin_exchange_from_parser();
    respond_error(400, request.error().message, false);
    return;
  }
  request->received_at_ = request_started_;
  exchange_ = Exchange{
      request->id(), request->method(), request->target(), {}, 0, 0, request_started_, false};
  if (reject_) {
    respond_error(503, "the server is at its connection limit; retry shortly", true,
                  {{"Retry-After", "1"}});
    return;
  }

  phase_ = Phase::handling;
  std::uint64_t seq = ++seq_;
  pending_self_ = shared_from_this();  // until the Responder answers (or force_close)

  Responder responder(std::make_shared<SessionSink>(
      weak_from_this(), state_->gate(), seq,
      SseStream::Limits{options_.write_queue_limit, options_.write_queue_limit_bytes}));
  state_->router().dispatch(*request, std::move(responder));
}

// ---- writing a response ----------------------------------------------------------------

void HttpSession::begin_exchange_from_parser() {
  exchange_ = Exchange{};
  exchange_.started = request_started_;
  exchange_.logged = false;
  if (parser_ && parser_->is_header_done()) {
    const auto& message = parser_->get();
    exchange_.method = std::string(sv(message.method_string()));
    exchange_.target = std::string(sv(message.target()));
    std::string_view client_id = sv(message["X-Request-Id"]);
    exchange_.id = is_sane_request_id(client_id) ? std::string(client_id) : new_request_id();
    version_ = message.version() == 10 ? 10 : 11;
  } else {
    exchange_.id = new_request_id();
  }
}

void HttpSession::respond_error(int status, std::string_view detail, bool close_after,
                                HeaderList extra_headers) {
  if (exchange_.logged) begin_exchange_from_parser();
  Response response = problem(status, {}, detail);
  for (auto& h : extra_headers) response.headers.push_back(std::move(h));
  write_response(std::move(response), close_after);
}

void HttpSession::on_response(std::uint64_t seq, Response response, std::string user) {
  if (seq != seq_ || phase_ != Phase::handling) return;  // stale, or closed meanwhile
  exchange_.user = std::move(user);
  write_response(std::move(response), false);
}

void HttpSession::write_response(Response response, bool close_after) {
  if (response.status < 200 || response.status > 599) {
    response = problem(500, {}, "the handler answered with an invalid status");
  }
  phase_ = Phase::writing;
  auto& res = response_.emplace();
  res.version(version_);
  res.result(static_cast<unsigned>(response.status));
  bool bodiless = response.status == 204 || response.status == 304;
  if (!response.content_type.empty() && !bodiless) {
    res.set(bhttp::field::content_type, response.content_type);
  }
  add_headers(res, response.headers);
  res.set("X-Request-Id", exchange_.id);
  if (!bodiless) res.body() = std::move(response.body);
  bool keep = keep_alive_ && !close_after && !state_->draining();
  res.keep_alive(keep);
  res.prepare_payload();
  exchange_.status = response.status;
  exchange_.bytes = res.body().size();
  stream_.expires_after(std::chrono::milliseconds(options_.write_timeout_ms));
  bhttp::async_write(stream_, res,
                     beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), !keep));
}

void HttpSession::on_write(bool close_after, beast::error_code ec, std::size_t) {
  if (ec) exchange_.status = 0;  // nothing (or not all) reached the client
  log_exchange();
  response_.reset();
  pending_self_.reset();
  if (ec || phase_ != Phase::writing) {
    close();
  } else if (close_after) {
    // A request read to its end leaves nothing unread to provoke a reset: close now. One cut
    // short (413, 431, 408, malformed) may still be arriving: linger.
    if (parser_ && parser_->is_done()) {
      close();
    } else {
      linger_close();
    }
  } else {
    start_read();
  }
}

// ---- server-sent events ----------------------------------------------------------------

void HttpSession::on_sse_start(std::uint64_t seq, std::shared_ptr<SseStream> stream,
                               HeaderList headers, std::string user) {
  if (seq != seq_ || phase_ != Phase::handling) {
    stream->finish();
    return;
  }
  phase_ = Phase::sse;
  sse_ = std::move(stream);
  exchange_.user = std::move(user);
  exchange_.status = 200;
  sse_head_ = {};
  sse_head_.version(version_);
  sse_head_.result(bhttp::status::ok);
  add_headers(sse_head_, headers);
  sse_head_.set(bhttp::field::content_type, "text/event-stream");
  // Defaults the handler may override through its extra headers.
  if (sse_head_.find(bhttp::field::cache_control) == sse_head_.end()) {
    sse_head_.set(bhttp::field::cache_control, "no-cache");
  }
  if (sse_head_.find("X-Accel-Buffering") == sse_head_.end()) {
    sse_head_.set("X-Accel-Buffering", "no");  // nginx: do not buffer the stream
  }
  sse_head_.set("X-Request-Id", exchange_.id);
  // No Content-Length: the body ends when the connection closes.
  sse_head_.keep_alive(false);
  stream_.expires_after(std::chrono::milliseconds(options_.write_timeout_ms));
  bhttp::async_write(
      stream_, sse_head_,
      beast::bind_front_handler(&HttpSession::on_sse_head_written, shared_from_this()));
  pending_self_.reset();
}

void HttpSession::on_sse_head_written(beast::error_code ec, std::size_t) {
  if (ec || phase_ != Phase::sse) {
    end_sse();
    return;
  }
  std::weak_ptr<HttpSession> weak = weak_from_this();
  std::shared_ptr<Gate> gate = state_->gate();
  sse_->attach(
      [weak, gate] { HttpSession::post(weak, gate, [](HttpSession& s) { s.pump_sse(); }); });
  watch_sse_client();
  arm_heartbeat();
  pump_sse();
}

void HttpSession::watch_sse_client() {
  // Nothing is expected from the client; a completed read means it closed (or misbehaves).
  // No timeout on this read: the writes carry the timeouts.
  stream_.expires_never();
  stream_.async_read_some(net::buffer(scratch_),
                          [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                            if (self->phase_ != Phase::sse) return;
                            self->discarded_bytes_ += n;
                            if (ec || self->discarded_bytes_ > kMaxSseClientBytes) {
                              self->end_sse();
                              return;
                            }
                            self->watch_sse_client();
                          });
}

void HttpSession::arm_heartbeat() {
  heartbeat_timer_.expires_after(std::chrono::milliseconds(options_.sse_heartbeat_ms));
  heartbeat_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
    if (ec || self->phase_ != Phase::sse) return;
    self->sse_->comment("ping");  // on overflow the stream closes itself and wakes pump_sse
    self->arm_heartbeat();
  });
}

void HttpSession::pump_sse() {
  if (phase_ != Phase::sse || !sse_) return;
  if (sse_writing_) {
    // A slow consumer is dropped now, not when its stalled write finally times out.
    if (sse_->dropped_as_slow()) end_sse();
    return;
  }
  SseStream::Batch batch = sse_->take();
  if (batch.drop) {
    end_sse();
    return;
  }
  if (batch.bytes.empty()) {
    if (batch.end) end_sse();
    return;
  }
  sse_end_after_write_ = batch.end;
  sse_out_ = std::move(batch.bytes);
  sse_writing_ = true;
  stream_.expires_after(std::chrono::milliseconds(options_.write_timeout_ms));
  net::async_write(stream_, net::buffer(sse_out_),
                   beast::bind_front_handler(&HttpSession::on_sse_write, shared_from_this()));
}

void HttpSession::on_sse_write(beast::error_code ec, std::size_t bytes) {
  sse_writing_ = false;
  exchange_.bytes += bytes;
  if (ec || sse_end_after_write_) {
    end_sse();
    return;
  }
  pump_sse();
}

void HttpSession::end_sse() {
  if (phase_ != Phase::sse) return;
  log_exchange();
  close();  // finishes sse_, which tells its owner
}

// ---- drain and close -------------------------------------------------------------------

void HttpSession::drain() {
  switch (phase_) {
    case Phase::idle:
    case Phase::lingering:
      close();
      break;
    case Phase::sse:
      end_sse();
      break;
    case Phase::reading:
      if (parser_ && !parser_->got_some() && buffer_.size() == 0) close();
      break;  // a request under way is read (within read_timeout) and answered
    case Phase::handling:
    case Phase::writing:
    case Phase::closed:
      break;  // the answer is written with Connection: close
  }
}

void HttpSession::force_close() {
  if (phase_ == Phase::sse) log_exchange();
  close();
  pending_self_.reset();
}

void HttpSession::abandon() {
  close();
  pending_self_.reset();
}

void HttpSession::linger_close() {
  phase_ = Phase::lingering;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  discarded_bytes_ = 0;
  stream_.expires_after(state_->draining() ? kDrainLingerTime : kLingerTime);
  linger_read();
}

void HttpSession::linger_read() {
  stream_.async_read_some(
      net::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
        self->discarded_bytes_ += n;
        std::uint64_t limit =
            std::max<std::uint64_t>(kMinLingerBytes, 2 * self->options_.body_limit_bytes);
        if (ec || self->phase_ != Phase::lingering || self->discarded_bytes_ > limit) {
          self->close();
          return;
        }
        self->linger_read();
      });
}

void HttpSession::close() {
  if (phase_ == Phase::closed) return;
  phase_ = Phase::closed;
  ++read_gen_;
  read_timer_.cancel();
  heartbeat_timer_.cancel();
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
  if (sse_) sse_->finish();
}

void HttpSession::log_exchange() {
  if (exchange_.logged) return;
  exchange_.logged = true;
  AccessLogEntry entry;
  entry.request_id = exchange_.id;
  entry.method = exchange_.method;
  entry.target = exchange_.target;
  entry.status = exchange_.status;
  entry.duration_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - exchange_.started).count();
  entry.bytes = exchange_.bytes;
  entry.user = exchange_.user;
  entry.remote = remote_;
  state_->log_access(entry);
}

}  // namespace ledgerflow::api::http
