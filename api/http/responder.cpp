#include "api/http/responder.h"

#include "api/http/problem.h"

namespace ledgerflow::api::http {

Responder::Responder(std::shared_ptr<ResponseSink> sink) : sink_(std::move(sink)) {}

Responder::Responder(Responder&& other) noexcept
    : sink_(std::move(other.sink_)), user_(std::move(other.user_)) {
  other.sink_ = nullptr;
}

Responder& Responder::operator=(Responder&& other) noexcept {
  if (this != &other) {
    answer_if_pending();
    sink_ = std::move(other.sink_);
    user_ = std::move(other.user_);
    other.sink_ = nullptr;
  }
  return *this;
}

Responder::~Responder() {
  answer_if_pending();
}

bool Responder::operator()(Response response) {
  if (!sink_) return false;
  auto sink = std::move(sink_);
  sink_ = nullptr;
  sink->deliver(std::move(response), std::move(user_));
  return true;
}

std::shared_ptr<SseStream> Responder::start_sse(HeaderList extra_headers) {
  if (!sink_) return nullptr;
  auto sink = std::move(sink_);
  sink_ = nullptr;
  return sink->open_sse(std::move(extra_headers), std::move(user_));
}

void Responder::answer_if_pending() {
  if (!sink_) return;
  try {
    (*this)(problem(500, {}, "the request handler finished without responding"));
  } catch (...) {
    // Building the problem allocates; a destructor must not throw. The connection then
    // waits for its read/drain timeouts instead.
  }
}

}  // namespace ledgerflow::api::http
