// wait_until: polls a condition until it holds or a deadline passes. For tests that watch
// another thread or process reach a state; the poll interval is never a sleep standing in
// for synchronisation. Callers REQUIRE the result with a message naming what they waited
// for, so a test that times out says what never happened. Thread-safe as the condition is.
#pragma once

#include <chrono>
#include <thread>

namespace ledgerflow::test {

// True as soon as `condition()` is true; false when it still is not after `timeout`.
template <typename Condition>
bool wait_until(Condition&& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(10'000),
                std::chrono::milliseconds interval = std::chrono::milliseconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(interval);
  }
  return true;
}

}  // namespace ledgerflow::test
