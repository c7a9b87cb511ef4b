// The indexed key registry against a real Redis (single and cluster): a write reads only what may
// contain its item, however many other keys are registered, and old buckets are dropped.
#include <algorithm>
#include <set>

#include "cache/cache_test_support.hpp"
#include "vitrina/cache/catalog_registry.hpp"

namespace vitrina::cache::testing {
namespace {

class CacheRegistryTest : public CacheTest {
 protected:
  CatalogRegistry MakeRegistry() {
    return CatalogRegistry(
        spec_, std::chrono::seconds(600), "",
        [this](redis::RedisArgs args, base::RequestTrace*,
               std::string_view) -> asio::awaitable<base::Result<redis::RedisReply>> {
          auto reply = co_await probe_->client().Command(std::move(args));
          if (reply.ok() && reply->IsError()) {
            co_return base::MakeError(base::ErrorCode::kUnavailable, reply->text);
          }
          co_return reply;
        });
  }
  void Register(CatalogRegistry& registry, const cache::core::CacheKey& key) {
    ASSERT_TRUE(pool_.Run(registry.Register(key, nullptr)).ok()) << key.str();
  }
  std::set<std::string> KeysForWrite(CatalogRegistry& registry, const core::ItemValues& item) {
    std::vector<core::ItemValues> versions = {item};
    auto keys = pool_.Run(registry.KeysForWrite(versions));
    EXPECT_TRUE(keys.ok());
    return keys.ok() ? std::set<std::string>(keys->begin(), keys->end()) : std::set<std::string>{};
  }
};

TEST_P(CacheRegistryTest, AWriteReadsNoneOfThousandsOfKeysThatCannotContainItsItem) {
  auto registry = MakeRegistry();
  const auto relevant =
      std::vector<cache::core::CacheKey>{Key({}),
                                         Key({{"cut", {"Fair"}}}),
                                         Key({{"cut", {"Fair"}}, {"color", {"J"}}}),
                                         Key({{"price_min", {"800"}}, {"limit", {"5"}}}),
                                         Key({{"price_max", {"900"}}}),
                                         Key({{"color", {"E"}}})};
  for (const auto& key : relevant) Register(registry, key);
  // The junk a user can create: other categories, prices far from the item's, in both indexes.
  for (int i = 0; i < 1000; ++i) {
    const auto n = std::to_string(i);
    Register(registry, Key({{"cut", {"Ideal"}}, {"price_min", {n}}}));
    Register(registry, Key({{"limit", {"1"}}, {"price_min", {std::to_string(100000 + i)}}}));
    Register(registry, Key({{"price_max", {std::to_string(i % 800)}}, {"limit", {n}}}));
  }
  const auto found = KeysForWrite(registry, Diamond("Fair", "E", 900));
  std::set<std::string> expected;
  for (const auto& key : relevant) expected.insert(key.str());
  EXPECT_EQ(found, expected);
}

TEST_P(CacheRegistryTest, OldBucketsAreDroppedAndCurrentOnesKept) {
  auto registry = MakeRegistry();
  Register(registry, Key({{"cut", {"Fair"}}}));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count() /
                   600;
  // A bucket no writer reads any more, as an instance left it long ago.
  const auto old = now - 10;
  for (redis::RedisArgs args :
       {redis::RedisArgs{"SADD", registry.ManifestKey(old), "*"},
        redis::RedisArgs{"SADD", registry.IndexKey(old, "*"), "catalog:all"}}) {
    ASSERT_TRUE(probe_->Command(std::move(args)).ok());
  }
  ASSERT_TRUE(pool_.Run(registry.DropOldBuckets(20)).ok());
  EXPECT_FALSE(probe_->Exists(registry.ManifestKey(old)));
  EXPECT_FALSE(probe_->Exists(registry.IndexKey(old, "*")));
  EXPECT_TRUE(probe_->Exists(registry.ManifestKey(now)));
  EXPECT_EQ(KeysForWrite(registry, Diamond("Fair", "E", 900)),
            (std::set<std::string>{"catalog:cut=Fair"}));
}

INSTANTIATE_TEST_SUITE_P(Redis, CacheRegistryTest,
                         ::testing::Values(RedisMode::kSingle, RedisMode::kCluster), ModeName);

}  // namespace
}  // namespace vitrina::cache::testing
