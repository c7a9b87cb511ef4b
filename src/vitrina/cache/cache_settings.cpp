#include "vitrina/cache/cache_settings.hpp"

#include "vitrina/redis/core/key_prefix.hpp"
#include "vitrina/redis/settings.hpp"

namespace vitrina::cache {

std::chrono::milliseconds ReadLocalLease(base::EnvReader& env) {
  return std::chrono::milliseconds(
      env.Integer("CACHE_LOCAL_LEASE_MS", CacheSettings{}.local_lease.count(), 0, 1000));
}

CacheConfig ReadCacheConfig(base::EnvReader& env) {
  CacheConfig config;
  config.cache.enabled = env.Boolean("CACHE_ENABLED", true);
  config.cache.ttl =
      std::chrono::seconds(env.Integer("CACHE_TTL_SECONDS", 600, 1, std::int64_t{7} * 86400));
  config.cache.breaker_failure_threshold =
      static_cast<int>(env.Integer("CACHE_BREAKER_FAILURES", 1, 1, 1000));
  config.cache.probe_interval =
      std::chrono::milliseconds(env.Integer("CACHE_PROBE_INTERVAL_MS", 500, 10, 60000));
  config.cache.local_max_bytes = static_cast<std::size_t>(env.Integer(
      "CACHE_LOCAL_MAX_BYTES", std::int64_t{64} * 1024 * 1024, 0, std::int64_t{1} << 40));
  config.cache.local_lease = ReadLocalLease(env);
  config.cache.sendfile_min_bytes = static_cast<std::size_t>(
      env.Integer("CACHE_SENDFILE_MIN_BYTES", std::int64_t{32} * 1024, 0, std::int64_t{1} << 40));
  config.cache.shared_body_min_bytes = static_cast<std::size_t>(env.Integer(
      "CACHE_SHARED_BODY_MIN_BYTES", std::int64_t{1024} * 1024, 0, std::int64_t{1} << 40));
  config.cache.client_misses_per_minute =
      env.Integer("CACHE_CLIENT_MISSES_PER_MINUTE", 300, 0, std::int64_t{1} << 40);
  config.cache.recompress_min_bytes = static_cast<std::size_t>(
      env.Integer("CACHE_RECOMPRESS_MIN_BYTES", std::int64_t{64} * 1024, 0, std::int64_t{1} << 40));
  config.cache.max_entry_bytes = static_cast<std::size_t>(env.Integer(
      "CACHE_MAX_ENTRY_BYTES", std::int64_t{64} * 1024 * 1024, 0, std::int64_t{1} << 40));
  config.cache.key_prefix = env.String("CACHE_KEY_PREFIX", "");
  if (auto valid = redis::core::ValidateKeyPrefix(config.cache.key_prefix); !valid) {
    env.AddProblem(valid.error().message);
  }
  config.redis = redis::ReadRedisSettings(env);
  config.redis.command_timeout =
      std::chrono::milliseconds(env.Integer("CACHE_REDIS_TIMEOUT_MS", 50, 1, 10000));
  config.redis.transfer_timeout =
      std::chrono::milliseconds(env.Integer("CACHE_REDIS_TRANSFER_TIMEOUT_MS", 2000, 1, 60000));
  if (config.redis.transfer_timeout < config.redis.command_timeout) {
    env.AddProblem("CACHE_REDIS_TRANSFER_TIMEOUT_MS must be at least CACHE_REDIS_TIMEOUT_MS");
  }
  config.redis.connections_per_node =
      static_cast<int>(env.Integer("CACHE_REDIS_CONNECTIONS", 1, 1, 64));

  if (config.redis.nodes.empty()) config.cache.enabled = false;
  return config;
}

}  // namespace vitrina::cache
