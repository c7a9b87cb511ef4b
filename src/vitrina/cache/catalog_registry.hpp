#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "vitrina/base/request_trace.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/cache/core/cache_match.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/redis/reply.hpp"

namespace vitrina::cache {

// The registry of cached keys in Redis, which writers read to find the answers they change
// (docs/cache.md, "Registry"). Keys go into time buckets (unix time / TTL); in each bucket, into
// the one index core::RegistryEntriesForKey chooses ("vitrina:catalog-index:<bucket>:<index>", a
// set, or a sorted set scored by a range bound), and the index's name into the bucket's manifest
// ("vitrina:catalog-index:<bucket>"), manifest first. None of these keys has a TTL: under the
// volatile-* eviction policy Vitrina asks for, Redis never evicts them, so a write can never miss
// a key because its registration was evicted. Old buckets are deleted by DropOldBuckets instead.
class CatalogRegistry {
 public:
  // Sends one command; errors (transport or an error reply) are failures. `name` labels it in
  // the request's dependencies.
  using Send = std::function<boost::asio::awaitable<base::Result<redis::RedisReply>>(
      redis::RedisArgs, base::RequestTrace*, std::string_view)>;

  // Buckets a writer reads: the current one, two older (an entry registered up to 2 TTLs ago may
  // still have a live value when its loader was slow) and one newer (clock skew).
  static constexpr int kBucketsBack = 2;
  static constexpr int kBucketsAhead = 1;

  // `spec` must outlive the registry. Every Redis key it names starts with `key_prefix`
  // (CACHE_KEY_PREFIX); the members of its indexes are catalog keys without it, as CacheKey has
  // them.
  CatalogRegistry(const catalog::core::DatasetSpec& spec, std::chrono::seconds ttl,
                  std::string key_prefix, Send send);

  // Registers `key` in the current bucket. Must complete before the key's version is read.
  boost::asio::awaitable<base::Status> Register(const core::CacheKey& key,
                                                base::RequestTrace* trace);

  // Every registered key a write of these item versions may affect (a superset: the caller
  // still applies core::ItemMayAffectKey), from the buckets a writer reads.
  boost::asio::awaitable<base::Result<std::vector<std::string>>> KeysForWrite(
      const std::vector<core::ItemValues>& versions);

  // Every registered key of the buckets a writer reads, and those of the previous release's
  // registry ("vitrina:catalog-keys:<bucket>"), so a flush after an upgrade misses nothing.
  boost::asio::awaitable<base::Result<std::vector<std::string>>> AllKeys();

  // Deletes the buckets older than any writer reads, `reach` buckets back from the oldest kept.
  // Ends early, with the status so far, once `stopping` holds: the first cleanup goes a day back,
  // 86,400 buckets with a 1 s TTL, and must not hold up a server's stop.
  boost::asio::awaitable<base::Status> DropOldBuckets(int reach,
                                                      const std::atomic<bool>& stopping);

  std::string ManifestKey(std::int64_t bucket) const;
  std::string IndexKey(std::int64_t bucket, std::string_view index) const;

 private:
  std::int64_t CurrentBucket() const;
  // The indexes that exist in `bucket` (its manifest).
  boost::asio::awaitable<base::Result<std::vector<std::string>>> Indexes(std::int64_t bucket);
  // Keys of one index; for a scored index, only those within `read`'s bound.
  boost::asio::awaitable<base::Status> ReadIndex(std::int64_t bucket, std::string_view index,
                                                 std::string_view command, std::string min,
                                                 std::string max, std::vector<std::string>& keys);

  const catalog::core::DatasetSpec& spec_;
  const std::chrono::seconds ttl_;
  const std::string key_prefix_;
  Send send_;
};

}  // namespace vitrina::cache
