// Rng: the seeded random source of the data generators (gen-data).
//
// Why not <random>'s distributions: their algorithms are left to the standard library,
// so the same seed could give other data elsewhere. Everything here is built on
// std::mt19937_64's raw output (fixed by the standard) with stated formulas; only the
// transcendental functions (log, cos) come from libm. Same seed -> same draws.
// Never seeded from std::random_device: callers pass the seed.
// Thread-safety: none; one Rng per generating thread.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace ledgerflow::datagen {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  // [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // [lo, hi], both inclusive, by rejection (no modulo bias).
  std::int64_t uniform_int(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    std::uint64_t n = static_cast<std::uint64_t>(hi - lo) + 1;
    if (n == 0) return static_cast<std::int64_t>(engine_());  // the full 64-bit range
    std::uint64_t threshold = (0 - n) % n;
    for (;;) {
      std::uint64_t x = engine_();
      if (x >= threshold) return lo + static_cast<std::int64_t>(x % n);
    }
  }
  bool chance(double p) { return uniform() < p; }
  // Standard normal by Box-Muller (one value per call; no cached second value, so the
  // stream does not depend on call parity).
  double normal() {
    double u1 = 1.0 - uniform();  // (0, 1]
    double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * 3.14159265358979323846 * u2);
  }
  double normal(double mean, double sd) { return mean + sd * normal(); }
  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

  template <typename T>
  const T& pick(const std::vector<T>& items) {
    return items[static_cast<std::size_t>(
        uniform_int(0, static_cast<std::int64_t>(items.size()) - 1))];
  }
  // An index drawn with probability proportional to weights[i] (all >= 0, sum > 0).
  std::size_t weighted(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = uniform() * total;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;
  }
  // An independent stream for one part of the generation, so that changing how many
  // draws one part takes does not shift the data of another.
  Rng fork(std::uint64_t salt) { return Rng(engine_() ^ (salt * 0x9E3779B97F4A7C15ull)); }

 private:
  std::mt19937_64 engine_;
};

// Draws indices in proportion to fixed weights in O(log n) (a cumulative table).
class WeightedPicker {
 public:
  explicit WeightedPicker(std::span<const double> weights) {
    double total = 0;
    cumulative_.reserve(weights.size());
    for (double w : weights) cumulative_.push_back(total += w);
  }
  std::size_t pick(Rng& rng) const {
    double x = rng.uniform() * cumulative_.back();
    std::size_t lo = 0;
    std::size_t hi = cumulative_.size() - 1;
    while (lo < hi) {
      std::size_t mid = (lo + hi) / 2;
      if (x < cumulative_[mid]) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return lo;
  }

 private:
  std::vector<double> cumulative_;
};

}  // namespace ledgerflow::datagen
