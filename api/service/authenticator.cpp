#include "api/service/authenticator.h"

#include <algorithm>

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <set>

namespace ledgerflow::api {
namespace {

constexpr std::size_t kMaxUsers = 10'000;
constexpr std::size_t kMaxKeyBytes = 512;

std::array<unsigned char, 32> sha256(std::string_view s) {
  std::array<unsigned char, 32> out{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), out.data());
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_hex32(std::string_view hex, std::array<unsigned char, 32>& out) {
  if (hex.size() != 64) return false;
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

std::string Authenticator::hash_key(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : sha256(key)) {
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

Result<Authenticator> Authenticator::load(const std::string& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file);
  } catch (const YAML::BadFile&) {
    return Error::io(file + ": cannot read the users file");
  } catch (const YAML::Exception& e) {
    return Error::invalid(file + ":" + std::to_string(e.mark.line + 1) + ":" +
                          std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  auto bad = [&](const YAML::Node& at, const std::string& what) {
    const auto m = at.Mark();
    return Error::invalid(file + ":" + std::to_string(m.line + 1) + ":" +
                          std::to_string(m.column + 1) + ": " + what);
  };
  Authenticator a;
  const YAML::Node users = root["users"];
  if (!users || !users.IsMap()) return bad(root, "expected a 'users' mapping");
  if (users.size() > kMaxUsers) return bad(users, "more than 10000 users");
  std::set<std::string> hashes;
  for (const auto& kv : users) {
    Entry e;
    e.principal.user = kv.first.as<std::string>();
    const YAML::Node spec = kv.second;
    const std::string who = "user '" + e.principal.user + "': ";
    if (e.principal.user == "system") {
      return bad(kv.first, who + "the name is reserved for the engine itself");
    }
    if (!spec.IsMap()) return bad(spec, who + "expected {roles: [...], key_sha256: ...}");
    for (const auto& field : spec) {
      const std::string key = field.first.as<std::string>();
      if (key != "roles" && key != "key_sha256") {
        return bad(field.first, who + "unknown field '" + key + "' (expected roles, key_sha256)");
      }
    }
    const YAML::Node roles = spec["roles"];
    if (!roles || !roles.IsSequence()) return bad(spec, who + "'roles' must be a list");
    for (const auto& r : roles) e.principal.roles.push_back(r.as<std::string>());
    if (const YAML::Node h = spec["key_sha256"]) {
      const std::string hex = h.as<std::string>();
      if (!parse_hex32(hex, e.key_sha256)) {
        return bad(h, who +
                          "key_sha256 must be 64 hex digits (the SHA-256 of the key, never "
                          "the key itself)");
      }
      if (!hashes.insert(hex).second) return bad(h, who + "the same key is given to two users");
      e.has_key = true;
    }
    a.entries_.push_back(std::move(e));
  }
  return a;
}

Result<Principal> Authenticator::authenticate(std::optional<std::string_view> header) const {
  if (!header) {
    return Error{ErrorCode::unauthenticated,
                 "missing Authorization header (expected 'Authorization: Bearer <api key>')"};
  }
  std::string_view v = *header;
  // The scheme is case-insensitive (RFC 7235 section 2.1; RFC 6750 "Bearer").
  constexpr std::string_view kBearer = "bearer ";
  bool bearer = v.size() >= kBearer.size();
  for (std::size_t i = 0; bearer && i < kBearer.size(); ++i) {
    bearer = std::tolower(static_cast<unsigned char>(v[i])) == kBearer[i];
  }
  if (!bearer) {
    return Error{ErrorCode::unauthenticated, "Authorization must be 'Bearer <api key>'"};
  }
  v.remove_prefix(kBearer.size());
  if (v.empty() || v.size() > kMaxKeyBytes) {
    return Error{ErrorCode::unauthenticated, "the API key is empty or too long"};
  }
  const auto presented = sha256(v);
  const Entry* match = nullptr;
  for (const Entry& e : entries_) {  // no early exit: the same work whoever matches
    const bool same = e.has_key && CRYPTO_memcmp(e.key_sha256.data(), presented.data(), 32) == 0;
    if (same) match = &e;
  }
  if (!match) return Error{ErrorCode::unauthenticated, "unknown API key"};
  return match->principal;
}

std::optional<Principal> Authenticator::user(std::string_view name) const {
  for (const Entry& e : entries_) {
    if (e.principal.user == name) return e.principal;
  }
  return std::nullopt;
}

std::vector<std::string> Authenticator::users_with_role(std::string_view role) const {
  std::vector<std::string> out;
  for (const Entry& e : entries_) {
    if (e.principal.has(role)) out.push_back(e.principal.user);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ledgerflow::api
