// URL decoding for request targets: percent-decoding, path segments and query strings.
// Written here rather than taken from a library because Boost 1.74 ships no Boost.URL and
// the rules we need are short; they are strict on purpose: a malformed escape, an encoded
// NUL, or a "." / ".." segment is an error (400) rather than something to guess about.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/common/result.h"

namespace ledgerflow::api::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::size_t kMaxPathSegments = 64;
inline constexpr std::size_t kMaxQueryParams = 128;

// Decodes %XX escapes; with plus_is_space, '+' becomes ' ' (form/query encoding).
// Fails on a truncated or non-hex escape and on a decoded NUL byte.
Result<std::string> percent_decode(std::string_view text, bool plus_is_space);

// "/v1/a%20b/c" -> {"v1", "a b", "c"}. "/" -> {}. The path must start with '/'. Empty
// segments are kept ("/a//b" -> {"a", "", "b"}; "/a/" -> {"a", ""}) so such paths match
// no route rather than silently aliasing another. "." and ".." (also when encoded) fail.
Result<std::vector<std::string>> split_path(std::string_view path);

// "a=1&b=x+y&c&a=2" -> {{"a","1"},{"b","x y"},{"c",""},{"a","2"}}, in order, repeats kept.
// Empty pieces ("a=1&&b=2") are skipped.
Result<QueryParams> parse_query(std::string_view query);

}  // namespace ledgerflow::api::http
