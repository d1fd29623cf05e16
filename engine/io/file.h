// Reading a whole file with a size limit: the one file reader of the model loaders,
// dataset readers and the CLI. IO, so it is not part of the pure core (engine/definition,
// engine/expr): it belongs with the runtime and the adapters.
// Thread-safety: stateless; safe to call from many threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/common/result.h"

namespace ledgerflow::io {

// The bytes of the file at `path`, if it holds at most `max_bytes`. Errors name the path:
//   not_found         "<path>: no such file"
//   io_error          a directory ("is a directory, not a file"), or it cannot be
//                     examined, opened or read
//   invalid_argument  "<path>: larger than <max_bytes> bytes, the limit for <what>"
// At most max_bytes + 1 bytes are read, so a huge file is refused without loading it.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes,
                              std::string_view what = "this file");

// Up to the first `count` bytes of the file (fewer if it is shorter); empty if it cannot
// be read. For sniffing a format from a file's head.
std::string read_head(const std::string& path, std::size_t count);

}  // namespace ledgerflow::io
