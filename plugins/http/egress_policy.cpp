#include "plugins/http/egress_policy.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>

namespace ledgerflow::plugins {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// One allow_hosts entry against a host: "name", "*.suffix", optionally ":port".
bool entry_matches(std::string_view entry, const std::string& host, std::uint16_t port) {
  std::string_view name = entry;
  if (const auto colon = entry.rfind(':');
      colon != std::string_view::npos && entry.find(':') == colon) {
    if (entry.substr(colon + 1) != std::to_string(port)) return false;
    name = entry.substr(0, colon);
  }
  const std::string want = lower(name);
  if (want.starts_with("*.")) {
    const std::string suffix = want.substr(1);  // ".example.com"
    return host.size() > suffix.size() && host.ends_with(suffix);
  }
  return host == want;
}

struct V4Range {
  std::uint32_t network;
  int bits;
};

constexpr std::uint32_t v4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

// Everything but the public internet (IANA special-purpose registry).
constexpr std::array<V4Range, 15> kNonPublicV4 = {{
    {v4(0, 0, 0, 0), 8},        // "this network"
    {v4(10, 0, 0, 0), 8},       // private
    {v4(100, 64, 0, 0), 10},    // carrier-grade NAT
    {v4(127, 0, 0, 0), 8},      // loopback
    {v4(169, 254, 0, 0), 16},   // link-local (cloud metadata)
    {v4(172, 16, 0, 0), 12},    // private
    {v4(192, 0, 0, 0), 24},     // IETF protocol assignments
    {v4(192, 0, 2, 0), 24},     // documentation
    {v4(192, 168, 0, 0), 16},   // private
    {v4(198, 18, 0, 0), 15},    // benchmarking
    {v4(198, 51, 100, 0), 24},  // documentation
    {v4(203, 0, 113, 0), 24},   // documentation
    {v4(224, 0, 0, 0), 4},      // multicast
    {v4(240, 0, 0, 0), 4},      // reserved, broadcast
    {v4(192, 88, 99, 0), 24},   // 6to4 relay anycast
}};

bool non_public_v4(const boost::asio::ip::address_v4& a) {
  const std::uint32_t x = a.to_uint();
  return std::any_of(kNonPublicV4.begin(), kNonPublicV4.end(), [x](const V4Range& r) {
    const std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t{0} << (32 - r.bits);
    return (x & mask) == r.network;
  });
}

std::mutex g_mu;
EgressPolicy g_default;

}  // namespace

bool egress_host_allowed(const EgressPolicy& policy, std::string_view host, std::uint16_t port) {
  if (policy.allow_hosts.empty()) return true;
  const std::string h = lower(host);
  return std::any_of(policy.allow_hosts.begin(), policy.allow_hosts.end(),
                     [&](const std::string& e) { return entry_matches(e, h, port); });
}

bool is_non_public_address(const boost::asio::ip::address& address) {
  if (address.is_v4()) return non_public_v4(address.to_v4());
  const auto a6 = address.to_v6();
  if (a6.is_v4_mapped()) {
    return non_public_v4(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a6));
  }
  const auto bytes = a6.to_bytes();
  const bool unique_local = (bytes[0] & 0xfe) == 0xfc;                       // fc00::/7
  const bool documentation = bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0x0d &&
                             bytes[3] == 0xb8;                                 // 2001:db8::/32
  const bool nat64 = bytes[0] == 0x00 && bytes[1] == 0x64 && bytes[2] == 0xff &&
                     bytes[3] == 0x9b;                                         // 64:ff9b::/96
  return a6.is_loopback() || a6.is_unspecified() || a6.is_link_local() || a6.is_site_local() ||
         a6.is_multicast() || a6.is_v4_compatible() || unique_local || documentation || nat64;
}

void set_default_egress_policy(EgressPolicy policy) {
  std::lock_guard lock(g_mu);
  g_default = std::move(policy);
}

EgressPolicy default_egress_policy() {
  std::lock_guard lock(g_mu);
  return g_default;
}

}  // namespace ledgerflow::plugins
