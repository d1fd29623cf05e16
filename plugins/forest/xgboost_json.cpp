#include "plugins/forest/xgboost_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

#include "engine/io/file.h"

namespace ledgerflow::plugins {
using nlohmann::json;

namespace {

// "line:column" (1-based) of byte `offset` in `text`.
std::string line_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  auto before = text.substr(0, offset);
  auto line = 1 + std::count(before.begin(), before.end(), '\n');
  auto last_newline = before.rfind('\n');
  std::size_t column = last_newline == std::string_view::npos ? offset + 1 : offset - last_newline;
  return std::to_string(line) + ":" + std::to_string(column);
}

// float32 from a JSON number's text, as XGBoost's reader does; out of range -> +/-inf
// (or the nearest subnormal/zero for tiny values) so that model checks can name it.
float to_float32(double parsed, const std::string& text) {
  float value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) return value;
  if (std::fabs(parsed) > 1.0) {
    return parsed > 0 ? std::numeric_limits<float>::infinity()
                      : -std::numeric_limits<float>::infinity();
  }
  return static_cast<float>(parsed);
}

// A SAX handler that builds the document and enforces the limits. nlohmann's own DOM
// builder keeps the last of duplicate keys silently and has no value limit.
class LimitedBuilder {
 public:
  explicit LimitedBuilder(const XgboostJsonLimits& limits) : limits_(limits) {}

  bool null() { return add(json(nullptr)); }
  bool boolean(bool v) { return add(json(v)); }
  bool number_integer(json::number_integer_t v) { return add(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return add(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t& text) {
    return add(json(static_cast<double>(to_float32(v, text))));
  }
  bool string(json::string_t& v) { return add(json(std::move(v))); }
  bool binary(json::binary_t& /*v*/) { return fail("binary values are not JSON"); }
  bool start_object(std::size_t /*size*/) { return open(json::object()); }
  bool end_object() { return close(); }
  bool start_array(std::size_t /*size*/) { return open(json::array()); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    syntax_position_ = position;
    syntax_token_ = last_token;
    syntax_message_ = ex.what();
    return false;
  }

  json& root() { return root_; }
  const std::string& error() const { return error_; }
  bool syntax_error() const { return syntax_position_ != kNone; }
  std::size_t syntax_position() const { return syntax_position_; }
  const std::string& syntax_token() const { return syntax_token_; }
  const std::string& syntax_message() const { return syntax_message_; }

 private:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  // Where the next value goes, as a JSON path for messages: learner.trees[3].
  std::string where() const {
    std::string out;
    for (const auto& segment : path_) out += segment;
    return out.empty() ? "the top-level object" : out;
  }

  bool fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  // Inserts `v` into the innermost open container (or makes it the root).
  json* insert(json v) {
    if (++values_ > limits_.max_values) {
      fail("more than " + std::to_string(limits_.max_values) +
           " JSON values; the limit for a model");
      return nullptr;
    }
    if (stack_.empty()) {
      if (has_root_) {
        fail("more than one top-level value");
        return nullptr;
      }
      has_root_ = true;
      root_ = std::move(v);
      return &root_;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      last_segment_ = "[" + std::to_string(top.size()) + "]";
      top.push_back(std::move(v));
      return &top.back();
    }
    last_segment_ = (stack_.size() == 1 ? "" : ".") + key_;
    auto [it, fresh] = top.emplace(key_, std::move(v));
    if (!fresh) {
      fail("duplicate key \"" + key_ + "\" in " + where());
      return nullptr;
    }
    return &*it;
  }

  bool add(json v) { return insert(std::move(v)) != nullptr; }

  bool open(json container) {
    if (stack_.size() >= limits_.max_depth) {
      return fail("nested deeper than " + std::to_string(limits_.max_depth) + " levels at " +
                  where());
    }
    json* slot = insert(std::move(container));
    if (!slot) return false;
    // Pointers stay valid: only the innermost open container is ever modified, and a
    // parent array only grows after this child is closed.
    path_.push_back(stack_.empty() ? std::string() : last_segment_);
    stack_.push_back(slot);
    return true;
  }

  bool close() {
    stack_.pop_back();
    path_.pop_back();
    return true;
  }

  const XgboostJsonLimits& limits_;
  json root_;
  bool has_root_ = false;
  std::vector<json*> stack_;
  std::vector<std::string> path_;
  std::string key_;
  std::string last_segment_;
  std::size_t values_ = 0;
  std::string error_;
  std::size_t syntax_position_ = kNone;
  std::string syntax_token_;
  std::string syntax_message_;
};

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line
// 1, column 9: " prefix (we print our own position).
std::string parser_reason(const std::string& message) {
  auto pos = message.find(": ");
  return pos == std::string::npos ? message : message.substr(pos + 2);
}

// NaN, Infinity, -Infinity, nan, inf: what a model with non-finite values looks like.
// nlohmann's "last read" text can start before the offending value ("5.0,N").
bool non_finite_literal(std::string token) {
  auto cut = token.find_last_of(",:[{ \t\r\n");
  if (cut != std::string::npos) token.erase(0, cut + 1);
  if (!token.empty() && token[0] == '-') token.erase(0, 1);
  if (token.empty()) return false;
  char c = token[0];
  return c == 'N' || c == 'I' || c == 'i' || (token.size() >= 2 && token.substr(0, 2) == "na");
}

}  // namespace

Result<nlohmann::json> parse_xgboost_json(std::string_view text, const std::string& source,
                                          const XgboostJsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Error::invalid(source + ": larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return Error::invalid(source + ": the file is empty; expected an XGBoost JSON model");
  }
  if (text[first] != '{') {
    return Error::invalid(source + ":" + line_column(text, first) +
                          ": expected a JSON object ({...}); is this an XGBoost JSON model? "
                          "(binary and UBJSON models are not read here; save with a .json name)");
  }
  LimitedBuilder builder(limits);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                         /*strict=*/true);
  } catch (const std::exception& e) {  // allocation failure and the like
    return Error::invalid(source + ": cannot parse: " + e.what());
  }
  if (ok) return std::move(builder.root());
  if (!builder.error().empty()) return Error::invalid(source + ": " + builder.error());
  if (builder.syntax_error()) {
    // nlohmann's position counts the offending character; report that character.
    std::size_t at = builder.syntax_position() > 0 ? builder.syntax_position() - 1 : 0;
    std::string where = source + ":" + line_column(text, at) + ": ";
    if (builder.syntax_position() >= text.size()) {
      return Error::invalid(where + "the file is truncated (" +
                            parser_reason(builder.syntax_message()) + ")");
    }
    if (non_finite_literal(builder.syntax_token())) {
      return Error::invalid(where +
                            "non-finite number: the model has NaN or infinite values (leaves, "
                            "thresholds or covers), which cannot be scored");
    }
    return Error::invalid(where + "invalid JSON: " + parser_reason(builder.syntax_message()));
  }
  return Error::invalid(source + ": invalid JSON");
}

Result<std::string> read_xgboost_text(const std::string& path, const XgboostJsonLimits& limits) {
  return io::read_file(path, limits.max_bytes, "a model");
}

Result<nlohmann::json> read_xgboost_json(const std::string& path, const XgboostJsonLimits& limits) {
  auto text = io::read_file(path, limits.max_bytes, "a model");
  if (!text) return text.error();
  return parse_xgboost_json(*text, path, limits);
}

bool starts_like_xgboost_model(const std::string& path) {
  std::string bytes = io::read_head(path, 256);
  std::string_view head(bytes);
  auto skip = [&](std::size_t from) { return head.find_first_not_of(" \t\r\n", from); };
  auto brace = skip(0);
  if (brace == std::string_view::npos || head[brace] != '{') return false;
  auto key = skip(brace + 1);
  return key != std::string_view::npos && head.substr(key, 9) == "\"learner\"";
}

}  // namespace ledgerflow::plugins
