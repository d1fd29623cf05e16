// The building blocks of record import: exact e4 decimals, the strict CSV reader, and the
// ISO code and IBAN checks.
#include <catch2/catch.hpp>

#include "plugins/finance/records/csv.h"
#include "plugins/finance/records/decimal.h"
#include "plugins/finance/records/iso_codes.h"

using namespace ledgerflow;
using namespace ledgerflow::records;

TEST_CASE("decimal: plain decimals with up to four decimals parse exactly", "[unit][records]") {
  CHECK(parse_decimal_e4("1234.5") == 12'345'000);
  CHECK(parse_decimal_e4("12.3456") == 123'456);
  CHECK(parse_decimal_e4("12.3400") == 123'400);
  CHECK(parse_decimal_e4("+7") == 70'000);
  CHECK(parse_decimal_e4("-0.5") == -5'000);
  CHECK(parse_decimal_e4("-0.25") == -2'500);
  CHECK(parse_decimal_e4("0") == 0);
  CHECK(parse_decimal_e4(".5") == 5'000);
  CHECK(parse_decimal_e4("007.10") == 71'000);
  // Trailing zeros beyond the fourth decimal change nothing.
  CHECK(parse_decimal_e4("1.000000") == 10'000);
  CHECK(parse_decimal_e4("900000000000") == 900'000'000'000 * kE4);
}

TEST_CASE("decimal: anything that would be rounded or guessed is refused with a reason",
          "[unit][records]") {
  auto refused = [](const char* text, const char* reason) {
    std::string why;
    INFO(text);
    CHECK_FALSE(parse_decimal_e4(text, &why).has_value());
    CHECK_THAT(why, Catch::Contains(reason));
  };
  refused("12.34567", "more than 4 decimals");
  refused("0.00001", "more than 4 decimals");
  refused("1e3", "plain decimal");
  refused("1E3", "plain decimal");
  refused("1,000", "plain decimal");
  refused("1 000", "plain decimal");
  refused(" 12", "not a decimal");
  refused("12 ", "plain decimal");
  refused("", "not a decimal");
  refused("-", "not a decimal");
  refused("+", "not a decimal");
  refused(".", "nothing after the point");
  refused("5.", "nothing after the point");
  refused("NaN", "not a decimal");
  refused("inf", "not a decimal");
  refused("0x10", "plain decimal");
  refused("1.2.3", "plain decimal");
  refused("--1", "not a decimal");
  refused("900000000001", "too large");
  refused("99999999999999999999999", "too large");
  // The reason is optional.
  CHECK_FALSE(parse_decimal_e4("abc").has_value());
}

TEST_CASE("decimal: format_e4 keeps two decimals and round-trips through parsing",
          "[unit][records]") {
  CHECK(format_e4(0) == "0.00");
  CHECK(format_e4(12'345'000) == "1234.50");
  CHECK(format_e4(123'456) == "12.3456");
  CHECK(format_e4(123'450) == "12.345");
  CHECK(format_e4(1) == "0.0001");
  CHECK(format_e4(-5'000) == "-0.50");
  CHECK(format_e4(-1) == "-0.0001");
  CHECK(format_e4(INT64_MIN) == "-922337203685477.5808");
  for (std::int64_t v :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{-1}, std::int64_t{99}, std::int64_t{10'000},
        std::int64_t{123'456'789}, -kMaxAbsE4, kMaxAbsE4, std::int64_t{-12'345'678}}) {
    INFO(v);
    CHECK(parse_decimal_e4(format_e4(v)) == v);
  }
  CHECK(e4_to_double(123'400) == Approx(12.34));
}

TEST_CASE("decimal: double_to_e4 takes JSON numbers with at most four decimals",
          "[unit][records]") {
  CHECK(double_to_e4(12.34) == 123'400);
  CHECK(double_to_e4(0.1) == 1'000);
  CHECK(double_to_e4(0.1 + 0.2) == 3'000);  // binary noise is not a fifth decimal
  CHECK(double_to_e4(-0.5) == -5'000);
  CHECK(double_to_e4(1234.5678) == 12'345'678);
  CHECK(double_to_e4(99'999'999.9999) == 999'999'999'999);
  CHECK(double_to_e4(0.0) == 0);
  CHECK_FALSE(double_to_e4(12.34567).has_value());
  CHECK_FALSE(double_to_e4(0.00001).has_value());
  // A fifth decimal is refused for large amounts too (not only near zero).
  CHECK_FALSE(double_to_e4(1234.56789).has_value());
  CHECK_FALSE(double_to_e4(100.00005).has_value());
  CHECK_FALSE(double_to_e4(1'000'000.12345).has_value());
  CHECK_FALSE(double_to_e4(std::nan("")).has_value());
  CHECK_FALSE(double_to_e4(INFINITY).has_value());
  CHECK_FALSE(double_to_e4(1e18).has_value());
}

TEST_CASE("csv: fields, quotes, doubled quotes, CRLF and a BOM", "[unit][records]") {
  const std::string text =
      "\xEF\xBB\xBF"
      "a,b,c\r\n"
      "1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
      ",,\r\n"
      "\"\",plain,\"\"\"\"\r\n";
  auto t = parse_csv(text, "t.csv", 100);
  REQUIRE(t.ok());
  CHECK(t->header == std::vector<std::string>{"a", "b", "c"});  // the BOM is not in "a"
  REQUIRE(t->rows.size() == 3);
  CHECK(t->rows[0].fields == std::vector<std::string>{"1", "x, y", "say \"hi\""});
  CHECK(t->rows[0].line == 2);
  CHECK(t->rows[1].fields == std::vector<std::string>{"", "", ""});
  CHECK(t->rows[2].fields == std::vector<std::string>{"", "plain", "\""});
  CHECK(t->rows[2].line == 4);
}

TEST_CASE("csv: a quoted field over several lines keeps the line numbers right",
          "[unit][records]") {
  const std::string text =
      "id,note\n"
      "1,\"first\nsecond\r\nthird\"\n"
      "\n"  // a blank line carries no record but still counts
      "2,after\n"
      "3,last";  // no newline at the end
  auto t = parse_csv(text, "t.csv", 100);
  REQUIRE(t.ok());
  REQUIRE(t->rows.size() == 3);
  CHECK(t->rows[0].line == 2);
  CHECK(t->rows[0].fields[1] == "first\nsecond\r\nthird");
  CHECK(t->rows[1].line == 6);
  CHECK(t->rows[1].fields == std::vector<std::string>{"2", "after"});
  CHECK(t->rows[2].line == 7);
  CHECK(t->rows[2].fields == std::vector<std::string>{"3", "last"});
}

TEST_CASE("csv: a row with another number of fields is kept for the caller", "[unit][records]") {
  auto t = parse_csv("a,b\n1\n1,2,3\n", "t.csv", 100);
  REQUIRE(t.ok());
  REQUIRE(t->rows.size() == 2);
  CHECK(t->rows[0].fields.size() == 1);
  CHECK(t->rows[1].fields.size() == 3);
}

TEST_CASE("csv: broken input is refused naming the source and the line", "[unit][records]") {
  auto refused = [](const std::string& text, const char* line, const char* what) {
    auto t = parse_csv(text, "bad.csv", 100);
    INFO(text);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().code == ErrorCode::invalid_argument);
    CHECK_THAT(t.error().message, Catch::StartsWith(std::string("bad.csv: ") + line));
    CHECK_THAT(t.error().message, Catch::Contains(what));
  };
  // The unterminated quote is reported at the line it opens on, not at the end of the file.
  refused("a,b\n1,2\n3,\"never closed\n4,5\n6,7\n", "line 3", "never closed");
  refused("a,b\n1,\"x\"y\n", "line 2", "text after the closing quote");
  refused("a,b\n1,ab\"c\n", "line 2", "a quote inside an unquoted field");
  refused(std::string("a,b\n1,x\0y\n", 10), "line 2", "NUL");
  refused(std::string("a,b\n1,\"x\0y\"\n", 12), "line 2", "NUL");
  refused("a,b\n1,2\rx,y\n", "line 2", "carriage return");
  refused("\n1,2\n", "line 1", "header row is empty");
  auto empty = parse_csv("", "bad.csv", 100);
  REQUIRE_FALSE(empty.ok());
  CHECK_THAT(empty.error().message, Catch::Contains("empty file"));
  auto bom_only = parse_csv("\xEF\xBB\xBF", "bad.csv", 100);
  REQUIRE_FALSE(bom_only.ok());
}

TEST_CASE("csv: max_rows bounds the data rows (the header and blank lines do not count)",
          "[unit][records]") {
  CHECK(parse_csv("a\n1\n2\n\n", "t.csv", 2).ok());
  auto over = parse_csv("a\n1\n2\n3\n", "t.csv", 2);
  REQUIRE_FALSE(over.ok());
  CHECK_THAT(over.error().message, Catch::Contains("more than 2 rows"));
  auto header_only = parse_csv("a,b\n", "t.csv", 0);
  REQUIRE(header_only.ok());
  CHECK(header_only->rows.empty());
}

TEST_CASE("iso codes: currencies, countries and IBAN check digits", "[unit][records]") {
  for (const char* c : {"EUR", "USD", "GBP", "CHF", "JPY", "AED", "ZWL"}) CHECK(is_currency(c));
  for (const char* c : {"eur", "EU", "EURO", "XAU", "ABC", ""}) CHECK_FALSE(is_currency(c));
  for (const char* c : {"DE", "FR", "US", "GB", "AD", "ZW"}) CHECK(is_country(c));
  for (const char* c : {"de", "XX", "UK", "DEU", ""}) CHECK_FALSE(is_country(c));

  CHECK(iban_problem("DE89370400440532013000").empty());
  CHECK(iban_problem("de89 3704 0044 0532 0130 00").empty());
  CHECK(iban_problem("GB82WEST12345698765432").empty());
  CHECK(iban_problem("FR1420041010050500013M02606").empty());
  CHECK(normalize_iban("de89 3704 0044 0532 0130 00") == "DE89370400440532013000");

  CHECK_THAT(iban_problem("DE88370400440532013000"), Catch::Contains("check digits"));
  CHECK_THAT(iban_problem("DE89370400440532013001"), Catch::Contains("check digits"));
  // A transposition of two digits is caught.
  CHECK_THAT(iban_problem("DE89370400440532010300"), Catch::Contains("check digits"));
  CHECK_THAT(iban_problem("DE8937"), Catch::Contains("15 to 34"));
  CHECK_THAT(iban_problem(std::string(35, '1')), Catch::Contains("15 to 34"));
  CHECK_THAT(iban_problem("DE89-3704-0044-0532-0130-00"), Catch::Contains("only letters"));
  CHECK_THAT(iban_problem("XX89370400440532013000"), Catch::Contains("country"));
  CHECK_THAT(iban_problem("DEAB370400440532013000"), Catch::Contains("check digits after"));
}
