#include "api/service/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace ledgerflow::api {

RateLimiter::RateLimiter(const rt::Clock& clock, double per_second, double burst,
                         std::size_t max_users)
    : clock_(clock),
      per_second_(per_second),
      burst_(std::max(1.0, burst)),
      max_users_(std::max<std::size_t>(1, max_users)) {}

std::int64_t RateLimiter::acquire(const std::string& user) {
  if (per_second_ <= 0) return 0;
  const std::int64_t now = clock_.now_us();
  std::lock_guard lock(mu_);
  auto it = buckets_.find(user);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_users_) evict_full(now);
    it = buckets_.emplace(user, Bucket{burst_, now}).first;
  }
  Bucket& b = it->second;
  const double elapsed_s = static_cast<double>(std::max<std::int64_t>(0, now - b.at_us)) / 1e6;
  b.tokens = std::min(burst_, b.tokens + elapsed_s * per_second_);
  b.at_us = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  const double wait_s = (1.0 - b.tokens) / per_second_;
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait_s)));
}

void RateLimiter::evict_full(std::int64_t now_us) {
  const double refill_us = burst_ / per_second_ * 1e6;
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const bool full = static_cast<double>(now_us - it->second.at_us) >= refill_us;
    it = full ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() >= max_users_) buckets_.erase(buckets_.begin());  // still full: any one
}

}  // namespace ledgerflow::api
