// docs/cache.md, "Write path": the contract keys of a write (`catalog:all` and
// `catalog:<category>=<value>` of each item version) are deleted even when the registry lost
// them, against a real Redis (single and cluster).
#include <chrono>

#include "cache/cache_test_support.hpp"
#include "vitrina/cache/catalog_registry.hpp"

namespace vitrina::cache::testing {
namespace {

class CacheLostRegistryTest : public CacheTest {
 protected:
  // Deletes every bucket a writer could read (and one more each side), as a lost registry.
  void ForgetRegistry(std::chrono::seconds ttl) {
    // Only names keys (no prefix, as the instances here use); it never sends a command.
    const CatalogRegistry names(
        spec_, ttl, "",
        [](redis::RedisArgs, base::RequestTrace*,
           std::string_view) -> asio::awaitable<base::Result<redis::RedisReply>> {
          co_return base::MakeError(base::ErrorCode::kInternal, "not used");
        });
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count() /
                     ttl.count();
    for (auto bucket = now - CatalogRegistry::kBucketsBack - 1;
         bucket <= now + CatalogRegistry::kBucketsAhead + 1; ++bucket) {
      redis::RedisArgs members = {"SMEMBERS", names.ManifestKey(bucket)};
      auto indexes = probe_->Command(std::move(members));
      ASSERT_TRUE(indexes.ok());
      for (const auto& index : indexes->elements) {
        redis::RedisArgs drop = {"DEL", names.IndexKey(bucket, index.text)};
        ASSERT_TRUE(probe_->Command(std::move(drop)).ok());
      }
      redis::RedisArgs drop = {"DEL", names.ManifestKey(bucket)};
      ASSERT_TRUE(probe_->Command(std::move(drop)).ok());
      EXPECT_FALSE(probe_->Exists(names.ManifestKey(bucket)));
    }
  }
};

TEST_P(CacheLostRegistryTest,
       AWriteDeletesTheContractKeysOfEachVersionEvenWhenTheRegistryLostThem) {
  const auto settings = FastSettings();
  auto instance = NewInstance(settings);
  FakeCatalog db;
  const std::vector<cache::core::CacheKey> contract = {
      Key({}),                       // catalog:all
      Key({{"cut", {"Good"}}}),      // the old version's category values
      Key({{"color", {"J"}}}),       //
      Key({{"cut", {"Fair"}}}),      // the new version's
      Key({{"color", {"E"}}}),       //
      Key({{"clarity", {"SI1"}}})};  // both versions'
  const std::vector<cache::core::CacheKey> unaffected = {Key({{"cut", {"Ideal"}}}),
                                                         Key({{"color", {"F"}}})};
  for (const auto* keys : {&contract, &unaffected}) {
    for (const auto& key : *keys) {
      ASSERT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kMiss) << key.str();
    }
  }
  ASSERT_EQ(contract.front().str(), "catalog:all");
  ForgetRegistry(settings.ttl);

  // An update moving an item from Good/J to Fair/E (both SI1).
  std::vector<cache::core::ItemValues> versions = {Diamond("Good", "J", 500),
                                                   Diamond("Fair", "E", 900)};
  ASSERT_TRUE(pool_.Run(instance->cache.InvalidateForWrite(versions)).ok());
  for (const auto& key : contract) EXPECT_FALSE(probe_->Exists(key.str())) << key.str();
  // Nothing else is guessed: keys no version names stay.
  for (const auto& key : unaffected) EXPECT_TRUE(probe_->Exists(key.str())) << key.str();
  db.version = 2;
  const auto refreshed = Get(instance->cache, contract[3], db);
  EXPECT_EQ(refreshed.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(*refreshed.body, "body-v2");
}

INSTANTIATE_TEST_SUITE_P(Redis, CacheLostRegistryTest,
                         ::testing::Values(RedisMode::kSingle, RedisMode::kCluster), ModeName);

}  // namespace
}  // namespace vitrina::cache::testing
