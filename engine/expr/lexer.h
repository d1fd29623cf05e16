// Lexer: splits expression source into tokens. String literals are decoded here
// (escapes \n \t \r \\ \" \' \/ \uXXXX, surrogate pairs) and must be valid UTF-8, so
// every string the language handles is valid UTF-8.
// Thread-safety: a Lexer is used by one thread; tokenize() is a pure function.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ledgerflow::expr {

enum class Tok : std::uint8_t {
  end,
  error,  // `text` holds the message
  number,
  string,  // `text` holds the decoded value
  ident,
  kw_true,
  kw_false,
  kw_null,
  kw_in,
  lparen,
  rparen,
  lbracket,
  rbracket,
  lbrace,
  rbrace,
  dot,
  comma,
  colon,
  question,
  plus,
  minus,
  star,
  slash,
  percent,
  bang,
  lt,
  le,
  gt,
  ge,
  eq,
  ne,
  and_,
  or_,
};

struct Token {
  Tok kind = Tok::end;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  std::string text;  // decoded string literal or error message
};

// All tokens of `source`, ending with Tok::end, or with the first Tok::error.
std::vector<Token> tokenize(std::string_view source);

// Printable form of a token kind for messages: "')'", "identifier", "end of input".
std::string_view describe(Tok kind);

}  // namespace ledgerflow::expr
