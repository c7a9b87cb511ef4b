// Redis slow, stopped and restarted: requests pay at most one timeout, the breaker sends them to
// the loader, invalidations that could not reach Redis are repaired before Redis is used again.
#include <chrono>
#include <cstdlib>

#include "cache/cache_test_support.hpp"
#include "support/api_harness.hpp"
#include "support/own_redis.hpp"

namespace vitrina::cache::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Generous bounds: the machine is shared and the suite also runs under ASan.
constexpr auto kOneTimeout = 300ms;  // the 50 ms command timeout plus scheduling noise
constexpr auto kNoRedis = 40ms;      // a request that does not touch Redis at all

using itest::WaitUntil;

class CacheFaultTest : public CacheTest {
 protected:
  // Runs one Get and returns it with its duration.
  std::pair<CachedResponse, Clock::duration> TimedGet(CatalogCache& cache,
                                                      const cache::core::CacheKey& key,
                                                      FakeCatalog& db) {
    const auto start = Clock::now();
    auto response = Get(cache, key, db);
    return {response, Clock::now() - start};
  }
};

TEST_P(CacheFaultTest, SlowRedisCostsOneTimeoutAndLostInvalidationsAreRepairedBeforeReuse) {
  auto writer = NewInstance();
  auto reader = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});
  ASSERT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kMiss);
  ASSERT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kHit);

  // Redis stops executing writes and scripts (reads still work) for 1.5 s.
  const redis::RedisArgs pause = {"CLIENT", "PAUSE", "1500", "WRITE"};
  probe_->OnEveryNode(pause);

  // A write commits; its invalidation cannot complete.
  db.version = 2;
  std::vector<cache::core::ItemValues> versions = {Diamond("Fair", "E", 900)};
  const auto invalidation = pool_.Run(writer->cache.InvalidateForWrite(versions));
  EXPECT_FALSE(invalidation.ok());
  EXPECT_TRUE(writer->cache.Health().repair_pending);
  EXPECT_FALSE(writer->cache.Health().usable);

  // The writer's instance no longer trusts Redis: straight to the loader, new data, no wait.
  const auto [bypassed, bypass_time] = TimedGet(writer->cache, key, db);
  EXPECT_EQ(bypassed.outcome, CacheOutcome::kBypass);
  EXPECT_EQ(*bypassed.body, "body-v2");
  EXPECT_LT(bypass_time, kNoRedis);

  // Another instance pays one timeout (its miss path needs a script), then none.
  const auto [slow, slow_time] = TimedGet(reader->cache, Key({{"cut", {"Good"}}}), db);
  EXPECT_EQ(slow.outcome, CacheOutcome::kBypass);
  EXPECT_LT(slow_time, kOneTimeout);
  const auto errors = reader->cache.Counters().redis_errors;
  const auto [fast, fast_time] = TimedGet(reader->cache, Key({{"cut", {"Ideal"}}}), db);
  EXPECT_EQ(fast.outcome, CacheOutcome::kBypass);
  EXPECT_LT(fast_time, kNoRedis);
  EXPECT_EQ(reader->cache.Counters().redis_errors, errors);
  EXPECT_EQ(reader->cache.Health().breaker, "open");

  // Redis recovers; the probes close the breakers, the writer's only after its repair flush.
  EXPECT_TRUE(WaitUntil(
      [&] { return writer->cache.Health().usable && reader->cache.Health().usable; }, 5s));
  EXPECT_FALSE(writer->cache.Health().repair_pending);
  for (auto* instance : {writer.get(), reader.get()}) {
    const auto after = Get(instance->cache, key, db);
    EXPECT_NE(after.outcome, CacheOutcome::kBypass);
    EXPECT_EQ(*after.body, "body-v2") << "stale answer served after recovery";
  }
}

INSTANTIATE_TEST_SUITE_P(Redis, CacheFaultTest,
                         ::testing::Values(RedisMode::kSingle, RedisMode::kCluster), ModeName);

TEST(CacheOutageTest, RedisStoppedAndRestartedBypassesThenRecoversWithoutStaleAnswers) {
  // CACHE_TEST_OUTAGE_PORT pins the port (e.g. to one a firewall leaves open); a free one
  // otherwise.
  const char* port_text = std::getenv("CACHE_TEST_OUTAGE_PORT");
  const int port = (port_text != nullptr && *port_text != '\0')
                       ? std::atoi(port_text)
                       : static_cast<int>(itest::FreePort());
  itest::OwnRedis server({.port = static_cast<std::uint16_t>(port),
                          .append_only = false,
                          .extra_args = "",
                          .tls = {}});
  ASSERT_TRUE(server.Start());

  AsioPool pool;
  const auto spec = DiamondsSpec();
  redis::RedisSettings redis;
  redis::core::RedisAddress address;
  address.host = "127.0.0.1";
  address.port = port;
  redis.nodes.push_back(address);
  CacheInstance instance(pool, redis, spec, FastSettings());
  FakeCatalog db;
  const auto key = cache::core::CacheKey::ForCatalog({{"cut", {"Fair"}}});
  const auto get = [&] {
    const auto start = Clock::now();
    auto response = pool.Run(instance.cache.Get(key, db.MakeLoader()));
    EXPECT_TRUE(response.ok());
    return std::pair{*response, Clock::now() - start};
  };
  ASSERT_EQ(get().first.outcome, CacheOutcome::kMiss);
  ASSERT_EQ(get().first.outcome, CacheOutcome::kHit);

  server.Stop();
  const auto [down, down_time] = get();
  EXPECT_EQ(down.outcome, CacheOutcome::kBypass);
  EXPECT_LT(down_time, kOneTimeout);
  const auto [still_down, still_down_time] = get();
  EXPECT_EQ(still_down.outcome, CacheOutcome::kBypass);
  EXPECT_LT(still_down_time, kNoRedis);

  db.version = 2;
  std::vector<cache::core::ItemValues> versions = {Diamond("Fair", "E", 900)};
  EXPECT_FALSE(pool.Run(instance.cache.InvalidateForWrite(versions)).ok());
  EXPECT_EQ(*get().first.body, "body-v2");

  ASSERT_TRUE(server.Start());
  EXPECT_TRUE(WaitUntil([&] { return instance.cache.Health().usable; }, 5s));
  const auto [after, after_time] = get();
  EXPECT_EQ(after.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(*after.body, "body-v2");
  EXPECT_EQ(get().first.outcome, CacheOutcome::kHit);
}

}  // namespace
}  // namespace vitrina::cache::testing
