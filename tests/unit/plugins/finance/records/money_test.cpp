// Money in records: decimal text <-> int64 units of 1e-4, exact both ways, and refused
// (never rounded) beyond four decimals or the records' range.
#include <catch2/catch.hpp>

#include "plugins/finance/records/decimal.h"

using namespace ledgerflow::records;

TEST_CASE("records money: 0.10 + 0.20 == 0.30 in e4, printed exactly", "[unit][records][money]") {
  const auto a = parse_decimal_e4("0.10");
  const auto b = parse_decimal_e4("0.20");
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a + *b == *parse_decimal_e4("0.30"));
  CHECK(format_e4(*a + *b) == "0.30");
}

TEST_CASE("records money: the largest amounts keep every digit; beyond is refused",
          "[unit][records][money]") {
  const auto top = parse_decimal_e4("899999999999.9999");
  REQUIRE(top);
  CHECK(format_e4(*top) == "899999999999.9999");
  CHECK(format_e4(*top + *parse_decimal_e4("0.0001")) == "900000000000.00");
  std::string why;
  CHECK_FALSE(parse_decimal_e4("1000000000000000.01", &why));
  CHECK(why == "is too large");
  CHECK_FALSE(parse_decimal_e4("0.00001", &why));
  CHECK(why == "has more than 4 decimals");
}
