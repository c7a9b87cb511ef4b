#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>

#include "vitrina/redis/client.hpp"
#include "vitrina/redis/connection.hpp"

namespace vitrina::redis {

// Redis Cluster client: routes each command by the CRC16 slot of its key using the map from
// CLUSTER SLOTS, follows MOVED (updating the map) and ASK (ASKING + the command on that node,
// once). The map is loaded lazily and reloaded after a transport error, since a failed node usually
// means a failover moved its slots.
class RedisClusterClient final : public RedisClient {
 public:
  RedisClusterClient(boost::asio::any_io_executor executor, RedisSettings settings);

  boost::asio::awaitable<base::Result<RedisReply>> Command(RedisArgs args) override;
  std::string Describe() const override;

 private:
  static constexpr int kMaxRedirects = 5;

  RedisConnection& Node(const core::RedisAddress& address);
  std::optional<core::RedisAddress> SlotOwner(int slot) const;
  boost::asio::awaitable<base::Status> RefreshSlots();

  boost::asio::any_io_executor executor_;
  RedisSettings settings_;
  mutable std::shared_mutex slots_mutex_;
  bool slots_loaded_ = false;
  std::array<std::string, 16384> slot_owner_;  // "host:port", empty when unknown
  std::mutex nodes_mutex_;
  std::map<std::string, std::unique_ptr<RedisConnection>> nodes_;
};

}  // namespace vitrina::redis
