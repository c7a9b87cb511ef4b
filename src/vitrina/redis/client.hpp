#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "vitrina/base/result.hpp"
#include "vitrina/redis/connection.hpp"
#include "vitrina/redis/core/address.hpp"
#include "vitrina/redis/reply.hpp"

namespace vitrina::redis {

// How to reach Redis: one node (REDIS_URL) or a cluster (REDIS_CLUSTER_NODES, seeds).
struct RedisSettings {
  std::vector<core::RedisAddress> nodes;  // one address in single-node mode, seeds in cluster mode
  bool cluster = false;
  RedisTlsSettings tls;                              // every node, seeds and discovered ones alike
  const base::AccessTokenSource* token = nullptr;    // REDIS_AUTH=managed-identity: every node
  std::chrono::milliseconds command_timeout{50};     // CACHE_REDIS_TIMEOUT_MS: silence allowed
  std::chrono::milliseconds transfer_timeout{2000};  // CACHE_REDIS_TRANSFER_TIMEOUT_MS: total
  int connections_per_node = 1;                      // CACHE_REDIS_CONNECTIONS: per node
};

// What the cache needs from Redis: one command at a time, routed to the node that owns its key.
// Every command the cache sends touches one hash slot. Transport failures and timeouts come back
// as base::ErrorCode::kUnavailable; Redis error replies as RedisReply values of type kError.
// Implementations are thread-safe. Tests may substitute their own.
class RedisClient {
 public:
  virtual ~RedisClient() = default;
  virtual boost::asio::awaitable<base::Result<RedisReply>> Command(RedisArgs args) = 0;
  // For logs and /readyz: "redis://host:port", "rediss://host:port" (TLS), "cluster(host:port,...)"
  // or "tls-cluster(host:port,...)".
  virtual std::string Describe() const = 0;
};

// Single-node client when !settings.cluster, otherwise the slot-routing cluster client. With no
// node at all (no REDIS_URL nor REDIS_CLUSTER_NODES), a stand-in that answers every command
// kUnavailable "Redis is not configured" and describes itself as "none"; so do the clients below.
std::unique_ptr<RedisClient> MakeRedisClient(const boost::asio::any_io_executor& executor,
                                             const RedisSettings& settings);

// One such client per I/O thread, plus one for every other caller. A command awaited on one of
// `executors` goes through that executor's own connections, on the same event loop, so a cache
// check does not travel to another thread and back (two wake-ups per request on the hit path).
// Commands awaited anywhere else (the cache's background probe, the reload listener) use the
// client built on `fallback`. Redis sees (executors + 1) x connections_per_node connections.
std::unique_ptr<RedisClient> MakePerExecutorRedisClient(
    const std::vector<boost::asio::any_io_executor>& executors,
    const boost::asio::any_io_executor& fallback, const RedisSettings& settings);

}  // namespace vitrina::redis
