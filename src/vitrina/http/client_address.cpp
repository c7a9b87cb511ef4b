#include "vitrina/http/client_address.hpp"

#include "vitrina/core/client_address.hpp"

namespace vitrina::http {

std::string ClientAddress(const Request& request, int trusted_proxy_hops) {
  std::string forwarded_for;
  if (trusted_proxy_hops > 0) {
    for (const auto& [name, value] : request.headers) {
      if (name != "x-forwarded-for") continue;
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for += value;
    }
  }
  auto address =
      core::ResolveClientAddress(request.peer_address, forwarded_for, trusted_proxy_hops);
  return address.empty() ? std::string("unknown") : address;
}

}  // namespace vitrina::http
