// How deep JSON text nests, measured on the raw text before parsing: deeply nested
// input would overflow the stack of a recursive parser or printer, so it is refused up
// front. Brackets inside strings (escapes honoured) do not count.
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

namespace ledgerflow {

// The offset of the first '{' or '[' that opens level max_depth + 1, or npos when the
// text never nests deeper than max_depth. Stray closing brackets are ignored (the parser
// reports them).
std::size_t find_too_deep_json(std::string_view text, std::size_t max_depth);

}  // namespace ledgerflow
