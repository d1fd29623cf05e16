// UInt256: the minimal unsigned 256-bit arithmetic Decimal needs on its slow paths
// (products of two 38-digit coefficients, quotients scaled by 10^36). Internal to
// engine/expr; the fast paths in decimal.cpp stay in 128 bits.
// Thread-safety: a plain value type.
#pragma once

#include <cstdint>

#include "engine/expr/decimal.h"

namespace ledgerflow::expr {

struct UInt256 {
  std::uint64_t w[4] = {0, 0, 0, 0};  // little-endian 64-bit limbs

  static UInt256 from(UInt128 v) {
    UInt256 r;
    r.w[0] = static_cast<std::uint64_t>(v);
    r.w[1] = static_cast<std::uint64_t>(v >> 64);
    return r;
  }

  bool fits128() const { return w[2] == 0 && w[3] == 0; }
  UInt128 low128() const { return (static_cast<UInt128>(w[1]) << 64) | w[0]; }
  bool is_zero() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }

  // Full product of two 128-bit values.
  static UInt256 mul(UInt128 a, UInt128 b) {
    const std::uint64_t a0 = static_cast<std::uint64_t>(a),
                        a1 = static_cast<std::uint64_t>(a >> 64);
    const std::uint64_t b0 = static_cast<std::uint64_t>(b),
                        b1 = static_cast<std::uint64_t>(b >> 64);
    UInt256 r;
    const std::uint64_t av[2] = {a0, a1};
    const std::uint64_t bv[2] = {b0, b1};
    for (int i = 0; i < 2; ++i) {
      UInt128 carry = 0;
      for (int j = 0; j < 2; ++j) {
        const UInt128 t = static_cast<UInt128>(av[i]) * bv[j] + r.w[i + j] + carry;
        r.w[i + j] = static_cast<std::uint64_t>(t);
        carry = t >> 64;
      }
      r.w[i + 2] = static_cast<std::uint64_t>(carry);
    }
    return r;
  }

  // *this *= m; returns false on overflow (then *this is unspecified).
  bool mul_small(std::uint64_t m) {
    UInt128 carry = 0;
    for (auto& limb : w) {
      const UInt128 t = static_cast<UInt128>(limb) * m + carry;
      limb = static_cast<std::uint64_t>(t);
      carry = t >> 64;
    }
    return carry == 0;
  }

  // *this /= d; returns the remainder. d != 0.
  std::uint64_t divmod_small(std::uint64_t d) {
    UInt128 rem = 0;
    for (int i = 3; i >= 0; --i) {
      const UInt128 cur = (rem << 64) | w[i];
      w[i] = static_cast<std::uint64_t>(cur / d);
      rem = cur % d;
    }
    return static_cast<std::uint64_t>(rem);
  }

  bool add(const UInt256& o) {
    UInt128 carry = 0;
    for (int i = 0; i < 4; ++i) {
      const UInt128 t = static_cast<UInt128>(w[i]) + o.w[i] + carry;
      w[i] = static_cast<std::uint64_t>(t);
      carry = t >> 64;
    }
    return carry == 0;
  }

  // *this -= o; requires *this >= o.
  void sub(const UInt256& o) {
    std::uint64_t borrow = 0;
    for (int i = 0; i < 4; ++i) {
      const std::uint64_t x = w[i];
      const std::uint64_t y = o.w[i];
      const std::uint64_t d1 = x - y;
      const std::uint64_t b1 = x < y ? 1 : 0;
      const std::uint64_t d2 = d1 - borrow;
      const std::uint64_t b2 = d1 < borrow ? 1 : 0;
      w[i] = d2;
      borrow = b1 | b2;
    }
  }

  int compare(const UInt256& o) const {
    for (int i = 3; i >= 0; --i) {
      if (w[i] != o.w[i]) return w[i] < o.w[i] ? -1 : 1;
    }
    return 0;
  }

  void shift_left1() {
    for (int i = 3; i > 0; --i) w[i] = (w[i] << 1) | (w[i - 1] >> 63);
    w[0] <<= 1;
  }
  bool bit(int i) const { return (w[i / 64] >> (i % 64)) & 1U; }
  void set_bit(int i) { w[i / 64] |= std::uint64_t{1} << (i % 64); }

  int bit_length() const {
    for (int i = 3; i >= 0; --i) {
      if (w[i] != 0) return i * 64 + 64 - __builtin_clzll(w[i]);
    }
    return 0;
  }

  // Schoolbook binary long division: slow (one pass per bit) but only used when an
  // operand does not fit in 128 bits. d != 0.
  static void divmod(const UInt256& n, const UInt256& d, UInt256* q, UInt256* r) {
    UInt256 quot;
    UInt256 rem;
    for (int i = n.bit_length() - 1; i >= 0; --i) {
      rem.shift_left1();
      if (n.bit(i)) rem.w[0] |= 1;
      if (rem.compare(d) >= 0) {
        rem.sub(d);
        quot.set_bit(i);
      }
    }
    *q = quot;
    *r = rem;
  }
};

}  // namespace ledgerflow::expr
