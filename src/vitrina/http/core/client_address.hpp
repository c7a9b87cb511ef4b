#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "vitrina/http/core/message.hpp"

namespace vitrina::http::core {

// Most proxies a deployment may declare in front of the service (TRUSTED_PROXY_HOPS).
inline constexpr int kMaxTrustedProxyHops = 10;

// The address a request came from, for per-client limits such as the login rate limit.
//
// `peer_address` is the TCP peer. `forwarded_for` is every X-Forwarded-For value of the request,
// in header order, joined with ','. `trusted_proxy_hops` is how many proxies of our own sit in
// front of the service and append the address they received from (Azure Container Apps ingress:
// 1). With 0 the header is ignored: anyone can send it, so believing it would let a client pick
// its own rate-limit bucket.
//
// With N hops the client is the N-th entry from the right: the entries left of it were written
// by the client (or proxies we do not run) and are never believed. With fewer than N entries
// the leftmost is used (every entry then came from a trusted proxy). No entries, or an entry
// that is not an IP address, gives the peer address.
std::string ResolveClientAddress(std::string_view peer_address, std::string_view forwarded_for,
                                 int trusted_proxy_hops);

// An IP address as proxies write it, in one canonical spelling: "203.0.113.7:5123" and
// "203.0.113.7" → "203.0.113.7", "[2001:DB8::1]:443" → "2001:db8::1", "::ffff:10.0.0.1" →
// "10.0.0.1". nullopt for anything else ("unknown", host names, obfuscated identifiers).
std::optional<std::string> NormalizeIpAddress(std::string_view text);

// The client's address for per-client limits: the TCP peer, or with `trusted_proxy_hops` > 0
// (TRUSTED_PROXY_HOPS) the address our own proxies recorded in X-Forwarded-For (every such header
// counts, in order), by the rules of ResolveClientAddress. "unknown" when there is none.
std::string ClientAddress(const Request& request, int trusted_proxy_hops);

}  // namespace vitrina::http::core
