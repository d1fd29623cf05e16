#include "plugins/kserve/circuit_breaker.h"

#include <algorithm>
#include <utility>

#include "engine/expr/timestamp.h"

namespace ledgerflow::plugins {

CircuitBreaker::CircuitBreaker(Options options, std::shared_ptr<const rt::Clock> clock,
                               std::string what)
    : options_(options), clock_(std::move(clock)), what_(std::move(what)) {
  options_.failure_threshold = std::max(1, options_.failure_threshold);
  options_.open_ms = std::max<std::int64_t>(1, options_.open_ms);
}

Result<void> CircuitBreaker::allow() {
  std::lock_guard lock(mu_);
  if (!open_) return {};
  if (clock_->now_us() < open_until_us_) {
    return Error{ErrorCode::unavailable, what_ + ": circuit open until " +
                                             expr::format_timestamp(open_until_us_) + " after " +
                                             std::to_string(consecutive_failures_) +
                                             " consecutive failures; last: " + last_failure_};
  }
  if (probe_in_flight_) {
    return Error{
        ErrorCode::unavailable,
        what_ + ": circuit half-open, a probe call is in flight; last failure: " + last_failure_};
  }
  probe_in_flight_ = true;
  return {};
}

void CircuitBreaker::record_success() {
  std::lock_guard lock(mu_);
  consecutive_failures_ = 0;
  open_ = false;
  probe_in_flight_ = false;
}

void CircuitBreaker::record_failure(const std::string& why) {
  std::lock_guard lock(mu_);
  last_failure_ = why;
  ++consecutive_failures_;
  // A failed probe re-opens at once; a closed circuit opens at the threshold.
  if (probe_in_flight_ || consecutive_failures_ >= options_.failure_threshold) {
    open_ = true;
    open_until_us_ = clock_->now_us() + options_.open_ms * 1000;
  }
  probe_in_flight_ = false;
}

CircuitBreaker::State CircuitBreaker::state() const {
  std::lock_guard lock(mu_);
  if (!open_) return State::closed;
  return clock_->now_us() < open_until_us_ ? State::open : State::half_open;
}

}  // namespace ledgerflow::plugins
