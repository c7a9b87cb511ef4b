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

// Times are checked against the command timeout these tests configure, never as absolute
// latencies: a call that waited for Redis took at least one timeout and less than a few (the suite
// runs under ASan on a shared machine); one that did not touch Redis added no Redis error.
constexpr auto kTimeout = 500ms;
constexpr auto kPause = 3000ms;  // long enough that every timed call below runs inside it
constexpr int kSlack = 4;        // a loaded machine's scheduling, in timeouts

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
  redis_settings_.command_timeout = kTimeout;
  auto writer = NewInstance();
  auto reader = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});
  ASSERT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kMiss);
  ASSERT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kHit);

  // Redis stops executing writes and scripts (reads still work) for the pause.
  const redis::RedisArgs pause = {"CLIENT", "PAUSE", std::to_string(kPause.count()), "WRITE"};
  probe_->OnEveryNode(pause);

  // A write commits; its invalidation cannot complete.
  db.version = 2;
  std::vector<cache::core::ItemValues> versions = {Diamond("Fair", "E", 900)};
  const auto invalidation = pool_.Run(writer->cache.InvalidateForWrite(versions));
  EXPECT_FALSE(invalidation.ok());
  EXPECT_TRUE(writer->cache.Health().repair_pending);
  EXPECT_FALSE(writer->cache.Health().usable);

  // The writer's instance no longer trusts Redis: straight to the loader, new data, no wait.
  const auto writer_errors = writer->cache.Counters().redis_errors;
  const auto [bypassed, bypass_time] = TimedGet(writer->cache, key, db);
  EXPECT_EQ(bypassed.outcome, CacheOutcome::kBypass);
  EXPECT_EQ(*bypassed.body, "body-v2");
  EXPECT_EQ(writer->cache.Counters().redis_errors, writer_errors);
  EXPECT_LT(bypass_time, kTimeout);

  // Another instance pays at most one timeout (its miss path needs a script; or its probe loop's
  // first registry clean-up, a write, paid it already and opened the breaker), then none.
  const auto [slow, slow_time] = TimedGet(reader->cache, Key({{"cut", {"Good"}}}), db);
  EXPECT_EQ(slow.outcome, CacheOutcome::kBypass);
  EXPECT_LT(slow_time, kTimeout * kSlack);
  const auto errors = reader->cache.Counters().redis_errors;
  EXPECT_GT(errors, 0U);
  const auto [fast, fast_time] = TimedGet(reader->cache, Key({{"cut", {"Ideal"}}}), db);
  EXPECT_EQ(fast.outcome, CacheOutcome::kBypass);
  EXPECT_LT(fast_time, kTimeout);  // it did not wait for Redis
  // Not trusted: open, or already probing if the probe interval passed on a loaded machine (a
  // probe's PING queued behind the held writes may then count a Redis error of its own, so the
  // error counter is not compared here).
  EXPECT_NE(reader->cache.Health().breaker, "closed");
  EXPECT_FALSE(reader->cache.Health().usable);

  // Redis recovers; the probes close the breakers, the writer's only after its repair flush.
  EXPECT_TRUE(
      WaitUntil([&] { return writer->cache.Health().usable && reader->cache.Health().usable; },
                kPause + 10s));
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

  // A stopped server refuses connections at once: the first request after the copy's lease (the
  // hit above confirmed it) finds out (a Redis error), the breaker opens, and the next one does
  // not try (no new error).
  server.Stop();
  std::this_thread::sleep_for(FastSettings().local_lease);
  const auto [down, down_time] = get();
  EXPECT_EQ(down.outcome, CacheOutcome::kBypass);
  EXPECT_LT(down_time, redis.command_timeout * kSlack);
  const auto errors = instance.cache.Counters().redis_errors;
  EXPECT_GT(errors, 0U);
  const auto still_down = get().first;
  EXPECT_EQ(still_down.outcome, CacheOutcome::kBypass);
  EXPECT_EQ(instance.cache.Counters().redis_errors, errors);

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
