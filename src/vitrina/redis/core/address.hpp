#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"

namespace vitrina::redis::core {

// Where one Redis node listens and how to log in to it.
struct RedisAddress {
  std::string host;
  int port = 6379;
  std::string user;      // AUTH user password when both are set (Redis 6 ACL users)
  std::string password;  // sent with AUTH on connect when non-empty; never logged
  bool tls = false;      // rediss://: the connection is TLS

  std::string HostPort() const { return host + ":" + std::to_string(port); }
};

// "redis://[[user]:password@]host[:port][/db]" or the same with "rediss://" (TLS; Azure's
// convention). db must be 0: cluster mode has only db 0 and we keep one model.
base::Result<RedisAddress> ParseRedisUrl(std::string_view url);

// "host:port,host:port,..." (REDIS_CLUSTER_NODES), at least one.
base::Result<std::vector<RedisAddress>> ParseHostPortList(std::string_view list);

}  // namespace vitrina::redis::core
