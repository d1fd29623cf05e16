// EgressPolicy: where the daemon may send outbound HTTP (the `http` action and remote
// scorers). A workflow author, or a user whose input reaches a URL, must not be able to
// make the daemon call its own API, the cloud metadata service or the office network.
//
//  * allow_hosts: host names the calls may go to ("bank.example.com", "*.example.com",
//    either with ":port" to pin the port). Empty: any host that resolves to a public
//    address. Checked on the URL's host before any lookup.
//  * After resolution every address is checked: loopback, link-local (the metadata
//    service, 169.254.169.254), private (RFC 1918, fc00::/7), carrier-grade NAT,
//    unspecified, multicast and reserved ranges are refused unless
//    allow_private_networks is set. The connection goes to the checked addresses only
//    (no second lookup a DNS rebinding could answer differently).
//  * Refusals and connection failures read alike ("not allowed" / "could not connect"),
//    so error texts do not map the network or its ports.
// Thread-safety: plain value type; the functions are pure.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace ledgerflow::plugins {

struct EgressPolicy {
  std::vector<std::string> allow_hosts;
  bool allow_private_networks = false;
  std::size_t max_in_flight = 32;  // outbound calls at once per runner; more are refused
};

// True when `host` (as written in the URL, lower case) and `port` pass allow_hosts.
bool egress_host_allowed(const EgressPolicy& policy, std::string_view host, std::uint16_t port);

// True for addresses only this machine or a private network can reach (see above).
bool is_non_public_address(const boost::asio::ip::address& address);

// The process-wide policy for runners created without one (remote scorers); the daemon
// sets it from its configuration at start, before any model is loaded.
void set_default_egress_policy(EgressPolicy policy);
EgressPolicy default_egress_policy();

}  // namespace ledgerflow::plugins
