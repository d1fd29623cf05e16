#include "engine/scoring/pseudonym.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace ledgerflow::scoring {
namespace {

// "invoice.lines[0].iban" -> {"invoice", "lines", "0", "iban"} (the segments expr paths use).
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : path) {
    if (c == '.' || c == '[' || c == ']') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// One of the two paths is a prefix (segment-wise) of the other.
bool nested(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return n > 0;
}

}  // namespace

nlohmann::json pseudonymise(const nlohmann::json& value, std::string_view key) {
  if (value.is_null()) return nullptr;
  if (key.empty()) return std::string(kPseudonymPrefix) + "unkeyed";
  const std::string text = value.dump();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &len);
  std::string out(kPseudonymPrefix);
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", mac[i]);
    out += buf;
  }
  return out;
}

bool is_sensitive_feature(const def::Definition& d, const std::string& name,
                          const def::Expr& feature) {
  for (const auto& s : d.sensitive) {
    const auto sensitive = split_path(s);
    if (sensitive.empty()) continue;
    if (name == s || name == sensitive.back()) return true;
    if (!feature.program) continue;
    for (const auto& read : feature.program->paths()) {
      if (nested(read, sensitive)) return true;
      for (const auto& segment : read) {
        if (segment == sensitive.back()) return true;
      }
    }
  }
  return false;
}

}  // namespace ledgerflow::scoring
