// Retry jitter: where in [delay/2, delay] a retry's backoff lands, derived from the
// instance, the state and the attempt so that replay computes the same due time.
//
// The hash is specified, not the standard library's: FNV-1a 64-bit (offset basis
// 0xcbf29ce484222325, prime 0x100000001b3) over the bytes
//     instance_id  0x00  state_name  0x00  attempt-in-decimal-ASCII
// and the jitter is that hash mod 1000, in thousandths of the upper half of the delay.
// Instances started before this scheme (their state has no "jitter" field) keep the old
// std::hash-based draw, so their stored histories still verify.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ledgerflow::rt {

// The name recorded in a new instance's state and start event.
inline constexpr const char* kJitterFnv1a = "fnv1a64";

std::uint64_t fnv1a64(std::string_view bytes);

// 0..999. `scheme` is the instance's recorded scheme: kJitterFnv1a, or empty for the
// std::hash draw of instances started before it existed.
std::uint32_t retry_jitter_permille(std::string_view scheme, const std::string& instance_id,
                                    const std::string& state, std::uint32_t attempt);

}  // namespace ledgerflow::rt
