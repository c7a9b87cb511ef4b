#pragma once

#include <string>

#include "vitrina/http/message.hpp"

namespace vitrina::http {

// The client's address for per-client limits: the TCP peer, or with `trusted_proxy_hops` > 0
// (TRUSTED_PROXY_HOPS) the address our own proxies recorded in X-Forwarded-For (every such header
// counts, in order). Rules: core::ResolveClientAddress. "unknown" when there is none.
std::string ClientAddress(const Request& request, int trusted_proxy_hops);

}  // namespace vitrina::http
