#include "engine/expr/value.h"

#include <algorithm>

#include "engine/expr/timestamp.h"

namespace ledgerflow::expr {
namespace {

bool from_json_at(const nlohmann::json& json, int depth, Value* out) {
  if (depth > kMaxValueDepth) return false;
  switch (json.type()) {
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::discarded:
      *out = Value();
      return true;
    case nlohmann::json::value_t::boolean:
      *out = Value::boolean(json.get<bool>());
      return true;
    case nlohmann::json::value_t::number_integer:
      *out = Value::number(Decimal::from_int64(json.get<std::int64_t>()));
      return true;
    case nlohmann::json::value_t::number_unsigned:
      *out = Value::number(Decimal::from_uint64(json.get<std::uint64_t>()));
      return true;
    case nlohmann::json::value_t::number_float: {
      auto d = Decimal::from_double(json.get<double>());
      if (!d) return false;
      *out = Value::number(*d);
      return true;
    }
    case nlohmann::json::value_t::string:
      *out = Value::string(json.get_ref<const std::string&>());
      return true;
    case nlohmann::json::value_t::array: {
      Value::List items(json.size());
      for (std::size_t i = 0; i < json.size(); ++i) {
        if (!from_json_at(json[i], depth + 1, &items[i])) return false;
      }
      *out = Value::list(std::move(items));
      return true;
    }
    case nlohmann::json::value_t::object: {
      Value::Map entries;
      entries.reserve(json.size());
      for (const auto& [key, item] : json.items()) {
        entries.emplace_back(key, Value());
        if (!from_json_at(item, depth + 1, &entries.back().second)) return false;
      }
      *out = Value::map(std::move(entries));
      return true;
    }
    case nlohmann::json::value_t::binary:
      return false;
  }
  return false;
}

void append_string(std::string* out, const std::string& s) {
  // nlohmann escapes exactly as JSON requires; `replace` guards against invalid UTF-8.
  *out += nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void write(const Value& v, std::string* out) {
  switch (v.kind()) {
    case Kind::null:
      *out += "null";
      return;
    case Kind::boolean:
      *out += v.as_bool() ? "true" : "false";
      return;
    case Kind::number:
      *out += v.as_number().to_string();
      return;
    case Kind::string:
      append_string(out, v.as_string());
      return;
    case Kind::timestamp:
      out->push_back('"');
      *out += format_timestamp(v.as_timestamp_micros());
      out->push_back('"');
      return;
    case Kind::list: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : v.as_list()) {
        if (!first) out->push_back(',');
        first = false;
        write(item, out);
      }
      out->push_back(']');
      return;
    }
    case Kind::map: {
      out->push_back('{');
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        if (!first) out->push_back(',');
        first = false;
        append_string(out, key);
        out->push_back(':');
        write(item, out);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::null:
      return "null";
    case Kind::boolean:
      return "bool";
    case Kind::number:
      return "number";
    case Kind::string:
      return "string";
    case Kind::list:
      return "list";
    case Kind::map:
      return "map";
    case Kind::timestamp:
      return "timestamp";
  }
  return "unknown";
}

Value Value::boolean(bool b) {
  Value v;
  v.v_ = b;
  return v;
}

Value Value::number(const Decimal& d) {
  Value v;
  v.v_ = d;
  return v;
}

Value Value::string(std::string s) {
  Value v;
  v.v_.emplace<std::string>(std::move(s));
  return v;
}

Value Value::list(List items) {
  Value v;
  v.v_.emplace<List>(std::move(items));
  return v;
}

Value Value::map(Map entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Keep the last of equal keys.
  Map unique;
  unique.reserve(entries.size());
  for (auto& entry : entries) {
    if (!unique.empty() && unique.back().first == entry.first) {
      unique.back().second = std::move(entry.second);
    } else {
      unique.push_back(std::move(entry));
    }
  }
  Value v;
  v.v_.emplace<Map>(std::move(unique));
  return v;
}

Value Value::timestamp(std::int64_t micros) {
  Value v;
  v.v_ = Timestamp{micros};
  return v;
}

bool Value::from_json(const nlohmann::json& json, Value* out) {
  return from_json_at(json, 0, out);
}

const Value* Value::find(std::string_view key) const {
  if (kind() != Kind::map) return nullptr;
  const Map& m = as_map();
  auto it = std::lower_bound(m.begin(), m.end(), key,
                             [](const auto& entry, std::string_view k) { return entry.first < k; });
  return it != m.end() && it->first == key ? &it->second : nullptr;
}

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Kind::null:
      return true;
    case Kind::boolean:
      return a.as_bool() == b.as_bool();
    case Kind::number:
      return a.as_number() == b.as_number();
    case Kind::string:
      return a.as_string() == b.as_string();
    case Kind::timestamp:
      return a.as_timestamp_micros() == b.as_timestamp_micros();
    case Kind::list:
      return a.as_list() == b.as_list();
    case Kind::map:
      return a.as_map() == b.as_map();
  }
  return false;
}

nlohmann::json to_json(const Value& v) {
  switch (v.kind()) {
    case Kind::null:
      return nullptr;
    case Kind::boolean:
      return v.as_bool();
    case Kind::number: {
      // Money is decimal: a value a JSON number (a double) cannot carry exactly is written
      // as its decimal text ("1000000000000000.01"); number() reads it back exactly.
      const Decimal& d = v.as_number();
      if (auto i = d.to_int64()) return *i;
      const double approx = d.to_double();
      Decimal back;
      if (Decimal::from_double(approx, &back) && back == d) return approx;
      return d.to_string();
    }
    case Kind::string:
      return v.as_string();
    case Kind::timestamp:
      return format_timestamp(v.as_timestamp_micros());
    case Kind::list: {
      auto out = nlohmann::json::array();
      for (const auto& item : v.as_list()) out.push_back(to_json(item));
      return out;
    }
    case Kind::map: {
      auto out = nlohmann::json::object();
      for (const auto& [key, item] : v.as_map()) out[key] = to_json(item);
      return out;
    }
  }
  return nullptr;
}

std::string to_json_text(const Value& value) {
  std::string out;
  write(value, &out);
  return out;
}

}  // namespace ledgerflow::expr
