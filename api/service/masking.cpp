#include "api/service/masking.h"

namespace ledgerflow::api {

std::set<std::string> masked_keys(const std::vector<std::string>& paths) {
  std::set<std::string> keys;
  for (const auto& p : paths) {
    const auto dot = p.rfind('.');
    keys.insert(dot == std::string::npos ? p : p.substr(dot + 1));
  }
  return keys;
}

void mask_json(nlohmann::json& value, const std::set<std::string>& keys) {
  if (keys.empty()) return;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (keys.count(it.key()) && !it.value().is_null()) {
        it.value() = kMasked;
      } else {
        mask_json(it.value(), keys);
      }
    }
  } else if (value.is_array()) {
    for (auto& v : value) mask_json(v, keys);
  }
}

}  // namespace ledgerflow::api
