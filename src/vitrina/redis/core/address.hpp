#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"

namespace vitrina::redis::core {

// Where one Redis node listens.
struct RedisAddress {
  std::string host;
  int port = 6379;
  std::string password;  // sent with AUTH on connect when non-empty; never logged

  std::string HostPort() const { return host + ":" + std::to_string(port); }
};

// "redis://[[user]:password@]host[:port][/db]" (db must be 0: cluster mode has only db 0 and we
// keep one model). rediss:// (TLS) is refused: hiredis 0.14 has no TLS.
base::Result<RedisAddress> ParseRedisUrl(std::string_view url);

// "host:port,host:port,..." (REDIS_CLUSTER_NODES), at least one.
base::Result<std::vector<RedisAddress>> ParseHostPortList(std::string_view list);

}  // namespace vitrina::redis::core
