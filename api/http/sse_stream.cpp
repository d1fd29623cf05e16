#include "api/http/sse_stream.h"

#include <utility>

namespace ledgerflow::api::http {
namespace {

// Field values of "id" and "event" end at a line break; drop CR/LF so a value can never
// start a new field.
void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  for (char c : value) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  out.push_back('\n');
}

// One "data:" line per line of `data`; CRLF, CR and LF all count as a line break.
void append_data(std::string& out, std::string_view data) {
  std::size_t start = 0;
  while (true) {
    std::size_t end = data.find_first_of("\r\n", start);
    out.append("data: ");
    out.append(data.substr(start, end == std::string_view::npos ? end : end - start));
    out.push_back('\n');
    if (end == std::string_view::npos) break;
    start = end + 1;
    if (data[end] == '\r' && start < data.size() && data[start] == '\n') ++start;
  }
}

}  // namespace

SseStream::SseStream(Limits limits) : limits_(limits) {}

bool SseStream::send(std::string_view id, std::string_view event, std::string_view data) {
  std::string formatted;
  formatted.reserve(id.size() + event.size() + data.size() + 32);
  if (!id.empty()) append_field(formatted, "id", id);
  if (!event.empty()) append_field(formatted, "event", event);
  append_data(formatted, data);
  formatted.push_back('\n');
  return enqueue(std::move(formatted));
}

bool SseStream::comment(std::string_view text) {
  std::string formatted;
  append_field(formatted, "", text);  // ": text\n"
  formatted.push_back('\n');
  return enqueue(std::move(formatted));
}

bool SseStream::enqueue(std::string formatted) {
  bool wake = false;
  bool ok = false;
  {
    std::lock_guard lock(mu_);
    if (!open_) return false;
    if (queued_events_ + 1 > limits_.max_events ||
        queue_.size() + formatted.size() > limits_.max_bytes) {
      open_ = false;
      dropped_ = true;
      queue_.clear();
      queued_events_ = 0;
      wake = true;
    } else {
      queue_.append(formatted);
      ++queued_events_;
      ok = true;
      wake = !wake_pending_;
      wake_pending_ = true;
    }
  }
  wake_if(wake);
  return ok;
}

void SseStream::close() {
  {
    std::lock_guard lock(mu_);
    if (!open_) return;
    open_ = false;
    end_requested_ = true;
  }
  wake_if(true);
}

bool SseStream::is_open() const {
  std::lock_guard lock(mu_);
  return open_;
}

bool SseStream::dropped_as_slow() const {
  std::lock_guard lock(mu_);
  return dropped_;
}

void SseStream::on_close(std::function<void()> fn) {
  {
    std::lock_guard lock(mu_);
    if (!finished_) {
      on_close_ = std::move(fn);
      return;
    }
  }
  if (fn) fn();
}

void SseStream::attach(std::function<void()> wake) {
  bool pending = false;
  {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
    pending = !queue_.empty() || !open_;
    wake_pending_ = !queue_.empty();
  }
  wake_if(pending);
}

SseStream::Batch SseStream::take() {
  std::lock_guard lock(mu_);
  Batch batch;
  wake_pending_ = false;
  if (dropped_ || finished_) {
    batch.drop = true;
    queue_.clear();
  } else {
    batch.bytes = std::move(queue_);
    batch.end = end_requested_;
  }
  queue_.clear();
  queued_events_ = 0;
  return batch;
}

std::size_t SseStream::queued_bytes() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void SseStream::finish() {
  std::function<void()> callback;
  {
    std::lock_guard lock(mu_);
    if (finished_) return;
    finished_ = true;
    open_ = false;
    queue_.clear();
    queued_events_ = 0;
    callback = std::move(on_close_);
    on_close_ = nullptr;
    wake_ = nullptr;  // the transport is gone; drop what it captured
  }
  if (callback) callback();
}

void SseStream::wake_if(bool should_wake) {
  if (!should_wake) return;
  std::function<void()> wake;
  {
    std::lock_guard lock(mu_);
    wake = wake_;  // a copy, so the call happens outside the lock
  }
  if (wake) wake();
}

}  // namespace ledgerflow::api::http
