// CircuitBreaker: stops calling a remote that keeps failing, so a dead model server costs
// each decision a fast, clear error instead of a timeout (and retries) per call, and the
// server gets room to recover.
//
//   closed     calls go through; `failure_threshold` consecutive failures open it
//   open       calls fail fast (unavailable: "circuit open until <time> ...") until
//              open_ms has passed on the clock
//   half-open  one call (the probe) goes through; others fail fast while it runs. The
//              probe's success closes the circuit, its failure opens it again.
//
// Time comes from an injectable rt::Clock so tests move it by hand (FakeClock).
// Why not a library: none of the project's dependencies has one, and this is ~60 lines.
// Thread-safety: every method may be called from many threads at once (one mutex).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "engine/common/result.h"
#include "engine/runtime/clock.h"

namespace ledgerflow::plugins {

class CircuitBreaker {
 public:
  struct Options {
    int failure_threshold = 5;     // consecutive failed calls, >= 1
    std::int64_t open_ms = 30000;  // how long the circuit stays open
  };

  // `what` names the remote in messages ("kserve model 'fraud' at http://...").
  CircuitBreaker(Options options, std::shared_ptr<const rt::Clock> clock, std::string what);

  // Before a call: ok to go ahead, or unavailable. Every allowed call must be followed by
  // exactly one record_success() or record_failure().
  Result<void> allow();
  void record_success();
  void record_failure(const std::string& why);

  enum class State { closed, open, half_open };
  State state() const;  // as of now (an expired open circuit reads half_open)

 private:
  Options options_;
  std::shared_ptr<const rt::Clock> clock_;
  std::string what_;
  mutable std::mutex mu_;
  int consecutive_failures_ = 0;
  bool open_ = false;  // open or half-open (half-open once now >= open_until_us_)
  std::int64_t open_until_us_ = 0;
  bool probe_in_flight_ = false;
  std::string last_failure_;
};

}  // namespace ledgerflow::plugins
