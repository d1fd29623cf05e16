#include "engine/expr/lexer.h"

#include <algorithm>

#include "engine/common/utf8.h"

namespace ledgerflow::expr {
namespace {

bool is_ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_ident_char(char c) {
  return is_ident_start(c) || is_digit(c);
}

bool hex4(std::string_view s, std::size_t i, std::uint32_t* out) {
  if (i + 4 > s.size()) return false;
  std::uint32_t v = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    const char c = s[i + k];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return false;
    }
  }
  *out = v;
  return true;
}

class Lexer {
 public:
  explicit Lexer(std::string_view src) : src_(src) {}

  std::vector<Token> run() {
    std::vector<Token> tokens;
    while (true) {
      Token t = next();
      const Tok kind = t.kind;
      tokens.push_back(std::move(t));
      if (kind == Tok::end || kind == Tok::error) return tokens;
    }
  }

 private:
  Token make(Tok kind, std::size_t start, std::size_t len) {
    pos_ = start + len;
    return Token{kind, static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(len), {}};
  }
  Token error(std::size_t at, std::size_t len, std::string message) {
    len = std::min(len, src_.size() - at);  // an escape cut off by the end of input
    return Token{Tok::error, static_cast<std::uint32_t>(at), static_cast<std::uint32_t>(len),
                 std::move(message)};
  }
  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < src_.size() ? src_[pos_ + ahead] : '\0';
  }

  Token next() {
    while (pos_ < src_.size() &&
           (src_[pos_] == ' ' || src_[pos_] == '\t' || src_[pos_] == '\n' || src_[pos_] == '\r')) {
      ++pos_;
    }
    const std::size_t start = pos_;
    if (pos_ >= src_.size()) return make(Tok::end, start, 0);
    const char c = src_[pos_];
    if (is_digit(c)) return number(start);
    if (is_ident_start(c)) return ident(start);
    if (c == '"' || c == '\'') return string(start);
    const char n = peek(1);
    switch (c) {
      case '(':
        return make(Tok::lparen, start, 1);
      case ')':
        return make(Tok::rparen, start, 1);
      case '[':
        return make(Tok::lbracket, start, 1);
      case ']':
        return make(Tok::rbracket, start, 1);
      case '{':
        return make(Tok::lbrace, start, 1);
      case '}':
        return make(Tok::rbrace, start, 1);
      case '.':
        return make(Tok::dot, start, 1);
      case ',':
        return make(Tok::comma, start, 1);
      case ':':
        return make(Tok::colon, start, 1);
      case '?':
        return make(Tok::question, start, 1);
      case '+':
        return make(Tok::plus, start, 1);
      case '-':
        return make(Tok::minus, start, 1);
      case '*':
        return make(Tok::star, start, 1);
      case '/':
        return make(Tok::slash, start, 1);
      case '%':
        return make(Tok::percent, start, 1);
      case '<':
        return n == '=' ? make(Tok::le, start, 2) : make(Tok::lt, start, 1);
      case '>':
        return n == '=' ? make(Tok::ge, start, 2) : make(Tok::gt, start, 1);
      case '!':
        return n == '=' ? make(Tok::ne, start, 2) : make(Tok::bang, start, 1);
      case '=':
        if (n == '=') return make(Tok::eq, start, 2);
        return error(start, 1, "unexpected '=' (did you mean '=='?)");
      case '&':
        if (n == '&') return make(Tok::and_, start, 2);
        return error(start, 1, "unexpected '&' (did you mean '&&'?)");
      case '|':
        if (n == '|') return make(Tok::or_, start, 2);
        return error(start, 1, "unexpected '|' (did you mean '||'?)");
      default:
        break;
    }
    const auto uc = static_cast<unsigned char>(c);
    if (uc < 0x20 || uc >= 0x7F) return error(start, 1, "unexpected byte in expression");
    return error(start, 1, std::string("unexpected character '") + c + "'");
  }

  Token number(std::size_t start) {
    std::size_t p = start;
    while (p < src_.size() && is_digit(src_[p])) ++p;
    if (p + 1 < src_.size() && src_[p] == '.' && is_digit(src_[p + 1])) {
      ++p;
      while (p < src_.size() && is_digit(src_[p])) ++p;
    }
    if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
      std::size_t q = p + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
      if (q < src_.size() && is_digit(src_[q])) {
        while (q < src_.size() && is_digit(src_[q])) ++q;
        p = q;
      } else {
        return error(start, q - start, "malformed number: exponent without digits");
      }
    }
    if (p < src_.size() && is_ident_start(src_[p])) {
      return error(start, p + 1 - start, "malformed number");
    }
    return make(Tok::number, start, p - start);
  }

  Token ident(std::size_t start) {
    std::size_t p = start;
    while (p < src_.size() && is_ident_char(src_[p])) ++p;
    const std::string_view word = src_.substr(start, p - start);
    Tok kind = Tok::ident;
    if (word == "true") {
      kind = Tok::kw_true;
    } else if (word == "false") {
      kind = Tok::kw_false;
    } else if (word == "null") {
      kind = Tok::kw_null;
    } else if (word == "in") {
      kind = Tok::kw_in;
    }
    return make(kind, start, p - start);
  }

  Token string(std::size_t start) {
    const char quote = src_[start];
    std::string value;
    std::size_t p = start + 1;
    while (true) {
      if (p >= src_.size()) return error(start, 1, "unterminated string literal");
      const char c = src_[p];
      if (c == quote) break;
      if (c == '\\') {
        const char e = p + 1 < src_.size() ? src_[p + 1] : '\0';
        switch (e) {
          case 'n':
            value.push_back('\n');
            p += 2;
            continue;
          case 't':
            value.push_back('\t');
            p += 2;
            continue;
          case 'r':
            value.push_back('\r');
            p += 2;
            continue;
          case '\\':
            value.push_back('\\');
            p += 2;
            continue;
          case '"':
            value.push_back('"');
            p += 2;
            continue;
          case '\'':
            value.push_back('\'');
            p += 2;
            continue;
          case '/':
            value.push_back('/');
            p += 2;
            continue;
          case 'u': {
            std::uint32_t cp = 0;
            if (!hex4(src_, p + 2, &cp))
              return error(p, 2, "invalid \\u escape (expected 4 hex digits)");
            std::size_t len = 6;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
              std::uint32_t low = 0;
              if (p + 7 < src_.size() && src_[p + 6] == '\\' && src_[p + 7] == 'u' &&
                  hex4(src_, p + 8, &low) && low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                len = 12;
              } else {
                return error(p, 6, "unpaired surrogate in \\u escape");
              }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
              return error(p, 6, "unpaired surrogate in \\u escape");
            }
            utf8::append(value, cp);
            p += len;
            continue;
          }
          default:
            return error(p, 2, "invalid escape sequence in string literal");
        }
      }
      const std::size_t len = utf8::sequence_length(src_, p);
      if (len == 0) return error(p, 1, "invalid UTF-8 in string literal");
      value.append(src_.substr(p, len));
      p += len;
    }
    Token t = make(Tok::string, start, p + 1 - start);
    t.text = std::move(value);
    return t;
  }

  std::string_view src_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<Token> tokenize(std::string_view source) {
  return Lexer(source).run();
}

std::string_view describe(Tok kind) {
  switch (kind) {
    case Tok::end:
      return "end of input";
    case Tok::error:
      return "invalid token";
    case Tok::number:
      return "number";
    case Tok::string:
      return "string";
    case Tok::ident:
      return "identifier";
    case Tok::kw_true:
      return "'true'";
    case Tok::kw_false:
      return "'false'";
    case Tok::kw_null:
      return "'null'";
    case Tok::kw_in:
      return "'in'";
    case Tok::lparen:
      return "'('";
    case Tok::rparen:
      return "')'";
    case Tok::lbracket:
      return "'['";
    case Tok::rbracket:
      return "']'";
    case Tok::lbrace:
      return "'{'";
    case Tok::rbrace:
      return "'}'";
    case Tok::dot:
      return "'.'";
    case Tok::comma:
      return "','";
    case Tok::colon:
      return "':'";
    case Tok::question:
      return "'?'";
    case Tok::plus:
      return "'+'";
    case Tok::minus:
      return "'-'";
    case Tok::star:
      return "'*'";
    case Tok::slash:
      return "'/'";
    case Tok::percent:
      return "'%'";
    case Tok::bang:
      return "'!'";
    case Tok::lt:
      return "'<'";
    case Tok::le:
      return "'<='";
    case Tok::gt:
      return "'>'";
    case Tok::ge:
      return "'>='";
    case Tok::eq:
      return "'=='";
    case Tok::ne:
      return "'!='";
    case Tok::and_:
      return "'&&'";
    case Tok::or_:
      return "'||'";
  }
  return "token";
}

}  // namespace ledgerflow::expr
