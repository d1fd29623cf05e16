// engine/common/json_nesting: the depth check run on JSON text before it is parsed.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include "engine/common/json_nesting.h"

using ledgerflow::find_too_deep_json;
constexpr auto npos = std::string_view::npos;

TEST_CASE("find_too_deep_json finds the bracket that opens one level too many",
          "[unit][json_nesting]") {
  CHECK(find_too_deep_json(R"({"a": [1, {"b": 2}]})", 3) == npos);
  CHECK(find_too_deep_json(R"({"a": [1, {"b": 2}]})", 2) == 10);
  CHECK(find_too_deep_json("[[[]]]", 3) == npos);
  CHECK(find_too_deep_json("[[[]]]", 2) == 2);
  // Siblings do not add up: depth returns after each close.
  CHECK(find_too_deep_json("[[], [], [[]]]", 3) == npos);
  const std::string deep = std::string(1000, '[') + std::string(1000, ']');
  CHECK(find_too_deep_json(deep, 64) == 64);
}

TEST_CASE("find_too_deep_json ignores brackets inside strings", "[unit][json_nesting]") {
  CHECK(find_too_deep_json(R"({"text": "[[[[{{{{"})", 1) == npos);
  CHECK(find_too_deep_json(R"(["a \" [[[ still a string"])", 1) == npos);
  CHECK(find_too_deep_json(R"(["\\", [1]])", 1) == 7);  // the escape ends before the quote
}
