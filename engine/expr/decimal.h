// Decimal: the exact number type of the expression language. A value is
// coefficient / 10^scale with a signed coefficient of at most 38 decimal digits
// (|coefficient| < 10^38, held in 128 bits) and a scale of 0..18 fractional digits.
//
// Why our own type: money must be exact (0.1 + 0.2 == 0.3), and evaluating one
// condition has a budget of ~300 ns. Arbitrary-precision libraries (mpdecimal, GMP,
// Boost.Multiprecision's cpp_dec_float) allocate per value or are far larger than
// needed; amounts in finance never need more than 18 fractional digits, so a fixed
// 128-bit coefficient is enough, allocation-free and trivially copyable.
//
// Rounding rules (the same for every operation):
//   * +, -, * are exact when the result has at most 18 fractional digits and fits in
//     38 significant digits; * of two values whose scales add up to more than 18
//     rounds to 18 fractional digits, half-even.
//   * / is exact when the quotient terminates within 18 fractional digits, otherwise
//     it is rounded to 18 fractional digits, half-even (1/3 = 0.333333333333333333).
//   * A result whose integer part needs more than 38 digits is an overflow (nullopt),
//     never a wrapped value. If it fits only with fewer fractional digits (values
//     above ~10^20), fractional digits are rounded half-even until it fits.
//   * round_half_away() implements the display rounding used in finance (2.5 -> 3,
//     -2.5 -> -3).
//
// Thread-safety: a plain value type.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ledgerflow::expr {

__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

class Decimal {
 public:
  static constexpr int kMaxScale = 18;   // fractional digits
  static constexpr int kMaxDigits = 38;  // significant digits of the coefficient

  // How parse() treats more than kMaxScale fractional digits.
  enum class Rounding : std::uint8_t {
    exact,      // reject (ParseStatus::too_precise): literals and number()
    half_even,  // round: conversion of binary floating point data
  };
  enum class ParseStatus : std::uint8_t { ok, syntax, overflow, too_precise };

  constexpr Decimal() = default;  // zero

  static Decimal from_int64(std::int64_t value) {
    Decimal d;
    d.set(value, 0);
    return d;
  }
  static Decimal from_uint64(std::uint64_t value) {
    Decimal d;
    d.set(static_cast<Int128>(value), 0);
    return d;
  }
  // nullopt if |coefficient| >= 10^38 or scale is outside 0..18.
  static std::optional<Decimal> from_parts(Int128 coefficient, int scale);
  // Text: [+-]digits[.digits][(e|E)[+-]digits]. Trailing fractional zeros are dropped.
  static ParseStatus parse(std::string_view text, Rounding rounding, Decimal* out);
  // Converts via the shortest round-trip text of `value` (std::to_chars), so 12.1
  // becomes exactly 12.1; rounds half-even beyond 18 fractional digits. nullopt for
  // NaN, infinities and magnitudes of 10^38 and above.
  static std::optional<Decimal> from_double(double value) {
    Decimal d;
    if (!from_double(value, &d)) return std::nullopt;
    return d;
  }
  // The same, writing into *out (false where the above gives nullopt). The evaluator
  // converts data numbers straight into their destination this way: copying a freshly
  // returned Decimal with wide loads would stall store-to-load forwarding.
  static bool from_double(double value, Decimal* out);
  // The reference conversion through std::to_chars text. from_double() takes an exact
  // shortcut without text when it can and falls back to this; exposed for tests.
  static std::optional<Decimal> from_double_slow(double value);

  Int128 coefficient() const {
    return static_cast<Int128>((static_cast<UInt128>(hi_) << 64) | lo_);
  }
  int scale() const { return scale_; }
  bool is_zero() const { return lo_ == 0 && hi_ == 0; }
  bool is_negative() const { return hi_ < 0; }
  bool is_integer() const;
  // The value if it is integral and fits in int64.
  std::optional<std::int64_t> to_int64() const;
  // Nearest double (correctly rounded from the exact decimal text).
  double to_double() const;
  // Exact text without trailing fractional zeros: "36.3", "-0.5", "100".
  std::string to_string() const;

  Decimal negated() const;
  Decimal abs() const;
  // Rounds to `digits` (0..18) fractional digits, ties away from zero.
  Decimal round_half_away(int digits) const;

 private:
  void set(Int128 coefficient, int scale) {
    lo_ = static_cast<std::uint64_t>(static_cast<UInt128>(coefficient));
    hi_ = static_cast<std::int64_t>(coefficient >> 64);
    scale_ = static_cast<std::uint8_t>(scale);
  }

  std::uint64_t lo_ = 0;  // coefficient, two's complement, split so that the
  std::int64_t hi_ = 0;   // type stays 8-byte aligned (24 bytes, not 32)
  std::uint8_t scale_ = 0;
};

// Checked arithmetic: nullopt on overflow. checked_div and checked_mod also return
// nullopt when the divisor is zero (callers check is_zero() first to say which).
std::optional<Decimal> checked_add(const Decimal& a, const Decimal& b);
std::optional<Decimal> checked_sub(const Decimal& a, const Decimal& b);
std::optional<Decimal> checked_mul(const Decimal& a, const Decimal& b);
std::optional<Decimal> checked_div(const Decimal& a, const Decimal& b);
// Remainder of truncated division; the sign follows the dividend (like C's fmod).
std::optional<Decimal> checked_mod(const Decimal& a, const Decimal& b);

// Compares values, not representations: 2.50 == 2.5.
std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);
inline bool operator==(const Decimal& a, const Decimal& b) {
  return (a <=> b) == 0;
}

}  // namespace ledgerflow::expr
