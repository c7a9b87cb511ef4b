// Read-through behaviour against a real Redis (single node and cluster): hits, misses, TTL, ETags,
// the disabled switch and single flight.
#include <thread>

#include "cache/cache_test_support.hpp"
#include "support/own_redis.hpp"

namespace vitrina::cache::testing {
namespace {

class CacheReadTest : public CacheTest {
 protected:
  // `count` Get()s of `key` started at once on the pool; their answers, once all have returned.
  std::vector<std::optional<base::Result<CachedResponse>>> GetConcurrently(
      CatalogCache& cache, const cache::core::CacheKey& key, const Loader& loader, int count) {
    std::vector<std::optional<base::Result<CachedResponse>>> responses(count);
    std::vector<std::future<void>> requests;
    requests.reserve(responses.size());
    for (auto& response : responses) {
      requests.push_back(asio::co_spawn(
          pool_.executor(),
          [&]() -> asio::awaitable<void> { response.emplace(co_await cache.Get(key, loader)); },
          asio::use_future));
    }
    for (auto& request : requests) request.get();
    return responses;
  }
};

TEST_P(CacheReadTest, MissStoresThenHitReturnsTheSameBytesAndEtag) {
  auto instance = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});

  const auto first = Get(instance->cache, key, db);
  EXPECT_EQ(first.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(*first.body, "body-v1");
  EXPECT_EQ(first.etag, cache::core::BodyEtag("body-v1"));

  db.version = 2;  // not invalidated: the cache keeps answering with what it stored
  const auto second = Get(instance->cache, key, db);
  EXPECT_EQ(second.outcome, CacheOutcome::kHit);
  EXPECT_EQ(*second.body, "body-v1");
  EXPECT_EQ(second.etag, first.etag);
  EXPECT_EQ(db.loads, 1);

  // What a user sees with redis-cli: the contract's key, a TTL, the ETag beside the body.
  EXPECT_TRUE(probe_->Exists("catalog:cut=Fair"));
  redis::RedisArgs ttl = {"TTL", "catalog:cut=Fair"};
  const auto remaining = probe_->Command(std::move(ttl));
  ASSERT_TRUE(remaining.ok());
  EXPECT_GT(remaining->integer, 0);
  EXPECT_LE(remaining->integer, 60);
  const auto counters = instance->cache.Counters();
  EXPECT_EQ(counters.hits, 1u);
  EXPECT_EQ(counters.misses, 1u);
  EXPECT_EQ(counters.stores, 1u);
}

// Each instance keeps the bodies it read or stored, but sends one only after Redis confirmed (a
// GETRANGE of the entry's header, which carries a stamp drawn at each store) that the key still
// holds exactly those bytes, less than a lease ago.
TEST_P(CacheReadTest, LocalCopiesAreSentOnlyWhileRedisHoldsTheSameEntry) {
  auto a = NewInstance();
  auto b = NewInstance();
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});

  EXPECT_EQ(Get(a->cache, key, db).outcome, CacheOutcome::kMiss);  // a stores and keeps a copy
  EXPECT_EQ(*Get(a->cache, key, db).body, "body-v1");
  EXPECT_EQ(a->cache.Counters().local_hits, 1u);
  EXPECT_EQ(*Get(b->cache, key, db).body, "body-v1");  // b reads the body from Redis once...
  EXPECT_EQ(b->cache.Counters().local_hits, 0u);
  EXPECT_EQ(*Get(b->cache, key, db).body, "body-v1");  // ...then uses its copy
  EXPECT_EQ(b->cache.Counters().local_hits, 1u);
  EXPECT_EQ(b->cache.LocalUsage().entries, 1u);

  // A write through b: a's copy is not sent, a runs the query again and stores v2.
  db.version = 2;
  ASSERT_TRUE(pool_.Run(b->cache.InvalidateForWrite({Diamond("Fair", "E", 900)})).ok());
  const auto after_write = Get(a->cache, key, db);
  EXPECT_EQ(after_write.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(*after_write.body, "body-v2");
  // b's copy (v1) no longer matches the entry a stored: b reads v2 from Redis.
  const auto replaced = Get(b->cache, key, db);
  EXPECT_EQ(replaced.outcome, CacheOutcome::kHit);
  EXPECT_EQ(*replaced.body, "body-v2");
  EXPECT_EQ(replaced.etag, cache::core::BodyEtag("body-v2"));
  EXPECT_EQ(b->cache.Counters().local_hits, 1u);
  EXPECT_EQ(*Get(b->cache, key, db).body, "body-v2");
  EXPECT_EQ(b->cache.Counters().local_hits, 2u);

  // The same bytes stored again (e.g. after a TTL expiry) get a new stamp: copies are re-read.
  // A DEL that is no invalidation (an expiry, an operator) shows once b's lease has ended.
  ASSERT_TRUE(probe_->Command({"DEL", key.str()}).ok());
  std::this_thread::sleep_for(FastSettings().local_lease + 5ms);
  EXPECT_EQ(Get(a->cache, key, db).outcome, CacheOutcome::kMiss);
  EXPECT_EQ(Get(b->cache, key, db).outcome, CacheOutcome::kHit);
  EXPECT_EQ(b->cache.Counters().local_hits, 2u);
  EXPECT_EQ(db.loads, 3);
}

// While one GETRANGE of a key is on its way, the requests that arrive wait together for one more,
// sent when it returns (so it is still sent after each of them arrived): here Redis is paused
// while 64 requests arrive, and two checks answer them all.
TEST_P(CacheReadTest, ConcurrentHitsOfOneKeyShareOneHeaderCheckPerRoundTrip) {
  auto patient = redis_settings_;
  patient.command_timeout = 2s;  // the pause below must not look like a Redis outage
  auto unleased = FastSettings();
  unleased.local_lease = 0ms;  // every hit checks (with leases, late arrivals would need none)
  CacheInstance instance(pool_, patient, spec_, unleased);
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});
  ASSERT_EQ(Get(instance.cache, key, db).outcome, CacheOutcome::kMiss);  // stored, copy kept
  const auto before = instance.cache.Counters();

  const redis::RedisArgs pause = {"CLIENT", "PAUSE", "400", "ALL"};
  probe_->OnEveryNode(pause);
  const auto responses = GetConcurrently(instance.cache, key, db.MakeLoader(), 64);
  for (const auto& response : responses) {
    ASSERT_TRUE(response && response->ok());
    EXPECT_EQ((*response)->outcome, CacheOutcome::kHit);
    EXPECT_EQ(*(*response)->body, "body-v1");
  }
  const auto after = instance.cache.Counters();
  const auto checks = after.header_checks - before.header_checks;
  const auto shared = after.shared_checks - before.shared_checks;
  EXPECT_EQ(after.local_hits - before.local_hits, 64u);
  // The first request's own check, then one shared by the 63 that arrived while it was paused
  // (3 and 62 if the machine was too slow to start 64 requests within the pause).
  EXPECT_GE(checks, 2u);
  EXPECT_LE(checks, 3u);
  EXPECT_GE(shared, 62u);
  EXPECT_LE(shared, 63u);
  EXPECT_EQ(db.loads, 1);
}

// A check that confirms a copy lets it be sent without another for a lease (counted from when the
// check was sent); an invalidation returns only once that lease has ended, so after it no
// instance sends the old copy. A DEL that is no invalidation is seen when the lease ends.
TEST_P(CacheReadTest, AConfirmedCopyIsLeasedAndAnInvalidationOutwaitsTheLease) {
  auto settings = FastSettings();
  settings.local_lease = 1s;  // longer than any pause of a loaded machine between two steps
  auto reader = NewInstance(settings);
  auto writer = NewInstance(settings);
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});
  ASSERT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kMiss);
  ASSERT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kHit);  // checked: leased now
  const auto checked = reader->cache.Counters();
  EXPECT_EQ(checked.header_checks, 1u);
  EXPECT_EQ(checked.leased_hits, 0u);
  EXPECT_EQ(*Get(reader->cache, key, db).body, "body-v1");
  EXPECT_EQ(reader->cache.Counters().header_checks, 1u) << "a leased copy was checked again";
  EXPECT_EQ(reader->cache.Counters().leased_hits, 1u);

  db.version = 2;
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(pool_.Run(writer->cache.InvalidateForWrite({Diamond("Fair", "E", 900)})).ok());
  EXPECT_GE(std::chrono::steady_clock::now() - started, settings.local_lease);
  const auto after_write = Get(reader->cache, key, db);
  EXPECT_EQ(after_write.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(*after_write.body, "body-v2");

  // Not an invalidation: the leased copy is still sent until its lease ends, then re-read.
  ASSERT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kHit);  // checked: leased again
  ASSERT_TRUE(probe_->Command({"DEL", key.str()}).ok());
  const auto leased = Get(reader->cache, key, db);
  EXPECT_EQ(leased.outcome, CacheOutcome::kHit);
  EXPECT_EQ(*leased.body, "body-v2");
  std::this_thread::sleep_for(settings.local_lease);
  EXPECT_EQ(Get(reader->cache, key, db).outcome, CacheOutcome::kMiss);
  EXPECT_EQ(db.loads, 3);
}

TEST_P(CacheReadTest, WithoutLocalCopiesEveryHitReadsTheBodyFromRedis) {
  auto settings = FastSettings();
  settings.local_max_bytes = 0;
  auto instance = NewInstance(settings);
  FakeCatalog db;
  const auto key = Key({{"clarity", {"IF"}}});
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kMiss);
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kHit);
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kHit);
  EXPECT_EQ(instance->cache.Counters().hits, 2u);
  EXPECT_EQ(instance->cache.Counters().local_hits, 0u);
  EXPECT_EQ(instance->cache.LocalUsage().max_bytes, 0u);
}

TEST_P(CacheReadTest, EntriesExpireAfterTheTtl) {
  auto settings = FastSettings();
  settings.ttl = 1s;
  auto instance = NewInstance(settings);
  FakeCatalog db;
  const auto key = Key({{"color", {"E"}}, {"cut", {"Ideal"}}});
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kMiss);
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kHit);
  // The entry carries the TTL, and Redis expires it: the event the test waits for.
  redis::RedisArgs pttl = {"PTTL", key.str()};
  const auto left = probe_->Command(std::move(pttl));
  ASSERT_TRUE(left.ok());
  EXPECT_GT(left->integer, 0);
  EXPECT_LE(left->integer, std::chrono::milliseconds(settings.ttl).count());
  const auto gone = [&] {
    redis::RedisArgs exists = {"EXISTS", key.str()};
    const auto reply = probe_->Command(std::move(exists));
    return reply.ok() && reply->integer == 0;  // a timed-out probe is not an answer
  };
  ASSERT_TRUE(itest::WaitUntil(gone, settings.ttl * 10));
  db.version = 2;
  const auto after = Get(instance->cache, key, db);
  EXPECT_EQ(after.outcome, CacheOutcome::kMiss);
  EXPECT_EQ(*after.body, "body-v2");
}

TEST_P(CacheReadTest, DisabledCacheAlwaysRunsTheLoaderAndTouchesNoKey) {
  auto settings = FastSettings();
  settings.enabled = false;
  auto instance = NewInstance(settings);
  FakeCatalog db;
  const auto key = Key({});
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kDisabled);
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kDisabled);
  EXPECT_EQ(db.loads, 2);
  EXPECT_FALSE(probe_->Exists("catalog:all"));
}

TEST_P(CacheReadTest, LoaderErrorsArePassedThroughAndNothingIsStored) {
  auto instance = NewInstance();
  const auto key = Key({{"cut", {"Good"}}});
  const Loader failing = []() -> asio::awaitable<base::Result<std::string>> {
    co_return base::MakeError(base::ErrorCode::kUnavailable, "database down");
  };
  const auto response = pool_.Run(instance->cache.Get(key, failing));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().message, "database down");
  EXPECT_FALSE(probe_->Exists(key.str()));
}

TEST_P(CacheReadTest, SixtyFourConcurrentMissesCallTheLoaderOnce) {
  auto instance = NewInstance();
  FakeCatalog db;
  db.max_delay = 0ms;
  const auto key = Key({{"cut", {"Premium"}}, {"limit", {"100"}}});
  // A slow database: every request arrives while the first load is still running.
  const Loader slow = [&db]() -> asio::awaitable<base::Result<std::string>> {
    ++db.loads;
    co_await Sleep(300ms);
    co_return std::string("body-v1");
  };
  const auto responses = GetConcurrently(instance->cache, key, slow, 64);
  for (const auto& response : responses) {
    ASSERT_TRUE(response && response->ok());
    EXPECT_EQ(*(*response)->body, "body-v1");
    EXPECT_EQ((*response)->outcome, CacheOutcome::kMiss);
  }
  EXPECT_EQ(db.loads, 1);
  EXPECT_EQ(instance->cache.Counters().coalesced, 63u);
  EXPECT_EQ(Get(instance->cache, key, db).outcome, CacheOutcome::kHit);
}

INSTANTIATE_TEST_SUITE_P(Redis, CacheReadTest,
                         ::testing::Values(RedisMode::kSingle, RedisMode::kCluster), ModeName);

}  // namespace
}  // namespace vitrina::cache::testing
