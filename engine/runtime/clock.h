// Clock: the only source of "now" for the engine. The executor reads it; step() never
// does (time comes in through StepContext). Tests use FakeClock and move time by hand.
// Thread-safety: now_us() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace ledgerflow::rt {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_us() const = 0;  // µs since the Unix epoch, UTC
};

class SystemClock final : public Clock {
 public:
  std::int64_t now_us() const override {
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t start_us = 1'767'225'600'000'000)
      : now_(start_us) {}  // 2026-01-01
  std::int64_t now_us() const override { return now_.load(); }
  void advance_ms(std::int64_t ms) { now_ += ms * 1000; }
  void set_us(std::int64_t us) { now_ = us; }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace ledgerflow::rt
