// Val: the evaluator's internal value. Unlike the public Value it never owns memory:
// strings, lists and maps are views that borrow from the instance JSON (no copy per
// evaluation), from the compiled Program (literals, folded constants) or from the
// evaluation's Arena (computed values). Trivially copyable, 32 bytes, so passing
// values around on the hot path costs no allocation and no reference counting.
// Program::evaluate converts the final Val into an owning Value.
// Thread-safety: plain data; valid while what it borrows from is alive.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "engine/expr/arena.h"
#include "engine/expr/decimal.h"
#include "engine/expr/value.h"

namespace ledgerflow::expr {

struct MapEntry;

struct Val {
  Kind kind = Kind::null;
  bool json_backed = false;  // list/map: a view of a JSON array/object (`json`)
  union {
    bool b;
    Decimal num;
    std::int64_t ts_micros;
    struct {
      const char* data;
      std::size_t size;
    } str;
    const nlohmann::json* json;
    struct {
      const Val* items;
      std::size_t size;
    } list;
    struct {
      const MapEntry* entries;  // sorted by key, keys unique
      std::size_t size;
    } map;
  };

  Val() : b(false) {}

  // Setters write the fields in place. Prefer them on hot paths over `*out =
  // Val::boolean(x)`: building a temporary and copying it with wide loads right after
  // its narrow stores stalls store-to-load forwarding (measured: ~20% of an evaluation).
  void set_null() { set_header(Kind::null, false), b = false; }
  void set_boolean(bool value) { set_header(Kind::boolean, false), b = value; }
  void set_number(const Decimal& d) { set_header(Kind::number, false), num = d; }
  // Makes this a number and returns it for writing in place (Decimal::from_double).
  Decimal* set_number_in_place() {
    set_header(Kind::number, false);
    return &num;
  }
  void set_string(std::string_view s) {
    set_header(Kind::string, false), str = {s.data(), s.size()};
  }
  void set_timestamp(std::int64_t micros) {
    set_header(Kind::timestamp, false), ts_micros = micros;
  }
  void set_list(const Val* items, std::size_t size) {
    set_header(Kind::list, false), list = {items, size};
  }
  void set_map(const MapEntry* entries, std::size_t size) {
    set_header(Kind::map, false), map = {entries, size};
  }
  // A JSON array (kind list) or object (kind map), borrowed.
  void set_json(Kind k, const nlohmann::json* j) { set_header(k, true), json = j; }

  static Val null() { return Val{}; }
  static Val boolean(bool value) {
    Val v;
    v.set_boolean(value);
    return v;
  }
  static Val number(const Decimal& d) {
    Val v;
    v.set_number(d);
    return v;
  }
  static Val string(std::string_view s) {
    Val v;
    v.set_string(s);
    return v;
  }
  static Val timestamp(std::int64_t micros) {
    Val v;
    v.set_timestamp(micros);
    return v;
  }
  static Val list_of(const Val* items, std::size_t size) {
    Val v;
    v.set_list(items, size);
    return v;
  }
  static Val map_of(const MapEntry* entries, std::size_t size) {
    Val v;
    v.set_map(entries, size);
    return v;
  }

  std::string_view sv() const { return {str.data, str.size}; }

 private:
  void set_header(Kind k, bool backed) {
    kind = k;
    json_backed = backed;
  }

 public:
};

struct MapEntry {
  std::string_view key;
  Val value;
};

static_assert(std::is_trivially_copyable_v<Val> && std::is_trivially_destructible_v<Val>);
static_assert(sizeof(Val) == 32);

// Why a conversion from data failed: a number without a Decimal (NaN, infinity,
// magnitude >= 10^38) or nesting deeper than kMaxValueDepth.
enum class ConvertStatus : std::uint8_t { ok, bad_data, too_deep };

// Borrows `json` (no copy): strings, arrays and objects become views. Numbers
// convert to Decimal (ints exactly, doubles via their shortest round-trip text).
ConvertStatus borrow_json(const nlohmann::json& json, Val* out);

// List and map access that hides whether a list/map is JSON-backed.
std::size_t list_size(const Val& list);
ConvertStatus list_at(const Val& list, std::size_t i, Val* out);
std::size_t map_size(const Val& map);
// *found = false when the key is absent.
ConvertStatus map_find(const Val& map, std::string_view key, Val* out, bool* found);

// Deep equality, the language's `==`.
enum class EqualStatus : std::uint8_t { no, yes, bad_data, too_deep };
EqualStatus equal(const Val& a, const Val& b);

// Deep copy into an owning Value.
ConvertStatus to_value(const Val& v, Value* out);

// For messages: "null", or the kind and a short JSON text: `number 0`, `string "DE"`.
std::string describe(const Val& v);

}  // namespace ledgerflow::expr
