// engine/common/utf8: the one UTF-8 validator and encoder (RFC 3629 well-formedness).
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "engine/common/utf8.h"

namespace utf8 = ledgerflow::utf8;

TEST_CASE("utf8::sequence_length measures each well-formed sequence", "[unit][utf8]") {
  CHECK(utf8::sequence_length("a", 0) == 1);
  CHECK(utf8::sequence_length("\xC3\xA9", 0) == 2);          // é
  CHECK(utf8::sequence_length("\xE2\x82\xAC", 0) == 3);      // €
  CHECK(utf8::sequence_length("\xF0\x9F\x98\x80", 0) == 4);  // 😀
  CHECK(utf8::sequence_length("x\xE2\x82\xAC", 1) == 3);
}

TEST_CASE("utf8::sequence_length refuses ill-formed sequences", "[unit][utf8]") {
  CHECK(utf8::sequence_length("\x80", 0) == 0);              // a lone continuation byte
  CHECK(utf8::sequence_length("\xFF", 0) == 0);              // never a lead byte
  CHECK(utf8::sequence_length("\xE2\x82", 0) == 0);          // truncated
  CHECK(utf8::sequence_length("\xE2\x41\xAC", 0) == 0);      // bad continuation
  CHECK(utf8::sequence_length("\xC0\xAF", 0) == 0);          // overlong '/'
  CHECK(utf8::sequence_length("\xE0\x80\xAF", 0) == 0);      // overlong, 3 bytes
  CHECK(utf8::sequence_length("\xF0\x80\x80\xAF", 0) == 0);  // overlong, 4 bytes
  CHECK(utf8::sequence_length("\xED\xA0\x80", 0) == 0);      // U+D800, a surrogate
  CHECK(utf8::sequence_length("\xF4\x90\x80\x80", 0) == 0);  // U+110000, beyond Unicode
}

TEST_CASE("utf8::find_invalid gives the offset of the first bad byte", "[unit][utf8]") {
  CHECK(utf8::find_invalid("") == std::string_view::npos);
  CHECK(utf8::find_invalid("plain \xE2\x82\xAC 10") == std::string_view::npos);
  CHECK(utf8::find_invalid("ab\xC3") == 2);
  CHECK(utf8::find_invalid("\xC3\xA9\xED\xBF\xBF!") == 2);
  CHECK(
      utf8::is_valid("Gr\xC3\xBC\xC3\x9F"
                     "e"));
  CHECK_FALSE(utf8::is_valid("\xC0\x80"));
}

TEST_CASE("utf8::append encodes every length and round-trips", "[unit][utf8]") {
  std::string out;
  for (std::uint32_t cp : {0x41u, 0xE9u, 0x20ACu, 0x1F600u, 0x10FFFFu}) utf8::append(out, cp);
  CHECK(out == "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF");
  CHECK(utf8::is_valid(out));
  CHECK(utf8::count_code_points(out) == 5);
}

TEST_CASE("utf8::floor_boundary never cuts a character in two", "[unit][utf8]") {
  const std::string text =
      "ab\xE2\x82\xAC"
      "cd";  // a b € c d
  CHECK(utf8::floor_boundary(text, 1) == 1);
  CHECK(utf8::floor_boundary(text, 2) == 2);
  CHECK(utf8::floor_boundary(text, 3) == 2);
  CHECK(utf8::floor_boundary(text, 4) == 2);
  CHECK(utf8::floor_boundary(text, 5) == 5);
}
