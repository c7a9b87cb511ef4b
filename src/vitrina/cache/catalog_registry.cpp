#include "vitrina/cache/catalog_registry.hpp"

#include <set>

#include "vitrina/base/text.hpp"
#include "vitrina/cache/core/registry.hpp"

namespace vitrina::cache {
namespace {

namespace asio = boost::asio;

constexpr std::string_view kIndexPrefix = "vitrina:catalog-index:";
// The single set per bucket of the release before indexed registries.
constexpr std::string_view kLegacyRegistryPrefix = "vitrina:catalog-keys:";

std::string Score(double value) { return base::FormatNumber(value); }

}  // namespace

CatalogRegistry::CatalogRegistry(const catalog::core::DatasetSpec& spec, std::chrono::seconds ttl,
                                 std::string key_prefix, Send send)
    : spec_(spec), ttl_(ttl), key_prefix_(std::move(key_prefix)), send_(std::move(send)) {}

std::string CatalogRegistry::ManifestKey(std::int64_t bucket) const {
  return key_prefix_ + std::string(kIndexPrefix) + std::to_string(bucket);
}

std::string CatalogRegistry::IndexKey(std::int64_t bucket, std::string_view index) const {
  return ManifestKey(bucket) + ":" + std::string(index);
}

std::int64_t CatalogRegistry::CurrentBucket() const {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return now.count() / ttl_.count();
}

asio::awaitable<base::Status> CatalogRegistry::Register(const core::CacheKey& key,
                                                        base::RequestTrace* trace) {
  const auto params = core::ParseCatalogKey(key.str());
  const auto entries = params ? core::RegistryEntriesForKey(spec_, *params)
                              : std::vector<core::RegistryEntry>{{}};  // "*": read by every write
  const auto bucket = CurrentBucket();
  for (const auto& entry : entries) {
    const std::string index = entry.index.empty() ? std::string("*") : entry.index;
    // The manifest first: a cleaner finds every index it must delete, and a writer that lists
    // the manifest before this entry is added reads the index after it (see docs/cache.md).
    redis::RedisArgs listed = {"SADD", ManifestKey(bucket), index};
    if (auto reply = co_await send_(std::move(listed), trace, "SADD registry_manifest"); !reply) {
      co_return reply.error();
    }
    const bool scored = entry.kind != core::RegistryEntry::Kind::kSet;
    redis::RedisArgs add;
    if (scored) {
      add = {"ZADD", IndexKey(bucket, index), Score(entry.score), key.str()};
    } else {
      add = {"SADD", IndexKey(bucket, index), key.str()};
    }
    const std::string_view name = scored ? "ZADD register_key" : "SADD register_key";
    if (auto reply = co_await send_(std::move(add), trace, name); !reply) {
      co_return reply.error();
    }
  }
  co_return base::OkStatus();
}

asio::awaitable<base::Result<std::vector<std::string>>> CatalogRegistry::Indexes(
    std::int64_t bucket) {
  redis::RedisArgs members = {"SMEMBERS", ManifestKey(bucket)};
  auto reply = co_await send_(std::move(members), nullptr, "SMEMBERS registry_manifest");
  if (!reply) co_return reply.error();
  std::vector<std::string> indexes;
  for (auto& element : reply->elements) indexes.push_back(std::move(element.text));
  co_return indexes;
}

asio::awaitable<base::Status> CatalogRegistry::ReadIndex(std::int64_t bucket,
                                                         std::string_view index,
                                                         std::string_view command, std::string min,
                                                         std::string max,
                                                         std::vector<std::string>& keys) {
  redis::RedisArgs read = {std::string(command), IndexKey(bucket, index)};
  if (command != "SMEMBERS") {
    read.push_back(std::move(min));
    read.push_back(std::move(max));
  }
  const std::string name = std::string(command) + " registry_index";
  auto reply = co_await send_(std::move(read), nullptr, name);
  if (!reply) co_return reply.error();
  for (auto& element : reply->elements) keys.push_back(std::move(element.text));
  co_return base::OkStatus();
}

asio::awaitable<base::Result<std::vector<std::string>>> CatalogRegistry::KeysForWrite(
    const std::vector<core::ItemValues>& versions) {
  std::vector<std::vector<core::RegistryRead>> reads;
  for (const auto& version : versions) {
    auto item_reads = core::RegistryReadsForItem(spec_, version);
    if (!item_reads) {
      co_return co_await AllKeys();  // an item the index cannot place
    }
    reads.push_back(std::move(*item_reads));
  }
  std::vector<std::string> keys;
  const auto current = CurrentBucket();
  for (auto bucket = current - kBucketsBack; bucket <= current + kBucketsAhead; ++bucket) {
    auto indexes = co_await Indexes(bucket);
    if (!indexes) co_return indexes.error();
    const std::set<std::string> present(indexes->begin(), indexes->end());
    for (const auto& item_reads : reads) {
      for (const auto& read : item_reads) {
        if (present.count(read.index) == 0) continue;
        base::Status status = base::OkStatus();
        if (read.kind == core::RegistryEntry::Kind::kSet) {
          status = co_await ReadIndex(bucket, read.index, "SMEMBERS", {}, {}, keys);
        } else if (read.kind == core::RegistryEntry::Kind::kLowerBound) {
          // Keys whose lower bound the item's value reaches.
          status = co_await ReadIndex(bucket, read.index, "ZRANGEBYSCORE", "-inf",
                                      Score(read.value), keys);
        } else {
          status = co_await ReadIndex(bucket, read.index, "ZRANGEBYSCORE", Score(read.value),
                                      "+inf", keys);
        }
        if (!status) co_return status.error();
      }
    }
  }
  co_return keys;
}

asio::awaitable<base::Result<std::vector<std::string>>> CatalogRegistry::AllKeys() {
  std::vector<std::string> keys;
  const auto current = CurrentBucket();
  for (auto bucket = current - kBucketsBack; bucket <= current + kBucketsAhead; ++bucket) {
    auto indexes = co_await Indexes(bucket);
    if (!indexes) co_return indexes.error();
    for (const auto& index : *indexes) {
      const bool scored = index.starts_with("min:") || index.starts_with("max:");
      // Not a conditional expression: g++ 12 miscompiles a co_await inside one. Here it freed
      // a failed read's error twice (found by the 5x integration run: a server that aborted
      // about once in 300 starts when a Redis command timed out during the first flush).
      base::Status status = base::OkStatus();
      if (scored) {
        status = co_await ReadIndex(bucket, index, "ZRANGEBYSCORE", "-inf", "+inf", keys);
      } else {
        status = co_await ReadIndex(bucket, index, "SMEMBERS", {}, {}, keys);
      }
      if (!status) co_return status.error();
    }
    redis::RedisArgs legacy = {
        "SMEMBERS", key_prefix_ + std::string(kLegacyRegistryPrefix) + std::to_string(bucket)};
    auto reply = co_await send_(std::move(legacy), nullptr, "SMEMBERS registry_legacy");
    if (!reply) co_return reply.error();
    for (auto& element : reply->elements) keys.push_back(std::move(element.text));
  }
  co_return keys;
}

asio::awaitable<base::Status> CatalogRegistry::DropOldBuckets(int reach,
                                                              const std::atomic<bool>& stopping) {
  const auto oldest_kept = CurrentBucket() - kBucketsBack;
  for (auto bucket = oldest_kept - 1; bucket >= oldest_kept - reach && !stopping; --bucket) {
    auto indexes = co_await Indexes(bucket);
    if (!indexes) co_return indexes.error();
    // The indexes first, the manifest last: an interrupted cleanup is finished by the next one.
    for (const auto& index : *indexes) {
      redis::RedisArgs drop = {"DEL", IndexKey(bucket, index)};
      if (auto reply = co_await send_(std::move(drop), nullptr, "DEL registry_index"); !reply) {
        co_return reply.error();
      }
    }
    redis::RedisArgs drop = {"DEL", ManifestKey(bucket)};
    if (auto reply = co_await send_(std::move(drop), nullptr, "DEL registry_manifest"); !reply) {
      co_return reply.error();
    }
  }
  co_return base::OkStatus();
}

}  // namespace vitrina::cache
