// Loading a definition from a file: the file IO around def::load_definition(), kept
// out of the pure core (lf_core) because it reads the filesystem.
// Thread-safety: a free function; concurrent calls are independent.
#pragma once

#include <string>

#include "engine/common/result.h"
#include "engine/definition/loader.h"

namespace ledgerflow::def {

// Reads and loads a file; the format follows the extension (.json, .yaml/.yml), else
// the content. IO failures (missing file, a directory, unreadable) are an Error, not
// problems, so callers can tell "invalid definition" from "could not read".
Result<LoadResult> load_definition_file(const std::string& path, LoadOptions options = {});

}  // namespace ledgerflow::def
