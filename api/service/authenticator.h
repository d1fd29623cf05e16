// Authenticator: turns an `Authorization: Bearer <key>` header into a Principal.
//
// The users file holds SHA-256 hashes of API keys, never the keys:
//
//   users:
//     alice: {roles: [ap_clerk], key_sha256: 5f0c...}   # 64 hex digits
//
// A presented key is hashed and compared with every stored hash in constant time
// (CRYPTO_memcmp, and no early exit over users), so response timing says nothing about
// which bytes or which user matched. A user without key_sha256 cannot sign in over the API
// (the CLI may still act as them).
// Thread-safety: immutable after load(); authenticate() may be called concurrently.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/service/principal.h"
#include "engine/common/result.h"

namespace ledgerflow::api {

class Authenticator {
 public:
  // invalid_argument naming the file, the user and the problem for a malformed file (bad
  // hash, unknown keys, roles not a list); io_error when it cannot be read.
  static Result<Authenticator> load(const std::string& users_file);

  // unauthenticated: no header, not "Bearer <key>", or an unknown key.
  Result<Principal> authenticate(std::optional<std::string_view> authorization) const;

  // Roles of a known user (for delegation checks and the CLI), nullopt when unknown.
  std::optional<Principal> user(std::string_view name) const;
  std::size_t size() const { return entries_.size(); }
  // Users holding `role`, sorted (route modules assign work to them).
  std::vector<std::string> users_with_role(std::string_view role) const;

  // Lower-case hex SHA-256 of `key` (what the users file stores).
  static std::string hash_key(std::string_view key);

 private:
  struct Entry {
    Principal principal;
    bool has_key = false;
    std::array<unsigned char, 32> key_sha256{};
  };
  std::vector<Entry> entries_;
};

}  // namespace ledgerflow::api
