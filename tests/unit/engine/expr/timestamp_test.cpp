// Timestamp parsing (the two accepted ISO 8601 forms, strictly) and UTC formatting.
#include <catch2/catch.hpp>

#include <random>

#include "engine/expr/timestamp.h"

using ledgerflow::expr::format_timestamp;
using ledgerflow::expr::kMicrosPerDay;
using ledgerflow::expr::parse_timestamp;

TEST_CASE("parse_timestamp accepts dates and zoned timestamps", "[unit][expr]") {
  CHECK(parse_timestamp("1970-01-01") == 0);
  CHECK(parse_timestamp("1970-01-01T00:00:00Z") == 0);
  CHECK(parse_timestamp("2026-03-01") == 1'772'323'200'000'000);
  CHECK(parse_timestamp("1969-12-31T23:59:59.999999Z") == -1);
  CHECK(parse_timestamp("1970-01-01T00:00:00.5Z") == 500'000);
  CHECK(parse_timestamp("1970-01-01T02:00:00+02:00") == 0);
  CHECK(parse_timestamp("1969-12-31T19:00:00-05:00") == 0);
  CHECK(parse_timestamp("2000-02-29").has_value());
  CHECK(parse_timestamp("2024-02-29").has_value());
  CHECK(parse_timestamp("0000-01-01").has_value());
  CHECK(parse_timestamp("9999-12-31T23:59:59Z").has_value());
  CHECK(*parse_timestamp("2026-03-02") - *parse_timestamp("2026-03-01") == kMicrosPerDay);
}

TEST_CASE("parse_timestamp rejects everything else", "[unit][expr]") {
  for (const char* bad : {"",
                          "2026",
                          "2026-3-01",
                          "2026-03-1",
                          "1900-02-29",
                          "2026-02-29",
                          "2026-04-31",
                          "2026-00-10",
                          "2026-13-01",
                          "2026-03-00",
                          "2026-03-01x",
                          "2026-03-01T",
                          "2026-03-01T10:00Z",
                          "2026-03-01T10:00:00",
                          "2026-03-01T10:00:00.Z",
                          "2026-03-01T10:00:00.1234567Z",
                          "2026-03-01T24:00:00Z",
                          "2026-03-01T10:60:00Z",
                          "2026-03-01T10:00:60Z",
                          "2026-03-01T10:00:00+2:00",
                          "2026-03-01T10:00:00+24:00",
                          "2026-03-01T10:00:00+0200",
                          "2026-03-01t10:00:00z",
                          "2026-03-01 10:00:00Z",
                          "2026-03-01T10:00:00ZZ",
                          "+2026-03-01"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(parse_timestamp(bad).has_value());
  }
}

TEST_CASE("format_timestamp writes ISO 8601 UTC", "[unit][expr]") {
  CHECK(format_timestamp(0) == "1970-01-01T00:00:00Z");
  CHECK(format_timestamp(-1) == "1969-12-31T23:59:59.999999Z");
  CHECK(format_timestamp(1'772'323'200'000'000) == "2026-03-01T00:00:00Z");
  CHECK(format_timestamp(1'772'323'200'123'456) == "2026-03-01T00:00:00.123456Z");
  CHECK(format_timestamp(*parse_timestamp("2024-02-29T23:59:59Z")) == "2024-02-29T23:59:59Z");
}

TEST_CASE("format and parse round-trip", "[unit][expr]") {
  const std::uint64_t seed = 7;
  INFO("seed " << seed);
  std::mt19937_64 rng(seed);
  const std::int64_t lo = *parse_timestamp("0001-01-01");
  const std::int64_t hi = *parse_timestamp("9999-12-31T23:59:59.999999Z");
  std::uniform_int_distribution<std::int64_t> dist(lo, hi);
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t t = dist(rng);
    INFO(t);
    REQUIRE(parse_timestamp(format_timestamp(t)) == t);
  }
}
