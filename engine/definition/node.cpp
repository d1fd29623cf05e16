#include "engine/definition/node.h"

namespace ledgerflow::def {

const Node::Entry* Node::find_entry(std::string_view key) const {
  if (kind != Kind::mapping) return nullptr;
  for (const auto& e : entries) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

const Node* Node::find(std::string_view key) const {
  const Entry* e = find_entry(key);
  return e ? &e->value : nullptr;
}

std::string_view Node::describe(Kind kind) {
  switch (kind) {
    case Kind::null:
      return "null";
    case Kind::boolean:
      return "a boolean";
    case Kind::number:
      return "a number";
    case Kind::string:
      return "a string";
    case Kind::sequence:
      return "a list";
    case Kind::mapping:
      return "a mapping";
  }
  return "a value";
}

nlohmann::json Node::to_json() const {
  switch (kind) {
    case Kind::null:
      return nullptr;
    case Kind::boolean:
      return text == "true";
    case Kind::number: {
      auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
      return j.is_number() ? j : nlohmann::json(text);
    }
    case Kind::string:
      return text;
    case Kind::sequence: {
      auto out = nlohmann::json::array();
      for (const auto& item : items) out.push_back(item.to_json());
      return out;
    }
    case Kind::mapping: {
      auto out = nlohmann::json::object();
      for (const auto& e : entries) out[e.key] = e.value.to_json();
      return out;
    }
  }
  return nullptr;
}

std::size_t Node::size() const {
  std::size_t n = 1;
  for (const auto& item : items) n += item.size();
  for (const auto& e : entries) n += e.value.size();
  return n;
}

}  // namespace ledgerflow::def
