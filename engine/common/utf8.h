// UTF-8: the one validator and encoder of the definition parser, the expression lexer
// and the record types. "Valid" means well-formed UTF-8 as RFC 3629 defines it: no
// overlong forms, no surrogates (U+D800..U+DFFF), nothing beyond U+10FFFF.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ledgerflow::utf8 {

// Length (1..4) of the valid UTF-8 sequence starting at s[i], or 0 if it is invalid
// (bad lead byte, truncated, bad continuation byte, overlong, surrogate, too large).
// Requires i < s.size().
std::size_t sequence_length(std::string_view s, std::size_t i);

// Offset of the first byte that does not start a valid sequence, or npos.
std::size_t find_invalid(std::string_view s);

inline bool is_valid(std::string_view s) {
  return find_invalid(s) == std::string_view::npos;
}

// Appends code point `cp` (at most U+10FFFF, not a surrogate) encoded as UTF-8.
void append(std::string& out, std::uint32_t cp);

// The largest offset <= `cut` that does not split a sequence (it does not point at a
// continuation byte): where to cut text so the prefix stays whole characters.
// Requires cut < s.size().
std::size_t floor_boundary(std::string_view s, std::size_t cut);

// Code points in s (continuation bytes not counted); s is assumed valid.
std::size_t count_code_points(std::string_view s);

}  // namespace ledgerflow::utf8
