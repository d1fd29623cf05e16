// EventHub: fans the store's durable change feed (the events table) out to server-sent
// event streams (GET /v1/events).
//
// One thread follows the feed: it wakes on nudge() (after the API's own writes) or every
// poll interval (changes made by timers and effects), reads new events in pages and keeps
// the most recent ones in a bounded ring. Each subscriber has its own cursor; it is sent
// every event after its cursor, in seq order, from the ring — or from the store when it
// resumes from further back (Last-Event-ID) — so a reconnect misses nothing.
//
// A subscriber is never allowed to stall the hub: SseStream::send never blocks, and a
// client whose queue overflows is dropped by the stream (it reconnects with its
// Last-Event-ID). The number of subscribers is capped.
// Thread-safety: every public method may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "api/http/sse_stream.h"
#include "engine/runtime/store.h"

namespace ledgerflow::api {

struct EventHubOptions {
  std::size_t max_subscribers = 256;
  std::size_t max_per_user = 8;  // one user cannot take every stream
  std::size_t ring_events = 10'000;  // recent events kept for subscribers to catch up
  std::size_t page = 500;            // events read from the store at a time
  int poll_ms = 100;                 // how often the feed is read without a nudge
};

class EventHub {
 public:
  // `mask_for(workflow)` gives the sensitive keys of a workflow's instances.
  using MaskFn = std::function<std::set<std::string>(const std::string& instance_id)>;

  EventHub(rt::Store& store, MaskFn mask_for, EventHubOptions options = {});
  ~EventHub();
  EventHub(const EventHub&) = delete;
  EventHub& operator=(const EventHub&) = delete;

  // Adds a stream that receives every event with seq > after_seq (nullopt: only events
  // from now on) for `user`. unavailable when max_subscribers are connected, or when
  // `user` already has max_per_user streams open.
  // `visible(instance_id)`, when given, says whether this subscriber may read an
  // instance's events (its read scope); others are skipped. Answers are cached per
  // subscriber (bounded), so it is asked about each instance about once.
  using VisibleFn = std::function<bool(const std::string& instance_id)>;
  Result<void> subscribe(std::shared_ptr<http::SseStream> stream,
                         std::optional<std::uint64_t> after_seq, const std::string& user = {},
                         VisibleFn visible = {});
  // Open streams of `user`.
  std::size_t subscribers_of(const std::string& user) const;
  // Wakes the follower now (something was just committed).
  void nudge();
  // The seq of the newest event read so far.
  std::uint64_t head() const;
  std::size_t subscribers() const;
  // The SSE lines of one event: (id, event name, JSON data).
  static std::string data_of(const rt::EventRecord& e);

 private:
  struct Subscriber {
    std::shared_ptr<http::SseStream> stream;
    std::uint64_t cursor = 0;
    std::string user;
    VisibleFn visible;
    std::unordered_map<std::string, bool> visible_cache;
  };
  void run();
  void read_new();
  void deliver(Subscriber& s);
  bool send(Subscriber& s, const rt::EventRecord& e);

  rt::Store& store_;
  MaskFn mask_for_;
  const EventHubOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  bool nudged_ = false;
  std::uint64_t head_ = 0;
  std::deque<rt::EventRecord> ring_;
  std::vector<Subscriber> subscribers_;
  std::thread thread_;
};

}  // namespace ledgerflow::api
