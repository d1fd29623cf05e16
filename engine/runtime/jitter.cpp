#include "engine/runtime/jitter.h"

#include <functional>

namespace ledgerflow::rt {

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint32_t retry_jitter_permille(std::string_view scheme, const std::string& instance_id,
                                    const std::string& state, std::uint32_t attempt) {
  if (scheme.empty()) {
    // Legacy: implementation-defined, kept only so that instances written by earlier
    // builds keep their recorded retry due times on replay.
    std::size_t h =
        std::hash<std::string>{}(instance_id + "/" + state + "/" + std::to_string(attempt));
    return static_cast<std::uint32_t>(h % 1000);
  }
  std::string bytes;
  bytes.reserve(instance_id.size() + state.size() + 12);
  bytes.append(instance_id);
  bytes.push_back('\0');
  bytes.append(state);
  bytes.push_back('\0');
  bytes.append(std::to_string(attempt));
  return static_cast<std::uint32_t>(fnv1a64(bytes) % 1000);
}

}  // namespace ledgerflow::rt
