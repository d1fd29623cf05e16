// file_sha256(): the SHA-256 of a file as 64 lower-case hex digits (OpenSSL EVP),
// recorded in meta.json so a model names the exact data it was trained on.
// Thread-safety: stateless.
#pragma once

#include <string>

#include "engine/common/result.h"

namespace ledgerflow::datagen {

// not_found / io_error when the file cannot be read.
Result<std::string> file_sha256(const std::string& path);

}  // namespace ledgerflow::datagen
