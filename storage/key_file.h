// The HMAC key that pseudonymises sensitive feature values in decision records
// (engine/scoring/pseudonym.h), read from a key file.
//
// The key is the file's bytes, as they are (32 random bytes when created here; a longer
// key, e.g. 64 hex characters, works too). Refused, with a message saying what to do: a
// file shorter than 32 bytes (a weak key), a file readable or writable by others (a
// leaked key makes pseudonyms reversible for small value sets), anything that is not a
// regular file. Files longer than 4 KiB are refused too (not a key file).
//
// Default location: next to the database, "<db>.hmac-key", created once with mode 0600
// (O_EXCL, so two processes starting at once agree on one key). A configured key file
// (`hmac_key_file`) is never created: a typo must not silently start a new key.
// Thread-safety: stateless functions (file system calls only).
#pragma once

#include <string>

#include "engine/common/result.h"

namespace ledgerflow::storage {

inline constexpr std::size_t kMinHmacKeyBytes = 32;

// "<database>.hmac-key".
std::string default_hmac_key_path(const std::string& database);

// Reads the key at `path`; when it does not exist and `create_if_missing`, creates it.
// not_found (absent, not created), invalid_argument (too short, too long, not a regular
// file, readable by others), io_error (cannot read or create).
Result<std::string> load_hmac_key(const std::string& path, bool create_if_missing);

// The key for a database: `configured` if set (never created), else the default file
// next to `database` (created once).
Result<std::string> hmac_key_for(const std::string& configured, const std::string& database);

}  // namespace ledgerflow::storage
