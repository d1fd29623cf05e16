#include "engine/expr/decimal.h"

#include <array>
#include <charconv>
#include <cmath>

#include "engine/expr/uint256.h"

namespace ledgerflow::expr {
namespace {

constexpr std::array<UInt128, 39> kPow10 = [] {
  std::array<UInt128, 39> table{};
  UInt128 v = 1;
  for (auto& entry : table) {
    entry = v;
    v *= 10;
  }
  return table;
}();
constexpr UInt128 kLimit = kPow10[Decimal::kMaxDigits];  // exclusive bound on |coefficient|
constexpr int kMaxParseDigits = 76;                      // keeps parsed magnitudes < 2^253

std::uint64_t pow10_u64(int k) {
  return static_cast<std::uint64_t>(kPow10[k]);
}  // k <= 19

UInt128 magnitude(Int128 c) {
  return c < 0 ? -static_cast<UInt128>(c) : static_cast<UInt128>(c);
}
bool in_range(Int128 c) {
  return c > -static_cast<Int128>(kLimit) && c < static_cast<Int128>(kLimit);
}
bool fits(const UInt256& m) {
  return m.fits128() && m.low128() < kLimit;
}

// Multiplies by 10^k (any k >= 0); false on overflow.
bool mul_pow10(UInt256* m, int k) {
  while (k > 0) {
    const int step = k < 19 ? k : 19;
    if (!m->mul_small(pow10_u64(step))) return false;
    k -= step;
  }
  return true;
}

enum class Mode { half_even, half_away };

// Removes k >= 1 trailing digits from *m, rounding. `sticky` says that the exact value
// has a nonzero tail below the last digit of *m (e.g. a division remainder).
void round_off(UInt256* m, int k, bool sticky, Mode mode) {
  bool rest_nonzero = sticky;
  for (int left = k - 1; left > 0;) {
    const int step = left < 19 ? left : 19;
    if (m->divmod_small(pow10_u64(step)) != 0) rest_nonzero = true;
    left -= step;
  }
  const std::uint64_t last = m->divmod_small(10);
  bool up = false;
  if (mode == Mode::half_away) {
    up = last >= 5;
  } else {
    up = last > 5 || (last == 5 && (rest_nonzero || (m->w[0] & 1U) != 0));
  }
  if (up) m->add(UInt256::from(1));
}

std::optional<Decimal> make(UInt128 mag, bool negative, int scale) {
  const Int128 c = negative ? -static_cast<Int128>(mag) : static_cast<Int128>(mag);
  return Decimal::from_parts(c, scale);
}

// Brings an exact (or sticky-inexact) magnitude at `scale` into range: at most 18
// fractional digits, at most 38 significant digits; rounds half-even, once.
std::optional<Decimal> finish(UInt256 mag, bool sticky, int scale, bool negative) {
  int k = scale > Decimal::kMaxScale ? scale - Decimal::kMaxScale : 0;
  if (scale > Decimal::kMaxScale + 2 * Decimal::kMaxDigits) return Decimal{};  // < 10^-19
  UInt256 trial = mag;
  for (int i = 0; i < k;) {
    const int step = k - i < 19 ? k - i : 19;
    trial.divmod_small(pow10_u64(step));
    i += step;
  }
  while (!fits(trial)) {
    if (k >= scale) return std::nullopt;  // the integer part alone is too large
    trial.divmod_small(10);
    ++k;
  }
  if (k > 0) {
    round_off(&mag, k, sticky, Mode::half_even);
    scale -= k;
  }
  if (!fits(mag)) {  // rounding carried up to exactly 10^38
    if (scale == 0) return std::nullopt;
    mag.divmod_small(10);
    --scale;
  }
  return make(mag.low128(), negative && !mag.is_zero(), scale);
}

// Drops trailing fractional zeros.
Decimal normalized(Int128 c, int scale) {
  if (c >= INT64_MIN && c <= INT64_MAX) {
    auto small = static_cast<std::int64_t>(c);
    while (scale > 0 && small % 10 == 0) {
      small /= 10;
      --scale;
    }
    c = small;
  } else {
    while (scale > 0 && c % 10 == 0) {
      c /= 10;
      --scale;
    }
  }
  return *Decimal::from_parts(c, scale);
}

std::string u128_to_string(UInt128 v) {
  char buf[48];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  } while (v != 0);
  return std::string(p, end);
}

std::optional<Decimal> add_slow(const Decimal& a, const Decimal& b, bool negate_b) {
  const int s = a.scale() > b.scale() ? a.scale() : b.scale();
  UInt256 ma = UInt256::from(magnitude(a.coefficient()));
  UInt256 mb = UInt256::from(magnitude(b.coefficient()));
  mul_pow10(&ma, s - a.scale());  // cannot overflow: < 10^56
  mul_pow10(&mb, s - b.scale());
  const bool na = a.is_negative();
  const bool nb = b.is_negative() != negate_b && !b.is_zero();
  if (na == nb) {
    ma.add(mb);
    return finish(ma, false, s, na);
  }
  if (ma.compare(mb) >= 0) {
    ma.sub(mb);
    return finish(ma, false, s, na);
  }
  mb.sub(ma);
  return finish(mb, false, s, nb);
}

// Scales the coefficient of the operand with the smaller scale; false on overflow.
bool align(const Decimal& a, const Decimal& b, Int128* ca, Int128* cb, int* scale) {
  *ca = a.coefficient();
  *cb = b.coefficient();
  *scale = a.scale();
  if (a.scale() < b.scale()) {
    *scale = b.scale();
    return !__builtin_mul_overflow(*ca, static_cast<Int128>(kPow10[b.scale() - a.scale()]), ca);
  }
  if (b.scale() < a.scale()) {
    return !__builtin_mul_overflow(*cb, static_cast<Int128>(kPow10[a.scale() - b.scale()]), cb);
  }
  return true;
}

// Fast path of from_double: the fewest fractional digits k (1..15) for which a decimal
// n / 10^k converts back to exactly `value`. That is the shortest round-trip text
// std::to_chars would print: |n| < 2^50 keeps 10^-k at least 4 ulps wide, so at most one
// k-digit decimal rounds to `value`, and k is searched upwards. Both n and 10^k are
// exact doubles and IEEE division rounds correctly, so the check is exact.
// (decimal_test compares it with the to_chars path on many random values.)
bool from_double_fast(double value, std::int64_t* coefficient, int* scale) {
  static constexpr double kPow10d[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  constexpr double kMaxN = 1125899906842624.0;  // 2^50
  for (int k = 1; k <= 15; ++k) {
    const double scaled = std::nearbyint(value * kPow10d[k]);
    if (std::fabs(scaled) >= kMaxN) return false;
    if (scaled / kPow10d[k] == value) {
      *coefficient = static_cast<std::int64_t>(scaled);
      *scale = k;
      return true;
    }
  }
  return false;
}

// Fast path of parse: [+-]digits[.digits] with at most 18 digits, no exponent.
bool parse_short(std::string_view text, Decimal* out) {
  std::size_t i = 0;
  const bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) ++i;
  std::uint64_t v = 0;
  int digits = 0;
  int scale = 0;
  bool seen_point = false;
  bool any = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      if (++digits > 18) return false;
      v = v * 10 + static_cast<std::uint64_t>(c - '0');
      any = true;
      if (seen_point) ++scale;
    } else if (c == '.' && !seen_point && any) {
      seen_point = true;
      any = false;  // a digit must follow the point
    } else {
      return false;
    }
  }
  if (!any) return false;
  while (scale > 0 && v % 10 == 0) {
    v /= 10;
    --scale;
  }
  const auto c = static_cast<Int128>(v);
  *out = *Decimal::from_parts(negative ? -c : c, scale);
  return true;
}

}  // namespace

std::optional<Decimal> Decimal::from_parts(Int128 coefficient, int scale) {
  if (!in_range(coefficient) || scale < 0 || scale > kMaxScale) return std::nullopt;
  Decimal d;
  d.set(coefficient, scale);
  return d;
}

Decimal::ParseStatus Decimal::parse(std::string_view text, Rounding rounding, Decimal* out) {
  if (parse_short(text, out)) return ParseStatus::ok;
  std::size_t i = 0;
  const std::size_t n = text.size();
  bool negative = false;
  if (i < n && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  UInt256 mag;
  int sig_digits = 0;
  int frac_digits = 0;
  auto push = [&](int zeros_before, int digit) {
    if (mag.is_zero() && digit == 0) return true;  // leading zero
    sig_digits += zeros_before + 1;
    if (sig_digits > kMaxParseDigits) return false;
    mul_pow10(&mag, zeros_before + 1);
    mag.add(UInt256::from(static_cast<UInt128>(digit)));
    return true;
  };
  const std::size_t int_start = i;
  for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
    if (!push(0, text[i] - '0')) return ParseStatus::overflow;
  }
  if (i == int_start) return ParseStatus::syntax;
  if (i < n && text[i] == '.') {
    ++i;
    const std::size_t frac_start = i;
    int pending_zeros = 0;  // trailing fractional zeros do not change the value
    for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (text[i] == '0') {
        ++pending_zeros;
        continue;
      }
      if (!push(mag.is_zero() ? 0 : pending_zeros, text[i] - '0')) {
        return rounding == Rounding::exact ? ParseStatus::too_precise : ParseStatus::overflow;
      }
      frac_digits += pending_zeros + 1;
      pending_zeros = 0;
    }
    if (i == frac_start) return ParseStatus::syntax;
  }
  long exponent = 0;
  if (i < n && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < n && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    const std::size_t exp_start = i;
    for (; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
    }
    if (i == exp_start) return ParseStatus::syntax;
    if (exp_negative) exponent = -exponent;
  }
  if (i != n) return ParseStatus::syntax;
  if (mag.is_zero()) {
    *out = Decimal{};
    return ParseStatus::ok;
  }
  long scale = frac_digits - exponent;
  if (scale < 0) {
    if (-scale > kMaxParseDigits || !mul_pow10(&mag, static_cast<int>(-scale))) {
      return ParseStatus::overflow;
    }
    scale = 0;
  }
  while (scale > 0) {  // e.g. 100e-20: zeros of the integer part made fractional
    UInt256 shorter = mag;
    if (shorter.divmod_small(10) != 0) break;
    mag = shorter;
    --scale;
  }
  if (rounding == Rounding::exact) {
    if (scale > kMaxScale) return ParseStatus::too_precise;
    if (!fits(mag)) return ParseStatus::overflow;
    *out = *make(mag.low128(), negative, static_cast<int>(scale));
    return ParseStatus::ok;
  }
  if (scale > kMaxScale + 2 * kMaxDigits) {
    *out = Decimal{};
    return ParseStatus::ok;
  }
  auto result = finish(mag, false, static_cast<int>(scale), negative);
  if (!result) return ParseStatus::overflow;
  *out = *result;
  return ParseStatus::ok;
}

bool Decimal::from_double(double value, Decimal* out) {
  if (!std::isfinite(value)) return false;
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {  // 2^53
    out->set(static_cast<std::int64_t>(value), 0);
    return true;
  }
  std::int64_t coefficient = 0;
  int scale = 0;
  if (from_double_fast(value, &coefficient, &scale)) {
    out->set(coefficient, scale);
    return true;
  }
  auto slow = from_double_slow(value);
  if (slow) *out = *slow;
  return slow.has_value();
}

std::optional<Decimal> Decimal::from_double_slow(double value) {
  if (!std::isfinite(value)) return std::nullopt;
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  Decimal d;
  if (parse(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)), Rounding::half_even,
            &d) != ParseStatus::ok) {
    return std::nullopt;
  }
  return d;
}

bool Decimal::is_integer() const {
  return scale_ == 0 || magnitude(coefficient()) % kPow10[scale_] == 0;
}

std::optional<std::int64_t> Decimal::to_int64() const {
  if (!is_integer()) return std::nullopt;
  const Int128 v = coefficient() / static_cast<Int128>(kPow10[scale_]);
  if (v < INT64_MIN || v > INT64_MAX) return std::nullopt;
  return static_cast<std::int64_t>(v);
}

double Decimal::to_double() const {
  if (scale_ == 0 && hi_ == (static_cast<std::int64_t>(lo_) >> 63)) {
    return static_cast<double>(static_cast<std::int64_t>(lo_));
  }
  const std::string text = to_string();
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

std::string Decimal::to_string() const {
  std::string digits = u128_to_string(magnitude(coefficient()));
  if (scale_ > 0) {
    if (digits.size() <= scale_) digits.insert(0, scale_ + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale_, 1, '.');
    while (digits.back() == '0') digits.pop_back();
    if (digits.back() == '.') digits.pop_back();
  }
  if (is_negative()) digits.insert(0, 1, '-');
  return digits;
}

Decimal Decimal::negated() const {
  Decimal d;
  d.set(-coefficient(), scale_);  // the range is symmetric, so this cannot overflow
  return d;
}

Decimal Decimal::abs() const {
  return is_negative() ? negated() : *this;
}

Decimal Decimal::round_half_away(int digits) const {
  if (digits < 0) digits = 0;
  if (digits >= scale_) return *this;
  UInt256 mag = UInt256::from(magnitude(coefficient()));
  round_off(&mag, scale_ - digits, false, Mode::half_away);
  return *make(mag.low128(), is_negative() && !mag.is_zero(), digits);
}

std::optional<Decimal> checked_add(const Decimal& a, const Decimal& b) {
  Int128 ca = 0;
  Int128 cb = 0;
  Int128 r = 0;
  int scale = 0;
  if (align(a, b, &ca, &cb, &scale) && !__builtin_add_overflow(ca, cb, &r) && in_range(r)) {
    return Decimal::from_parts(r, scale);
  }
  return add_slow(a, b, false);
}

std::optional<Decimal> checked_sub(const Decimal& a, const Decimal& b) {
  Int128 ca = 0;
  Int128 cb = 0;
  Int128 r = 0;
  int scale = 0;
  if (align(a, b, &ca, &cb, &scale) && !__builtin_sub_overflow(ca, cb, &r) && in_range(r)) {
    return Decimal::from_parts(r, scale);
  }
  return add_slow(a, b, true);
}

std::optional<Decimal> checked_mul(const Decimal& a, const Decimal& b) {
  const int scale = a.scale() + b.scale();
  Int128 r = 0;
  if (scale <= Decimal::kMaxScale &&
      !__builtin_mul_overflow(a.coefficient(), b.coefficient(), &r) && in_range(r)) {
    return Decimal::from_parts(r, scale);
  }
  const UInt256 mag = UInt256::mul(magnitude(a.coefficient()), magnitude(b.coefficient()));
  return finish(mag, false, scale, a.is_negative() != b.is_negative());
}

std::optional<Decimal> checked_div(const Decimal& a, const Decimal& b) {
  if (b.is_zero()) return std::nullopt;
  if (a.is_zero()) return Decimal{};
  const bool negative = a.is_negative() != b.is_negative();
  const UInt128 divisor = magnitude(b.coefficient());
  UInt256 num = UInt256::from(magnitude(a.coefficient()));
  mul_pow10(&num, Decimal::kMaxScale + b.scale() - a.scale());  // < 10^74: no overflow
  UInt256 q;
  UInt128 rem = 0;
  if (num.fits128()) {
    q = UInt256::from(num.low128() / divisor);
    rem = num.low128() % divisor;
  } else {
    UInt256 r;
    UInt256::divmod(num, UInt256::from(divisor), &q, &r);
    rem = r.low128();
  }
  if (!fits(q)) {
    auto result = finish(q, rem != 0, Decimal::kMaxScale, negative);
    if (!result) return std::nullopt;
    return normalized(result->coefficient(), result->scale());
  }
  UInt128 mag = q.low128();
  int scale = Decimal::kMaxScale;
  const UInt128 twice = rem * 2;  // rem < divisor < 2^127
  if (twice > divisor || (twice == divisor && (mag & 1U) != 0)) ++mag;
  if (mag == kLimit) {
    mag /= 10;
    --scale;
  }
  const Int128 c = negative ? -static_cast<Int128>(mag) : static_cast<Int128>(mag);
  return normalized(c, scale);
}

std::optional<Decimal> checked_mod(const Decimal& a, const Decimal& b) {
  if (b.is_zero()) return std::nullopt;
  Int128 ca = 0;
  Int128 cb = 0;
  int scale = 0;
  if (align(a, b, &ca, &cb, &scale)) return Decimal::from_parts(ca % cb, scale);
  UInt256 ma = UInt256::from(magnitude(a.coefficient()));
  UInt256 mb = UInt256::from(magnitude(b.coefficient()));
  mul_pow10(&ma, scale - a.scale());
  mul_pow10(&mb, scale - b.scale());
  UInt256 q;
  UInt256 r;
  UInt256::divmod(ma, mb, &q, &r);
  return make(r.low128(), a.is_negative() && !r.is_zero(), scale);  // r < min(|a|, |b|)
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
  Int128 ca = a.coefficient();
  Int128 cb = b.coefficient();
  if (a.scale() < b.scale()) {
    if (__builtin_mul_overflow(ca, static_cast<Int128>(kPow10[b.scale() - a.scale()]), &ca)) {
      return a.is_negative() ? std::strong_ordering::less : std::strong_ordering::greater;
    }
  } else if (b.scale() < a.scale()) {
    if (__builtin_mul_overflow(cb, static_cast<Int128>(kPow10[a.scale() - b.scale()]), &cb)) {
      return b.is_negative() ? std::strong_ordering::greater : std::strong_ordering::less;
    }
  }
  return ca <=> cb;
}

}  // namespace ledgerflow::expr
