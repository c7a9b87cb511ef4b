#include "vitrina/http/core/client_address.hpp"

#include <algorithm>
#include <vector>

#include "vitrina/base/text.hpp"

namespace vitrina::http::core {

namespace {

// Dotted quad with decimal octets 0-255, printed without leading zeros.
std::optional<std::string> CanonicalIpv4(std::string_view text) {
  std::string out;
  int octets = 0;
  while (true) {
    std::size_t digits = 0;
    int value = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
      value = value * 10 + (text[digits] - '0');
      if (++digits > 3) return std::nullopt;
    }
    if (digits == 0 || value > 255) return std::nullopt;
    out += std::to_string(value);
    text.remove_prefix(digits);
    if (++octets == 4) break;
    if (text.empty() || text.front() != '.') return std::nullopt;
    out += '.';
    text.remove_prefix(1);
  }
  if (!text.empty()) return std::nullopt;
  return out;
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The textual forms of RFC 4291 section 2.2 (with an optional trailing dotted quad), lowercased.
// Not compressed further: one proxy writes one spelling.
std::optional<std::string> CanonicalIpv6(std::string_view text) {
  if (text.size() < 2 || text.size() > 45) return std::nullopt;
  std::string lower(text);
  for (auto& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c + 32);
  }
  std::string_view rest = lower;
  std::string_view ipv4_tail;
  if (const auto last_colon = rest.rfind(':');
      last_colon != std::string_view::npos &&
      rest.find('.', last_colon) != std::string_view::npos) {
    ipv4_tail = rest.substr(last_colon + 1);
    if (!CanonicalIpv4(ipv4_tail)) return std::nullopt;
    rest = rest.substr(0, last_colon + 1);
    // "::ffff:a.b.c.d" is an IPv4 client seen through a dual-stack socket.
    if (rest == "::ffff:") return CanonicalIpv4(ipv4_tail);
    if (rest.size() >= 2 && rest.substr(rest.size() - 2) != "::") rest.remove_suffix(1);
  }
  const auto compressed = rest.find("::");
  if (compressed != std::string_view::npos &&
      rest.find("::", compressed + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  int groups = ipv4_tail.empty() ? 0 : 2;
  std::size_t position = 0;
  while (position < rest.size()) {
    if (rest[position] == ':') {
      ++position;
      continue;
    }
    std::size_t length = 0;
    while (position + length < rest.size() && IsHex(rest[position + length])) ++length;
    if (length == 0 || length > 4) return std::nullopt;
    ++groups;
    position += length;
    if (position < rest.size() && rest[position] != ':') return std::nullopt;
  }
  // A lone ':' at either end (not part of "::") is malformed.
  if ((rest.front() == ':' && rest.substr(0, 2) != "::") ||
      (ipv4_tail.empty() && rest.back() == ':' && rest.substr(rest.size() - 2) != "::")) {
    return std::nullopt;
  }
  const bool ok = compressed == std::string_view::npos ? groups == 8 : groups <= 7;
  if (!ok) return std::nullopt;
  return lower;
}

}  // namespace

std::optional<std::string> NormalizeIpAddress(std::string_view text) {
  text = base::TrimAscii(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {  // "[v6]" or "[v6]:port"
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto after = text.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':' || after.size() < 2 ||
          !std::all_of(after.begin() + 1, after.end(),
                       [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
      }
    }
    return CanonicalIpv6(text.substr(1, close - 1));
  }
  const auto colons = std::count(text.begin(), text.end(), ':');
  if (colons == 0) return CanonicalIpv4(text);
  if (colons == 1) {  // "a.b.c.d:port"
    const auto colon = text.find(':');
    const auto port = text.substr(colon + 1);
    if (port.empty() ||
        !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    return CanonicalIpv4(text.substr(0, colon));
  }
  return CanonicalIpv6(text);
}

std::string ResolveClientAddress(std::string_view peer_address, std::string_view forwarded_for,
                                 int trusted_proxy_hops) {
  std::string peer(peer_address);
  if (trusted_proxy_hops <= 0) return peer;
  std::vector<std::string_view> entries;
  while (!forwarded_for.empty()) {
    const auto comma = forwarded_for.find(',');
    const auto entry = base::TrimAscii(forwarded_for.substr(0, comma));
    if (!entry.empty()) entries.push_back(entry);  // empty list elements are allowed and ignored
    if (comma == std::string_view::npos) break;
    forwarded_for.remove_prefix(comma + 1);
  }
  if (entries.empty()) return peer;
  const auto hops = static_cast<std::size_t>(trusted_proxy_hops);
  const auto chosen = entries.size() >= hops ? entries[entries.size() - hops] : entries.front();
  return NormalizeIpAddress(chosen).value_or(peer);
}

std::string ClientAddress(const Request& request, int trusted_proxy_hops) {
  std::string forwarded_for;
  if (trusted_proxy_hops > 0) {
    for (const auto& [name, value] : request.headers) {
      if (name != "x-forwarded-for") continue;
      if (!forwarded_for.empty()) forwarded_for += ',';
      forwarded_for += value;
    }
  }
  auto address = ResolveClientAddress(request.peer_address, forwarded_for, trusted_proxy_hops);
  return address.empty() ? std::string("unknown") : address;
}

}  // namespace vitrina::http::core
