#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "vitrina/base/env_reader.hpp"
#include "vitrina/redis/client.hpp"

namespace vitrina::cache {

// Behaviour of the catalog cache. Environment names and defaults:
//   CACHE_ENABLED=true             false: every Get runs the loader, outcome kDisabled
//   CACHE_TTL_SECONDS=600          safety net: every entry expires, whatever invalidation did
//   CACHE_BREAKER_FAILURES=1       consecutive Redis failures that open the circuit breaker
//   CACHE_PROBE_INTERVAL_MS=500    how often the background probe PINGs Redis while open
//   CACHE_LOCAL_MAX_BYTES=67108864 bodies this instance keeps to skip re-reading them from Redis
//                                  (each use is checked against Redis first); 0 turns that off
//   CACHE_LOCAL_LEASE_MS=50        how long a check of a kept body lets it be sent without
//                                  asking Redis again; every invalidation waits this long
//                                  before it returns, so no instance sends a body from before a
//                                  write once the write answered. The same on every instance
//                                  sharing a Redis. 0: every use is checked
//   CACHE_SENDFILE_MIN_BYTES=32768 a kept body at least this large is also held in a sealed
//                                  in-memory file sent with sendfile(2); 0: never
//   CACHE_SHARED_BODY_MIN_BYTES=1048576  a body at least this large is stored once under its
//                                  content's key, whatever query produced it; 0: never
//   CACHE_CLIENT_MISSES_PER_MINUTE=300   uncached catalog queries one client (user id, or address
//                                  for anonymous reads) may start per minute; beyond, 429 with
//                                  Retry-After. Hits and admins are never counted. 0: no limit
//   CACHE_RECOMPRESS_MIN_BYTES=65536  a compressed variant of a body at least this large is made
//                                  with a fast level on the request's path, then replaced by a
//                                  smaller one made in the background; smaller bodies get the
//                                  smaller level at once. 0: never recompress (fast level only)
//   CACHE_MAX_ENTRY_BYTES=67108864  the largest answer stored; a larger one (a streamed catalog)
//                                  is sent and not stored, and its key answers X-Cache: BYPASS
//                                  with X-Cache-Bypass: too-large until a write invalidates it
//                                  (or CACHE_TTL_SECONDS pass). 0: no limit
//   CACHE_KEY_PREFIX=               put before every Redis key this deployment writes (cache and
//                                  login limiter), so deployments can share a Redis ("staging:")
struct CacheSettings {
  bool enabled = true;
  std::chrono::seconds ttl{600};
  int breaker_failure_threshold = 1;
  std::chrono::milliseconds probe_interval{500};
  std::size_t local_max_bytes = std::size_t{64} * 1024 * 1024;
  std::chrono::milliseconds local_lease{50};
  std::size_t sendfile_min_bytes = std::size_t{32} * 1024;
  std::size_t shared_body_min_bytes = std::size_t{1024} * 1024;
  std::int64_t client_misses_per_minute = 300;
  std::size_t recompress_min_bytes = std::size_t{64} * 1024;
  std::size_t max_entry_bytes = std::size_t{64} * 1024 * 1024;
  std::string key_prefix;  // validated by redis::core::ValidateKeyPrefix
};

// Everything the composition root needs to build the cache. Where Redis is (REDIS_URL,
// REDIS_CLUSTER_NODES, REDIS_TLS...): redis/settings.hpp. How the cache uses it:
//   CACHE_REDIS_TIMEOUT_MS=50      per-command timeout: the most a request pays for a slow Redis
//   CACHE_REDIS_CONNECTIONS=1      connections per Redis node, per I/O thread (+1 set)
// With neither REDIS_URL nor REDIS_CLUSTER_NODES set, the cache is disabled.
struct CacheConfig {
  CacheSettings cache;
  redis::RedisSettings redis;
};

// Reads the variables above; problems are collected in `env` (reported all at once by the caller).
CacheConfig ReadCacheConfig(base::EnvReader& env);
// CACHE_LOCAL_LEASE_MS alone: what `vitrina demo cache` must wait after a DEL of its own.
std::chrono::milliseconds ReadLocalLease(base::EnvReader& env);

}  // namespace vitrina::cache
