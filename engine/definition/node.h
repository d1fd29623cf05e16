// Node: a parsed YAML or JSON document as a tree that remembers where every value and
// key came from (line and column), so the validator can point at the exact spot.
// Both formats load into the same tree; numbers keep their source text, so decimals are
// never rounded through a double on the way in.
// Thread-safety: plain value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace ledgerflow::def {

struct Location {
  std::uint32_t line = 0;    // 1-based; 0 = unknown
  std::uint32_t column = 0;  // 1-based, in bytes
  friend bool operator==(const Location&, const Location&) = default;
};

class Node {
 public:
  enum class Kind : std::uint8_t { null, boolean, number, string, sequence, mapping };

  struct Entry;  // a key with its location and value

  Kind kind = Kind::null;
  Location loc;
  std::string text;            // scalar text: "true", "12.10", the string itself
  std::uint8_t quote = 0;      // strings: 0 plain, 1 quoted ('...' or "..."), 2 block (| or >)
  std::vector<Node> items;     // sequence items
  std::vector<Entry> entries;  // mapping entries, in document order

  bool is_null() const { return kind == Kind::null; }
  bool is_bool() const { return kind == Kind::boolean; }
  bool is_number() const { return kind == Kind::number; }
  bool is_string() const { return kind == Kind::string; }
  bool is_sequence() const { return kind == Kind::sequence; }
  bool is_mapping() const { return kind == Kind::mapping; }
  bool is_scalar() const { return kind != Kind::sequence && kind != Kind::mapping; }

  // Mapping lookup; nullptr when absent or not a mapping.
  const Node* find(std::string_view key) const;
  const Entry* find_entry(std::string_view key) const;

  // Human name of the kind for messages: "a string", "a list", ...
  static std::string_view describe(Kind kind);

  // Converts to JSON (numbers through their text, so integers stay integers).
  nlohmann::json to_json() const;

  // Total number of nodes in this subtree.
  std::size_t size() const;
};

struct Node::Entry {
  std::string key;
  Location key_loc;
  Node value;
};

}  // namespace ledgerflow::def
