// Value: what an expression evaluates to — null, bool, number (an exact Decimal),
// string, list, map (string keys) or timestamp. Values returned by Program::evaluate
// own all their data (they never point into the instance data), so they may outlive
// both the input JSON and the Program.
//
// to_json_text() is the canonical printed form (`ledgerflow eval`, `${...}`
// templates): numbers in exact decimal text without trailing zeros (36.3, 0.3, 2.5),
// timestamps as ISO 8601 UTC strings, compact JSON otherwise.
//
// Thread-safety: a plain value type; const access from many threads is safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/expr/decimal.h"

namespace ledgerflow::expr {

enum class Kind : std::uint8_t { null, boolean, number, string, list, map, timestamp };
std::string_view to_string(Kind kind);

struct Timestamp {
  std::int64_t micros = 0;  // since 1970-01-01T00:00:00Z
  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

inline constexpr int kMaxValueDepth = 256;  // nesting of lists/maps in values

class Value {
 public:
  using List = std::vector<Value>;
  using Map = std::vector<std::pair<std::string, Value>>;  // sorted by key, keys unique

  Value() = default;  // null
  static Value boolean(bool b);
  static Value number(const Decimal& d);
  static Value string(std::string s);
  static Value list(List items);
  static Value map(Map entries);  // sorts by key; for duplicate keys the last one wins
  static Value timestamp(std::int64_t micros);
  // A deep copy of JSON data; numbers convert as data numbers do during evaluation
  // (via their shortest round-trip text). False for numbers without a Decimal (NaN,
  // infinities, magnitudes >= 10^38) and for nesting deeper than kMaxValueDepth.
  static bool from_json(const nlohmann::json& json, Value* out);

  Kind kind() const { return static_cast<Kind>(v_.index()); }
  bool is_null() const { return kind() == Kind::null; }

  // Accessors; calling the wrong one is a programming error (std::bad_variant_access).
  bool as_bool() const { return std::get<bool>(v_); }
  const Decimal& as_number() const { return std::get<Decimal>(v_); }
  const std::string& as_string() const { return std::get<std::string>(v_); }
  const List& as_list() const { return std::get<List>(v_); }
  const Map& as_map() const { return std::get<Map>(v_); }
  std::int64_t as_timestamp_micros() const { return std::get<Timestamp>(v_).micros; }

  // Map lookup; nullptr when this is not a map or has no such key.
  const Value* find(std::string_view key) const;

 private:
  std::variant<std::monostate, bool, Decimal, std::string, List, Map, Timestamp> v_;
};

// The language's `==`: numbers by value (1.0 == 1), lists and maps deeply, different
// kinds are unequal.
bool operator==(const Value& a, const Value& b);

// nlohmann form: a number becomes an integer when integral and within int64, else the
// nearest double; a timestamp becomes its ISO 8601 string.
nlohmann::json to_json(const Value& value);

// Compact JSON text with exact decimals (see the header comment).
std::string to_json_text(const Value& value);

}  // namespace ledgerflow::expr
