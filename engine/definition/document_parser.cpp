#include "engine/definition/document_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <memory>
#include <cctype>
#include <sstream>
#include <stdexcept>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include "engine/common/json_nesting.h"
#include "engine/common/utf8.h"

namespace ledgerflow::def {
namespace {

Location location_at(std::string_view text, std::size_t offset) {
  Location loc{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

ParseResult fail(Location loc, std::string message) {
  ParseResult r;
  r.problems.push_back(Problem{loc, "", std::move(message)});
  return r;
}

// ---------- JSON ----------

// A SAX consumer that only records the first syntax error.
struct SyntaxCheck : nlohmann::json_sax<nlohmann::json> {
  explicit SyntaxCheck(std::size_t max_scalar) : max_scalar_bytes(max_scalar) {}
  std::size_t max_scalar_bytes;
  std::size_t error_offset = 0;
  std::string error;
  bool bounded(const string_t& text) {
    if (text.size() <= max_scalar_bytes) return true;
    error = "a string or number of " + std::to_string(text.size()) + " bytes is longer than " +
            std::to_string(max_scalar_bytes) + " bytes (the limit)";
    return false;
  }
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t& text) override { return bounded(text); }
  bool string(string_t& text) override { return bounded(text); }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t& text) override { return bounded(text); }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) override {
    error_offset = position == 0 ? 0 : position - 1;  // the last byte read
    std::string what = ex.what();
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column 5:
    // syntax error while parsing value - invalid literal; last read: 'tru'"; keep the useful tail.
    auto pos = what.find("syntax error");
    error = pos == std::string::npos ? what : what.substr(pos);
    if (error.find("last read") == std::string::npos && !last_token.empty()) {
      error += "; last read: '" + last_token + "'";
    }
    if (error.size() > 300) error = error.substr(0, 300) + "...";
    return false;
  }
};

// Reads already-validated JSON text into located Nodes.
class JsonReader {
 public:
  JsonReader(std::string_view text, std::vector<Problem>& problems)
      : text_(text), problems_(problems) {}

  Node read() {
    skip_ws();
    return value();
  }

 private:
  Location here() const { return location_at_cached(pos_); }

  Location location_at_cached(std::size_t offset) const {
    // Advance a cursor monotonically: reads go forward only.
    while (cursor_ < offset && cursor_ < text_.size()) {
      if (text_[cursor_] == '\n') {
        ++cursor_loc_.line;
        cursor_loc_.column = 1;
      } else {
        ++cursor_loc_.column;
      }
      ++cursor_;
    }
    return cursor_loc_;
  }

  void skip_ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  std::string read_string() {
    std::size_t start = pos_++;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') ++pos_;
      ++pos_;
    }
    ++pos_;
    return nlohmann::json::parse(text_.substr(start, pos_ - start)).get<std::string>();
  }

  Node value() {
    Node n;
    n.loc = here();
    char c = text_[pos_];
    if (c == '{') {
      n.kind = Node::Kind::mapping;
      ++pos_;
      skip_ws();
      while (text_[pos_] != '}') {
        Node::Entry e;
        e.key_loc = here();
        e.key = read_string();
        skip_ws();
        ++pos_;  // ':'
        skip_ws();
        e.value = value();
        if (const auto* prev = n.find_entry(e.key)) {
          problems_.push_back(Problem{e.key_loc, "",
                                      "duplicate key '" + e.key + "' (first defined at line " +
                                          std::to_string(prev->key_loc.line) + ")"});
        } else {
          n.entries.push_back(std::move(e));
        }
        skip_ws();
        if (text_[pos_] == ',') {
          ++pos_;
          skip_ws();
        }
      }
      ++pos_;
    } else if (c == '[') {
      n.kind = Node::Kind::sequence;
      ++pos_;
      skip_ws();
      while (text_[pos_] != ']') {
        n.items.push_back(value());
        skip_ws();
        if (text_[pos_] == ',') {
          ++pos_;
          skip_ws();
        }
      }
      ++pos_;
    } else if (c == '"') {
      n.kind = Node::Kind::string;
      n.quote = 1;
      n.text = read_string();
    } else {
      std::size_t start = pos_;
      while (pos_ < text_.size() &&
             std::string_view(",}] \t\r\n").find(text_[pos_]) == std::string_view::npos)
        ++pos_;
      n.text = std::string(text_.substr(start, pos_ - start));
      if (n.text == "null") {
        n.kind = Node::Kind::null;
      } else if (n.text == "true" || n.text == "false") {
        n.kind = Node::Kind::boolean;
      } else {
        n.kind = Node::Kind::number;
      }
    }
    return n;
  }

  std::string_view text_;
  std::vector<Problem>& problems_;
  std::size_t pos_ = 0;
  mutable std::size_t cursor_ = 0;
  mutable Location cursor_loc_{1, 1};
};

ParseResult parse_json(std::string_view text, const ParseLimits& limits) {
  if (auto at = find_too_deep_json(text, limits.max_depth); at != std::string_view::npos) {
    return fail(
        location_at(text, at),
        "nesting is deeper than " + std::to_string(limits.max_depth) + " levels (the limit)");
  }
  SyntaxCheck check(limits.max_scalar_bytes);
  nlohmann::json::sax_parse(text, &check, nlohmann::json::input_format_t::json, true, false);
  if (!check.error.empty()) {
    // The parser stops one byte past an invalid literal ("tru}"); point at its start.
    std::size_t at = std::min(check.error_offset, text.size() - 1);
    auto word = [&](std::size_t i) {
      return std::isalnum(static_cast<unsigned char>(text[i])) != 0;
    };
    if (!word(at) && at > 0 && word(at - 1)) --at;
    while (at > 0 && word(at) && word(at - 1)) --at;
    return fail(location_at(text, at), "invalid JSON: " + check.error);
  }
  ParseResult r;
  JsonReader reader(text, r.problems);
  Node root = reader.read();
  if (r.problems.empty()) r.root = std::move(root);
  return r;
}

// ---------- YAML ----------

struct YamlLimitError : std::runtime_error {
  YamlLimitError(Location l, const std::string& m) : std::runtime_error(m), loc(l) {}
  Location loc;
};

Location from_mark(const YAML::Mark& m) {
  return Location{static_cast<std::uint32_t>(m.line + 1), static_cast<std::uint32_t>(m.column + 1)};
}

// YAML 1.2 core schema numbers: [-+]?(.digits|digits[.digits*])([eE][-+]?digits)?, 0x.., 0o..
// A linear scan: std::regex backtracks recursively and a long scalar would exhaust the
// stack (scalars are also capped by ParseLimits::max_scalar_bytes).
bool matches_number(std::string_view s) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  auto all = [&](std::string_view t, auto pred) {
    return !t.empty() && std::all_of(t.begin(), t.end(), pred);
  };
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x') {
    return all(s.substr(2), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'o') {
    return all(s.substr(2), [](char c) { return c >= '0' && c <= '7'; });
  }
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  std::size_t int_digits = 0;
  while (i < s.size() && digit(s[i])) ++i, ++int_digits;
  std::size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && digit(s[i])) ++i, ++frac_digits;
  }
  if (int_digits == 0 && frac_digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t exp_digits = 0;
    while (i < s.size() && digit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

// Resolves a plain scalar per the YAML 1.2 core schema.
Node::Kind resolve_plain(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return Node::Kind::null;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE")
    return Node::Kind::boolean;
  if (matches_number(s)) return Node::Kind::number;
  return Node::Kind::string;
}

class YamlBuilder : public YAML::EventHandler {
 public:
  YamlBuilder(std::string_view text, const ParseLimits& limits, std::vector<Problem>& problems)
      : text_(text), limits_(limits), problems_(problems) {}

  std::optional<Node> root;

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n;
    n.loc = from_mark(mark);
    finish(std::move(n), anchor);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw YamlLimitError(from_mark(mark), "unknown YAML alias");
    count(it->second.second, from_mark(mark), "alias expansion");
    finish(Node(it->second.first), 0, /*counted=*/true);
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Node n;
    n.loc = from_mark(mark);
    if (value.size() > limits_.max_scalar_bytes) {
      throw YamlLimitError(n.loc, "a scalar of " + std::to_string(value.size()) +
                                      " bytes is longer than " +
                                      std::to_string(limits_.max_scalar_bytes) +
                                      " bytes (the limit)");
    }
    n.text = value;
    if (tag == "?") {
      n.kind = resolve_plain(value);
      if (n.kind == Node::Kind::boolean)
        n.text = (value[0] == 't' || value[0] == 'T') ? "true" : "false";
    } else if (tag == "!" || tag == "tag:yaml.org,2002:str") {
      n.kind = Node::Kind::string;
      if (mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text_.size()) {
        char c = text_[static_cast<std::size_t>(mark.pos)];
        n.quote = (c == '\'' || c == '"') ? 1 : (c == '|' || c == '>') ? 2 : 0;
      }
    } else if (tag == "tag:yaml.org,2002:int" || tag == "tag:yaml.org,2002:float") {
      if (!matches_number(value)) throw YamlLimitError(n.loc, "'" + value + "' is not a number");
      n.kind = Node::Kind::number;
    } else if (tag == "tag:yaml.org,2002:bool") {
      n.kind = resolve_plain(value);
      if (n.kind != Node::Kind::boolean)
        throw YamlLimitError(n.loc, "'" + value + "' is not a boolean");
    } else if (tag == "tag:yaml.org,2002:null") {
      n.kind = Node::Kind::null;
    } else {
      throw YamlLimitError(n.loc, "unsupported YAML tag '" + tag + "'");
    }
    finish(std::move(n), anchor);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(Node::Kind::sequence, mark, anchor);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(Node::Kind::mapping, mark, anchor);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    Node node;
    YAML::anchor_t anchor = 0;
    std::optional<Node> pending_key;
    bool has_merge = false;
  };

  void count(std::size_t n, Location loc, const char* what) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes) {
      throw YamlLimitError(loc, std::string("document expands to more than ") +
                                    std::to_string(limits_.max_nodes) + " values (" + what +
                                    "; is this a 'billion laughs' document?)");
    }
  }

  void open(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    Location loc = from_mark(mark);
    if (stack_.size() >= limits_.max_depth) {
      throw YamlLimitError(loc, "nesting is deeper than " + std::to_string(limits_.max_depth) +
                                    " levels (the limit)");
    }
    Frame f;
    f.node.kind = kind;
    f.node.loc = loc;
    f.anchor = anchor;
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.has_merge) apply_merge(f.node);
    finish(std::move(f.node), f.anchor);
  }

  // YAML merge keys: `<<: *defaults` copies entries this mapping does not set itself.
  static void apply_merge(Node& map) {
    std::vector<Node::Entry> merged;
    std::vector<Node::Entry> own;
    for (auto& e : map.entries) {
      if (e.key != "<<") {
        own.push_back(std::move(e));
        continue;
      }
      std::vector<const Node*> sources;
      if (e.value.is_mapping()) sources.push_back(&e.value);
      for (const auto& item : e.value.items) sources.push_back(&item);
      for (const Node* src : sources) {
        for (const auto& se : src->entries) merged.push_back(se);
      }
    }
    map.entries = std::move(own);
    for (auto& m : merged) {
      if (!map.find_entry(m.key)) map.entries.push_back(std::move(m));
    }
  }

  void finish(Node n, YAML::anchor_t anchor, bool counted = false) {
    if (!counted) count(1, n.loc, "values");
    if (anchor != 0) anchors_[anchor] = {n, n.size()};
    if (stack_.empty()) {
      root = std::move(n);
      return;
    }
    Frame& top = stack_.back();
    if (top.node.is_sequence()) {
      top.node.items.push_back(std::move(n));
      return;
    }
    if (!top.pending_key) {
      if (!n.is_scalar()) throw YamlLimitError(n.loc, "mapping keys must be plain strings");
      top.pending_key = std::move(n);
      return;
    }
    Node key = std::move(*top.pending_key);
    top.pending_key.reset();
    if (key.text == "<<" && key.kind == Node::Kind::string) top.has_merge = true;
    if (key.text != "<<") {
      if (const auto* prev = top.node.find_entry(key.text)) {
        problems_.push_back(Problem{key.loc, "",
                                    "duplicate key '" + key.text + "' (first defined at line " +
                                        std::to_string(prev->key_loc.line) + ")"});
        return;
      }
    }
    top.node.entries.push_back(Node::Entry{std::move(key.text), key.loc, std::move(n)});
  }

  std::string_view text_;
  const ParseLimits& limits_;
  std::vector<Problem>& problems_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::pair<Node, std::size_t>> anchors_;
  std::size_t nodes_ = 0;
};

ParseResult parse_yaml(std::string_view text, const ParseLimits& limits) {
  ParseResult r;
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    YamlBuilder builder(text, limits, r.problems);
    if (!parser.HandleNextDocument(builder) || !builder.root) {
      return fail(Location{1, 1}, "empty document: expected a workflow definition");
    }
    YamlBuilder second(text, limits, r.problems);
    if (parser.HandleNextDocument(second)) {
      Location at = second.root ? second.root->loc : Location{1, 1};
      return fail(at, "more than one YAML document in the file; put each workflow in its own file");
    }
    if (r.problems.empty()) r.root = std::move(builder.root);
  } catch (const YamlLimitError& e) {
    return fail(e.loc, e.what());
  } catch (const YAML::DeepRecursion& e) {
    return fail(from_mark(e.mark), "nesting is deeper than " + std::to_string(limits.max_depth) +
                                       " levels (the limit)");
  } catch (const YAML::ParserException& e) {
    return fail(from_mark(e.mark), "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    return fail(Location{1, 1}, std::string("invalid YAML: ") + e.what());
  }
  return r;
}

}  // namespace

Format format_for_path(std::string_view path) {
  auto ends_with = [&](std::string_view suffix) {
    return path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix;
  };
  if (ends_with(".json")) return Format::json;
  if (ends_with(".yaml") || ends_with(".yml")) return Format::yaml;
  return Format::detect;
}

ParseResult parse_document(std::string_view text, Format format, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return fail(Location{1, 1}, "file is " + std::to_string(text.size()) +
                                    " bytes; the limit for a definition is " +
                                    std::to_string(limits.max_bytes) + " bytes (1 MiB)");
  }
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // BOM
  if (auto nul = text.find('\0'); nul != std::string_view::npos) {
    return fail(location_at(text, nul),
                "binary data (a NUL byte): a definition is YAML or JSON text");
  }
  if (auto bad = utf8::find_invalid(text); bad != std::string_view::npos) {
    return fail(location_at(text, bad), "invalid UTF-8 byte sequence");
  }
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return fail(Location{1, 1}, "empty document: expected a workflow definition");
  }
  if (format == Format::detect)
    format = (text[first] == '{' || text[first] == '[') ? Format::json : Format::yaml;
  ParseResult r = format == Format::json ? parse_json(text, limits) : parse_yaml(text, limits);
  if (r.root && !r.root->is_mapping()) {
    return fail(r.root->loc, std::string("a definition must be a mapping, got ") +
                                 std::string(Node::describe(r.root->kind)));
  }
  return r;
}

}  // namespace ledgerflow::def
