// Decimal: parsing, formatting, checked arithmetic, comparison, rounding, overflow and
// the conversion of binary doubles (checked against the to_chars reference path on
// seeded random values).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "engine/expr/decimal.h"

namespace {

using ledgerflow::expr::Decimal;
using ledgerflow::expr::Int128;
using Status = Decimal::ParseStatus;

Decimal dec(const char* text) {
  Decimal d;
  const auto status = Decimal::parse(text, Decimal::Rounding::exact, &d);
  INFO("parsing " << text);
  REQUIRE(status == Status::ok);
  return d;
}

std::string str(const std::optional<Decimal>& d) {
  return d ? d->to_string() : "overflow";
}

const char* const k38Nines = "99999999999999999999999999999999999999";

}  // namespace

TEST_CASE("Decimal parses and formats exactly", "[unit][expr]") {
  const std::pair<const char*, const char*> cases[] = {
      {"0", "0"},
      {"-0", "0"},
      {"+5", "5"},
      {"12", "12"},
      {"12.10", "12.1"},
      {"12.500", "12.5"},
      {"0.05", "0.05"},
      {"-0.05", "-0.05"},
      {"1e3", "1000"},
      {"1E+2", "100"},
      {"1.5e-3", "0.0015"},
      {"1e-18", "0.000000000000000001"},
      {"100e-20", "0.000000000000000001"},
      {"0.100000000000000000000000000000", "0.1"},
      {"000123.4500", "123.45"},
      {k38Nines, k38Nines},
      {"-99999999999999999999.999999999999999999", "-99999999999999999999.999999999999999999"},
      {"12345678901234567890123456789012345678.0", "12345678901234567890123456789012345678"},
  };
  for (const auto& [in, out] : cases) {
    INFO(in);
    CHECK(dec(in).to_string() == out);
  }
  CHECK(dec("12.10").scale() == 1);  // trailing fractional zeros are dropped
  CHECK(dec("1e3").scale() == 0);
}

TEST_CASE("Decimal rejects malformed, too large and too precise text", "[unit][expr]") {
  Decimal d;
  for (const char* bad : {"", "-", "1.", ".5", "1e", "1e+", "abc", "1.2.3", "--1", "1 ", " 1",
                          "0x10", "1,5", "NaN"}) {
    INFO("'" << bad << "'");
    CHECK(Decimal::parse(bad, Decimal::Rounding::exact, &d) == Status::syntax);
  }
  CHECK(Decimal::parse("100000000000000000000000000000000000000", Decimal::Rounding::exact, &d) ==
        Status::overflow);
  CHECK(Decimal::parse("1e38", Decimal::Rounding::exact, &d) == Status::overflow);
  CHECK(Decimal::parse("1e99999999", Decimal::Rounding::exact, &d) == Status::overflow);
  CHECK(Decimal::parse("0.0000000000000000001", Decimal::Rounding::exact, &d) ==
        Status::too_precise);
  CHECK(Decimal::parse("1e-19", Decimal::Rounding::exact, &d) == Status::too_precise);
  CHECK(Decimal::parse("1e-99999999", Decimal::Rounding::exact, &d) == Status::too_precise);
}

TEST_CASE("Decimal parse rounds half-even in rounding mode", "[unit][expr]") {
  const std::pair<const char*, const char*> cases[] = {
      {"0.0000000000000000005", "0"},
      {"0.0000000000000000015", "0.000000000000000002"},
      {"0.0000000000000000025", "0.000000000000000002"},
      {"0.00000000000000000251", "0.000000000000000003"},
      {"-0.0000000000000000015", "-0.000000000000000002"},
      {"1e-99999", "0"},
      {"0.12345678901234567890123", "0.123456789012345679"},
  };
  for (const auto& [in, out] : cases) {
    Decimal d;
    INFO(in);
    REQUIRE(Decimal::parse(in, Decimal::Rounding::half_even, &d) == Status::ok);
    CHECK(d.to_string() == out);
  }
}

TEST_CASE("Decimal add and sub are exact", "[unit][expr]") {
  CHECK(str(checked_add(dec("0.1"), dec("0.2"))) == "0.3");
  CHECK(*checked_add(dec("0.1"), dec("0.2")) == dec("0.3"));
  CHECK(str(checked_add(dec("-0.5"), dec("0.25"))) == "-0.25");
  CHECK(str(checked_sub(dec("3"), dec("5"))) == "-2");
  CHECK(str(checked_sub(dec("1.000"), dec("0.999"))) == "0.001");
  CHECK(str(checked_add(dec("99999999999999999999"), dec("1"))) == "100000000000000000000");
  CHECK(str(checked_add(dec("1e36"), dec("0.000000000000000001"))) ==
        "1000000000000000000000000000000000000");
  // Fits only with fewer fractional digits: rounded half-even (documented).
  CHECK(str(checked_add(dec("10000000000000000000000000000000000000"), dec("0.5"))) ==
        "10000000000000000000000000000000000000");
  CHECK(str(checked_add(dec("10000000000000000000000000000000000001"), dec("0.5"))) ==
        "10000000000000000000000000000000000002");
  CHECK(str(checked_sub(dec(k38Nines), dec("0.000000000000000001"))) == k38Nines);
}

TEST_CASE("Decimal mul rounds beyond 18 fractional digits", "[unit][expr]") {
  CHECK(str(checked_mul(dec("12.10"), dec("3"))) == "36.3");
  CHECK(*checked_mul(dec("12.10"), dec("3")) == dec("36.30"));
  CHECK(str(checked_mul(dec("1.5"), dec("-1.5"))) == "-2.25");
  CHECK(str(checked_mul(dec("0.000000001"), dec("0.000000001"))) == "0.000000000000000001");
  CHECK(str(checked_mul(dec("0.0000000001"), dec("0.000000001"))) == "0");  // 1e-19 -> 0
  CHECK(str(checked_mul(dec("0.333333333333333333"), dec("0.333333333333333333"))) ==
        "0.111111111111111111");
  CHECK(str(checked_mul(dec("123456789012345678.123456789012345678"), dec("10"))) ==
        "1234567890123456781.23456789012345678");
  CHECK(str(checked_mul(dec("-0.5"), dec("0"))) == "0");
  CHECK_FALSE(checked_mul(dec("-0.5"), dec("0"))->is_negative());
}

TEST_CASE("Decimal div is exact or rounds half-even to 18 digits", "[unit][expr]") {
  CHECK(str(checked_div(dec("10"), dec("4"))) == "2.5");
  CHECK(str(checked_div(dec("1"), dec("3"))) == "0.333333333333333333");
  CHECK(str(checked_div(dec("2"), dec("3"))) == "0.666666666666666667");
  CHECK(str(checked_div(dec("-2"), dec("3"))) == "-0.666666666666666667");
  CHECK(str(checked_div(dec("1"), dec("-8"))) == "-0.125");
  CHECK(str(checked_div(dec("0.000000000000000001"), dec("2"))) == "0");
  CHECK(str(checked_div(dec("0.000000000000000003"), dec("2"))) == "0.000000000000000002");
  CHECK(str(checked_div(dec("1"), dec("0.000000000000000001"))) == "1000000000000000000");
  CHECK(str(checked_div(dec("36.30"), dec("12.1"))) == "3");
  CHECK(checked_div(dec("36.30"), dec("12.1"))->scale() == 0);
  CHECK(str(checked_div(dec("100000000000000000000"), dec("3"))) ==
        "33333333333333333333.333333333333333333");
  CHECK(str(checked_div(dec("1000000000000000000000"), dec("3"))) ==
        "333333333333333333333.33333333333333333");  // 38 digits: one fewer decimal
  CHECK_FALSE(checked_div(dec("1"), dec("0")).has_value());
  CHECK_FALSE(checked_div(dec(k38Nines), dec("0.1")).has_value());
  CHECK(str(checked_div(dec("0"), dec("7"))) == "0");
}

TEST_CASE("Decimal mod follows the dividend's sign", "[unit][expr]") {
  CHECK(str(checked_mod(dec("10"), dec("3"))) == "1");
  CHECK(str(checked_mod(dec("-10"), dec("3"))) == "-1");
  CHECK(str(checked_mod(dec("10"), dec("-3"))) == "1");
  CHECK(str(checked_mod(dec("5.5"), dec("2"))) == "1.5");
  CHECK(str(checked_mod(dec("1"), dec("0.3"))) == "0.1");
  CHECK(str(checked_mod(dec(k38Nines), dec("0.7"))) == str(checked_mod(dec(k38Nines), dec("0.7"))));
  CHECK(str(checked_mod(dec("10000000000000000000000000000000000000"),
                        dec("0.000000000000000003"))) == "0.000000000000000001");
  CHECK_FALSE(checked_mod(dec("1"), dec("0")).has_value());
}

TEST_CASE("Decimal overflow is reported, never wrapped", "[unit][expr]") {
  CHECK_FALSE(checked_add(dec(k38Nines), dec("1")).has_value());
  CHECK_FALSE(checked_sub(dec(k38Nines).negated(), dec("1")).has_value());
  CHECK_FALSE(checked_mul(dec(k38Nines), dec(k38Nines)).has_value());
  CHECK_FALSE(checked_mul(dec("10000000000000000000"), dec("10000000000000000000")).has_value());
  CHECK(checked_mul(dec("1000000000000000000"), dec("10000000000000000000")).has_value());
  const Int128 ten_pow_38 = Int128{10'000'000'000'000'000'000ULL} * 10'000'000'000'000'000'000ULL;
  CHECK_FALSE(Decimal::from_parts(ten_pow_38, 0).has_value());
  CHECK(Decimal::from_parts(ten_pow_38 - 1, 18).has_value());
  CHECK_FALSE(Decimal::from_parts(1, 19).has_value());
}

TEST_CASE("Decimal compares values across scales", "[unit][expr]") {
  CHECK(dec("2.50") == dec("2.5"));
  CHECK(dec("2.5") < dec("2.6"));
  CHECK(dec("-2.5") < dec("-2.49"));
  CHECK(dec("0.000000000000000001") > dec("0"));
  CHECK(dec("-0.000000000000000001") < dec("0"));
  // Aligning the scales would overflow: decided by sign and magnitude.
  CHECK(dec(k38Nines) > dec("0.5"));
  CHECK(dec(k38Nines).negated() < dec("0.5"));
  CHECK(dec("0.5") < dec(k38Nines));
  CHECK(dec("0.5") > dec(k38Nines).negated());
  CHECK(dec("99999999999999999999.999999999999999999") < dec("100000000000000000000"));
}

TEST_CASE("Decimal rounding, integers and doubles", "[unit][expr]") {
  CHECK(dec("2.5").round_half_away(0).to_string() == "3");
  CHECK(dec("-2.5").round_half_away(0).to_string() == "-3");
  CHECK(dec("2.45").round_half_away(1).to_string() == "2.5");
  CHECK(dec("2.449").round_half_away(1).to_string() == "2.4");
  CHECK(dec("1.005").round_half_away(2).to_string() == "1.01");
  CHECK(dec("7").round_half_away(2).to_string() == "7");
  CHECK(dec("0.4").round_half_away(0).to_string() == "0");
  CHECK(dec("-0.4").round_half_away(0).to_string() == "0");
  CHECK(dec("12.000").is_integer());
  CHECK_FALSE(dec("12.5").is_integer());
  CHECK(dec("12.000").to_int64() == 12);
  CHECK_FALSE(dec("12.5").to_int64().has_value());
  CHECK_FALSE(dec("9223372036854775808").to_int64().has_value());
  CHECK(dec("-9223372036854775808").to_int64() == std::numeric_limits<std::int64_t>::min());
  CHECK(dec("36.3").to_double() == 36.3);
  CHECK(dec("0.1").to_double() == 0.1);
  CHECK(dec("-5").to_double() == -5.0);
  CHECK(dec("1e20").to_double() == 1e20);
  CHECK(Decimal::from_uint64(18446744073709551615ULL).to_string() == "18446744073709551615");
  CHECK(Decimal::from_int64(std::numeric_limits<std::int64_t>::min()).to_string() ==
        "-9223372036854775808");
}

TEST_CASE("Decimal::from_double uses the shortest round-trip text", "[unit][expr]") {
  const std::pair<double, const char*> cases[] = {
      {12.1, "12.1"},
      {0.1, "0.1"},
      {0.07, "0.07"},
      {1520.75, "1520.75"},
      {-0.5, "-0.5"},
      {1e-7, "0.0000001"},
      {12.1 + 3 * 3.25, "21.85"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1e20, "100000000000000000000"},
      {1.2345678901234567e-5, "0.000012345678901235"},  // 18 fractional digits, half-even
      {5e-324, "0"},
      {9007199254740993.0, "9007199254740992"},
  };
  for (const auto& [in, out] : cases) {
    INFO(in);
    CHECK(str(Decimal::from_double(in)) == out);
  }
  CHECK_FALSE(Decimal::from_double(std::nan("")).has_value());
  CHECK_FALSE(Decimal::from_double(std::numeric_limits<double>::infinity()).has_value());
  CHECK_FALSE(Decimal::from_double(1e38).has_value());
  CHECK(Decimal::from_double(9.9e37).has_value());
}

TEST_CASE("Decimal::from_double fast path agrees with to_chars", "[unit][expr]") {
  const std::uint64_t seed = 20260301;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> money(-1e7, 1e7);
  std::uniform_int_distribution<int> cents(-100000000, 100000000);
  std::uniform_int_distribution<int> exponent(-20, 25);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    double d = 0;
    switch (i % 4) {
      case 0:
        d = money(rng);
        break;  // arbitrary doubles
      case 1:
        d = cents(rng) / 100.0;
        break;  // typical amounts
      case 2:
        d = cents(rng) / 1000.0 * std::pow(10.0, exponent(rng));
        break;
      default: {  // random bit patterns
        const std::uint64_t bits = rng();
        std::memcpy(&d, &bits, sizeof d);
        break;
      }
    }
    const auto fast = Decimal::from_double(d);
    const auto slow = Decimal::from_double_slow(d);
    REQUIRE(fast.has_value() == slow.has_value());
    if (fast) {
      INFO("value " << d);
      REQUIRE(fast->to_string() == slow->to_string());
      ++checked;
    }
  }
  CHECK(checked > 100000);
}

TEST_CASE("Decimal arithmetic matches 128-bit integers on random integers", "[unit][expr]") {
  const std::uint64_t seed = 42;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const auto a = static_cast<std::int64_t>(rng());
    const auto b = static_cast<std::int64_t>(rng()) >> (rng() % 64);
    const Decimal da = Decimal::from_int64(a);
    const Decimal db = Decimal::from_int64(b);
    CHECK(checked_add(da, db)->coefficient() == Int128{a} + b);
    CHECK(checked_sub(da, db)->coefficient() == Int128{a} - b);
    CHECK(checked_mul(da, db)->coefficient() == Int128{a} * b);
    CHECK(((da <=> db) == 0) == (a == b));
    CHECK(((da <=> db) < 0) == (a < b));
    if (b != 0) {
      CHECK(checked_mod(da, db)->coefficient() == Int128{a} % b);
      // (a / b) * b == a within half a unit of the 18th decimal of the quotient, times b.
      const Decimal q = *checked_div(da, db);
      const Decimal back = *checked_mul(q, db);
      const Decimal tolerance =
          *checked_mul(Decimal::from_int64(b < 0 ? -b : b), dec("0.000000000000000001"));
      const Decimal diff = checked_sub(back, da)->abs();
      CHECK(diff <= tolerance);
    }
  }
}
