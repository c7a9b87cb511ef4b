#include "vitrina/redis/core/address.hpp"

#include <charconv>

namespace vitrina::redis::core {
namespace {

base::Result<RedisAddress> ParseHostPort(std::string_view text, std::string_view what) {
  RedisAddress address;
  const auto colon = text.rfind(':');
  address.host = std::string(text.substr(0, colon));
  if (colon != std::string_view::npos) {
    const auto port_text = text.substr(colon + 1);
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), address.port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || address.port < 1 ||
        address.port > 65535) {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             std::string(what) + ": bad port in '" + std::string(text) + "'");
    }
  }
  if (address.host.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           std::string(what) + ": missing host in '" + std::string(text) + "'");
  }
  return address;
}

}  // namespace

base::Result<RedisAddress> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kPlain = "redis://";
  constexpr std::string_view kTls = "rediss://";
  const bool tls = url.starts_with(kTls);
  if (!tls && !url.starts_with(kPlain)) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "REDIS_URL must start with redis:// or rediss:// (TLS)");
  }
  url.remove_prefix(tls ? kTls.size() : kPlain.size());
  std::string user;
  std::string password;
  if (const auto at = url.rfind('@'); at != std::string_view::npos) {
    const auto userinfo = url.substr(0, at);
    const auto colon = userinfo.find(':');
    if (colon == std::string_view::npos) {
      password = std::string(userinfo);  // "redis://secret@host": the password alone
    } else {
      user = std::string(userinfo.substr(0, colon));
      password = std::string(userinfo.substr(colon + 1));
    }
    url.remove_prefix(at + 1);
  }
  if (const auto slash = url.find('/'); slash != std::string_view::npos) {
    const auto db = url.substr(slash + 1);
    if (!db.empty() && db != "0") {
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "REDIS_URL: only database 0 is supported");
    }
    url = url.substr(0, slash);
  }
  auto address = ParseHostPort(url, "REDIS_URL");
  if (address.ok()) {
    address->user = std::move(user);
    address->password = std::move(password);
    address->tls = tls;
  }
  return address;
}

base::Result<std::vector<RedisAddress>> ParseHostPortList(std::string_view list) {
  std::vector<RedisAddress> addresses;
  while (!list.empty()) {
    const auto comma = list.find(',');
    const auto item = list.substr(0, comma);
    if (!item.empty()) {
      auto address = ParseHostPort(item, "REDIS_CLUSTER_NODES");
      if (!address.ok()) return address.error();
      addresses.push_back(std::move(*address));
    }
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  if (addresses.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "REDIS_CLUSTER_NODES lists no host:port");
  }
  return addresses;
}

}  // namespace vitrina::redis::core
