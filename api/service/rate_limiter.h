// RateLimiter: a token bucket per user. Each user may make `burst` requests at once and
// `per_second` requests per second on average; beyond that a request is refused with the
// seconds to wait (the API answers 429 with Retry-After).
//
// Bounded: at most max_users buckets; when full, buckets idle long enough to be full again
// are dropped first (they carry no state worth keeping).
// Time comes from the engine's Clock, so tests drive it with a FakeClock.
// Thread-safety: acquire() may be called concurrently (one mutex).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "engine/runtime/clock.h"

namespace ledgerflow::api {

class RateLimiter {
 public:
  // per_second <= 0 disables limiting.
  RateLimiter(const rt::Clock& clock, double per_second, double burst,
              std::size_t max_users = 100'000);

  // 0 when the request may proceed, else the whole seconds to wait (>= 1).
  std::int64_t acquire(const std::string& user);

 private:
  struct Bucket {
    double tokens = 0;
    std::int64_t at_us = 0;
  };
  void evict_full(std::int64_t now_us);

  const rt::Clock& clock_;
  const double per_second_;
  const double burst_;
  const std::size_t max_users_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace ledgerflow::api
