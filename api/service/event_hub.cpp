#include "api/service/event_hub.h"

#include <algorithm>

#include "api/service/masking.h"
#include "engine/expr/timestamp.h"

namespace ledgerflow::api {

EventHub::EventHub(rt::Store& store, MaskFn mask_for, EventHubOptions options)
    : store_(store), mask_for_(std::move(mask_for)), options_(options) {
  // Start at the current end of the feed: events from before the daemon started are read
  // from the store on demand (Last-Event-ID), never loaded up front.
  auto latest = store_.latest_event_seq();
  head_ = latest ? *latest : 0;
  thread_ = std::thread([this] { run(); });
}

EventHub::~EventHub() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::lock_guard lock(mu_);
  for (auto& s : subscribers_) s.stream->close();
}

Result<void> EventHub::subscribe(std::shared_ptr<http::SseStream> stream,
                                 std::optional<std::uint64_t> after_seq, const std::string& user,
                                 VisibleFn visible) {
  {
    std::lock_guard lock(mu_);
    if (subscribers_.size() >= options_.max_subscribers) {
      return Error{ErrorCode::unavailable, "too many event streams are open (limit " +
                                               std::to_string(options_.max_subscribers) + ")"};
    }
    const auto own = std::count_if(subscribers_.begin(), subscribers_.end(),
                                   [&](const Subscriber& s) { return s.user == user; });
    if (!user.empty() && static_cast<std::size_t>(own) >= options_.max_per_user) {
      return Error{ErrorCode::unavailable, "user '" + user + "' already has " +
                                               std::to_string(own) + " event streams open (limit " +
                                               std::to_string(options_.max_per_user) + ")"};
    }
    subscribers_.push_back(
        Subscriber{std::move(stream), after_seq.value_or(head_), user, std::move(visible), {}});
    nudged_ = true;
  }
  cv_.notify_all();
  return {};
}

void EventHub::nudge() {
  {
    std::lock_guard lock(mu_);
    nudged_ = true;
  }
  cv_.notify_all();
}

std::size_t EventHub::subscribers_of(const std::string& user) const {
  std::lock_guard lock(mu_);
  return static_cast<std::size_t>(std::count_if(
      subscribers_.begin(), subscribers_.end(), [&](const Subscriber& s) { return s.user == user; }));
}

std::uint64_t EventHub::head() const {
  std::lock_guard lock(mu_);
  return head_;
}

std::size_t EventHub::subscribers() const {
  std::lock_guard lock(mu_);
  return subscribers_.size();
}

std::string EventHub::data_of(const rt::EventRecord& e) {
  nlohmann::json j = {{"seq", e.seq},
                      {"at", expr::format_timestamp(e.at_us)},
                      {"kind", e.kind},
                      {"instance_id", e.instance_id},
                      {"payload", e.payload}};
  if (!e.task_id.empty()) j["task_id"] = e.task_id;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void EventHub::run() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(options_.poll_ms),
                 [this] { return stop_ || nudged_; });
    if (stop_) break;
    nudged_ = false;
    lock.unlock();
    read_new();
    lock.lock();
    for (auto& s : subscribers_) deliver(s);
    std::erase_if(subscribers_, [](const Subscriber& s) { return !s.stream->is_open(); });
  }
}

// Reads the feed past head_ into the ring (the lock is not held during store reads).
void EventHub::read_new() {
  std::uint64_t after;
  {
    std::lock_guard lock(mu_);
    after = head_;
  }
  for (int pages = 0; pages < 100; ++pages) {  // bounded per wake; the next wake goes on
    auto page = store_.events_after(after, options_.page);
    if (!page || page->empty()) return;
    std::lock_guard lock(mu_);
    for (auto& e : *page) {
      after = e.seq;
      ring_.push_back(std::move(e));
      if (ring_.size() > options_.ring_events) ring_.pop_front();
    }
    head_ = after;
  }
}

bool EventHub::send(Subscriber& s, const rt::EventRecord& e) {
  if (s.visible && !e.instance_id.empty()) {
    constexpr std::size_t kMaxCachedInstances = 10'000;
    auto it = s.visible_cache.find(e.instance_id);
    if (it == s.visible_cache.end()) {
      if (s.visible_cache.size() >= kMaxCachedInstances) s.visible_cache.clear();
      it = s.visible_cache.emplace(e.instance_id, s.visible(e.instance_id)).first;
    }
    if (!it->second) {  // outside the subscriber's read scope: skipped, not sent
      s.cursor = e.seq;
      return true;
    }
  }
  rt::EventRecord copy = e;
  if (e.kind == "emit") mask_json(copy.payload, mask_for_(e.instance_id));
  if (!s.stream->send(std::to_string(e.seq), e.kind, data_of(copy))) return false;
  s.cursor = e.seq;
  return true;
}

// Called with mu_ held.
void EventHub::deliver(Subscriber& s) {
  if (!s.stream->is_open()) return;
  // Behind the ring (resuming from long ago): page through the store, a bounded amount
  // per wake so one subscriber cannot monopolise the hub.
  if (s.cursor < head_ && (ring_.empty() || s.cursor + 1 < ring_.front().seq)) {
    auto page = store_.events_after(s.cursor, options_.page);
    if (!page) return;
    for (const auto& e : *page) {
      if (!send(s, e)) return;
    }
    if (!page->empty()) nudged_ = true;  // more to catch up: come back soon
    return;
  }
  if (s.cursor >= head_) return;
  auto it =
      std::lower_bound(ring_.begin(), ring_.end(), s.cursor + 1,
                       [](const rt::EventRecord& e, std::uint64_t seq) { return e.seq < seq; });
  for (; it != ring_.end(); ++it) {
    if (!send(s, *it)) return;
  }
}

}  // namespace ledgerflow::api
