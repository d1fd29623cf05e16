#include "engine/expr/val.h"

#include <algorithm>

#include "engine/common/utf8.h"

namespace ledgerflow::expr {
namespace {

using json = nlohmann::json;

const MapEntry* find_entry(const Val& map, std::string_view key) {
  const MapEntry* begin = map.map.entries;
  const MapEntry* end = begin + map.map.size;
  const MapEntry* it = std::lower_bound(
      begin, end, key, [](const MapEntry& e, std::string_view k) { return e.key < k; });
  return it != end && it->key == key ? it : nullptr;
}

// Calls fn(key, value) for each entry in key order; stops at the first non-ok status.
template <typename Fn>
ConvertStatus for_each_entry(const Val& map, Fn&& fn) {
  if (map.json_backed) {
    for (const auto& [key, item] : map.json->get_ref<const json::object_t&>()) {
      Val v;
      if (auto s = borrow_json(item, &v); s != ConvertStatus::ok) return s;
      if (auto s = fn(std::string_view(key), v); s != ConvertStatus::ok) return s;
    }
    return ConvertStatus::ok;
  }
  for (std::size_t i = 0; i < map.map.size; ++i) {
    const MapEntry& e = map.map.entries[i];
    if (auto s = fn(e.key, e.value); s != ConvertStatus::ok) return s;
  }
  return ConvertStatus::ok;
}

EqualStatus equal_at(const Val& a, const Val& b, int depth) {
  if (a.kind != b.kind) return EqualStatus::no;
  auto yes_if = [](bool c) { return c ? EqualStatus::yes : EqualStatus::no; };
  switch (a.kind) {
    case Kind::null:
      return EqualStatus::yes;
    case Kind::boolean:
      return yes_if(a.b == b.b);
    case Kind::number:
      return yes_if(a.num == b.num);
    case Kind::string:
      return yes_if(a.sv() == b.sv());
    case Kind::timestamp:
      return yes_if(a.ts_micros == b.ts_micros);
    case Kind::list: {
      if (depth >= kMaxValueDepth) return EqualStatus::too_deep;
      const std::size_t n = list_size(a);
      if (n != list_size(b)) return EqualStatus::no;
      for (std::size_t i = 0; i < n; ++i) {
        Val x;
        Val y;
        if (list_at(a, i, &x) != ConvertStatus::ok || list_at(b, i, &y) != ConvertStatus::ok) {
          return EqualStatus::bad_data;
        }
        const EqualStatus s = equal_at(x, y, depth + 1);
        if (s != EqualStatus::yes) return s;
      }
      return EqualStatus::yes;
    }
    case Kind::map: {
      if (depth >= kMaxValueDepth) return EqualStatus::too_deep;
      if (map_size(a) != map_size(b)) return EqualStatus::no;
      EqualStatus result = EqualStatus::yes;
      const ConvertStatus walk = for_each_entry(a, [&](std::string_view key, const Val& x) {
        Val y;
        bool found = false;
        if (map_find(b, key, &y, &found) != ConvertStatus::ok) return ConvertStatus::bad_data;
        result = found ? equal_at(x, y, depth + 1) : EqualStatus::no;
        // Stop the walk at the first difference (reported through `result`).
        return result == EqualStatus::yes ? ConvertStatus::ok : ConvertStatus::too_deep;
      });
      if (walk == ConvertStatus::bad_data) return EqualStatus::bad_data;
      return result;
    }
  }
  return EqualStatus::no;
}

ConvertStatus to_value_at(const Val& v, int depth, Value* out) {
  switch (v.kind) {
    case Kind::null:
      *out = Value();
      return ConvertStatus::ok;
    case Kind::boolean:
      *out = Value::boolean(v.b);
      return ConvertStatus::ok;
    case Kind::number:
      *out = Value::number(v.num);
      return ConvertStatus::ok;
    case Kind::string:
      *out = Value::string(std::string(v.sv()));
      return ConvertStatus::ok;
    case Kind::timestamp:
      *out = Value::timestamp(v.ts_micros);
      return ConvertStatus::ok;
    case Kind::list: {
      if (depth >= kMaxValueDepth) return ConvertStatus::too_deep;
      const std::size_t n = list_size(v);
      Value::List items(n);
      for (std::size_t i = 0; i < n; ++i) {
        Val item;
        if (auto s = list_at(v, i, &item); s != ConvertStatus::ok) return s;
        if (auto s = to_value_at(item, depth + 1, &items[i]); s != ConvertStatus::ok) return s;
      }
      *out = Value::list(std::move(items));
      return ConvertStatus::ok;
    }
    case Kind::map: {
      if (depth >= kMaxValueDepth) return ConvertStatus::too_deep;
      Value::Map entries;
      entries.reserve(map_size(v));
      const ConvertStatus s = for_each_entry(v, [&](std::string_view key, const Val& item) {
        entries.emplace_back(std::string(key), Value());
        return to_value_at(item, depth + 1, &entries.back().second);
      });
      if (s != ConvertStatus::ok) return s;
      *out = Value::map(std::move(entries));
      return ConvertStatus::ok;
    }
  }
  return ConvertStatus::ok;
}

}  // namespace

ConvertStatus borrow_json(const json& j, Val* out) {
  switch (j.type()) {
    case json::value_t::null:
      out->set_null();
      return ConvertStatus::ok;
    case json::value_t::boolean:
      out->set_boolean(*j.get_ptr<const json::boolean_t*>());
      return ConvertStatus::ok;
    case json::value_t::number_integer:
      out->set_number(Decimal::from_int64(*j.get_ptr<const json::number_integer_t*>()));
      return ConvertStatus::ok;
    case json::value_t::number_unsigned:
      out->set_number(Decimal::from_uint64(*j.get_ptr<const json::number_unsigned_t*>()));
      return ConvertStatus::ok;
    case json::value_t::number_float:
      return Decimal::from_double(*j.get_ptr<const json::number_float_t*>(),
                                  out->set_number_in_place())
                 ? ConvertStatus::ok
                 : ConvertStatus::bad_data;
    case json::value_t::string:
      out->set_string(*j.get_ptr<const json::string_t*>());
      return ConvertStatus::ok;
    case json::value_t::array:
      out->set_json(Kind::list, &j);
      return ConvertStatus::ok;
    case json::value_t::object:
      out->set_json(Kind::map, &j);
      return ConvertStatus::ok;
    case json::value_t::binary:
    case json::value_t::discarded:
      return ConvertStatus::bad_data;  // never produced by parsing JSON text
  }
  return ConvertStatus::bad_data;
}

std::size_t list_size(const Val& list) {
  return list.json_backed ? list.json->get_ref<const json::array_t&>().size() : list.list.size;
}

ConvertStatus list_at(const Val& list, std::size_t i, Val* out) {
  if (list.json_backed) return borrow_json(list.json->get_ref<const json::array_t&>()[i], out);
  *out = list.list.items[i];
  return ConvertStatus::ok;
}

std::size_t map_size(const Val& map) {
  return map.json_backed ? map.json->get_ref<const json::object_t&>().size() : map.map.size;
}

ConvertStatus map_find(const Val& map, std::string_view key, Val* out, bool* found) {
  if (map.json_backed) {
    const auto& object = map.json->get_ref<const json::object_t&>();
    const auto it = object.find(key);
    *found = it != object.end();
    return *found ? borrow_json(it->second, out) : ConvertStatus::ok;
  }
  const MapEntry* e = find_entry(map, key);
  *found = e != nullptr;
  if (e != nullptr) *out = e->value;
  return ConvertStatus::ok;
}

EqualStatus equal(const Val& a, const Val& b) {
  return equal_at(a, b, 0);
}

ConvertStatus to_value(const Val& v, Value* out) {
  return to_value_at(v, 0, out);
}

std::string describe(const Val& v) {
  if (v.kind == Kind::null) return "null";
  Value value;
  std::string text = to_value(v, &value) == ConvertStatus::ok ? to_json_text(value) : "...";
  constexpr std::size_t kMaxText = 40;
  if (text.size() > kMaxText) {
    std::size_t cut = utf8::floor_boundary(text, kMaxText);
    text = text.substr(0, cut) + "...";
  }
  return std::string(to_string(v.kind)) + " " + text;
}

}  // namespace ledgerflow::expr
