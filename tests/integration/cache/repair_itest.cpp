// The repair flush after a lost invalidation (docs/cache.md, "Faults"), against a Redis of the
// test's own whose scripts it can deny (ACL) and hold (CLIENT PAUSE WRITE): a store that started
// before the flush is refused, and an invalidation that fails while a flush runs is not erased by
// that flush (the generation counter): another flush follows before Redis is used again.
#include <atomic>
#include <future>

#include "cache/cache_test_support.hpp"
#include "support/own_redis.hpp"

namespace vitrina::cache::testing {
namespace {

using itest::WaitUntil;

// Starts `task` on `executor`; its result arrives in the future. (Optional because
// asio::use_future needs a default-constructible value.)
template <typename T>
std::future<std::optional<T>> Start(const asio::any_io_executor& executor,
                                    asio::awaitable<T> task) {
  return asio::co_spawn(
      executor,
      [task = std::move(task)]() mutable -> asio::awaitable<std::optional<T>> {
        co_return co_await std::move(task);
      },
      asio::use_future);
}

// Lets paused clients go on however the test ends, before the cache using them is stopped.
struct UnpauseAtExit {
  itest::OwnRedis& redis;
  ~UnpauseAtExit() { redis.Cli("CLIENT UNPAUSE"); }
};

class CacheRepairTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis_.Start()) << "redis-server could not be started";
    redis::core::RedisAddress address;
    address.host = "127.0.0.1";
    address.port = redis_.port();
    settings_.nodes.push_back(address);
    // Not a timeout test: a reply held by CLIENT PAUSE must be waited for, not given up on.
    settings_.command_timeout = 30s;
    settings_.transfer_timeout = 30s;
  }
  void TearDown() override {
    redis_.Cli("CLIENT UNPAUSE");
    redis_.Cli("ACL SETUSER default +eval");
  }

  // Every invalidation is a script: denying EVAL makes each one fail with an error reply.
  void DenyScripts() { ASSERT_EQ(redis_.Cli("ACL SETUSER default -eval"), "OK"); }
  void AllowScripts() { ASSERT_EQ(redis_.Cli("ACL SETUSER default +eval"), "OK"); }
  // Scripts refused by the ACL so far (Redis counts them as the command's rejected calls).
  int RefusedScripts() const {
    const auto stats = redis_.Cli("INFO commandstats");
    const auto line = stats.find("cmdstat_eval:");
    const auto at = stats.find("rejected_calls=", line);
    return line == std::string::npos || at == std::string::npos ? 0
                                                                : std::stoi(stats.substr(at + 15));
  }
  // The command a paused client waits with (CLIENT LIST's cmd= of the one blocked client).
  std::string HeldCommand() const {
    const auto clients = redis_.Cli("CLIENT LIST");
    for (std::size_t start = 0; start < clients.size();) {
      const auto end = std::min(clients.find('\n', start), clients.size());
      const auto line = clients.substr(start, end - start);
      if (line.find(" flags=b ") != std::string::npos) {
        const auto at = line.find(" cmd=") + 5;
        return line.substr(at, line.find(' ', at) - at);
      }
      start = end + 1;
    }
    return "";
  }
  int HeldCommands() const {
    const auto info = redis_.Cli("INFO clients");
    const auto at = info.find("blocked_clients:");
    return at == std::string::npos ? -1 : std::stoi(info.substr(at + 16));
  }

  static CacheSettings Settings() {
    auto settings = FastSettings();
    settings.probe_interval = 50ms;
    settings.local_max_bytes = 0;  // every hit reads Redis: what it holds is what is served
    // The registry's first cleanup reaches back 24 h of buckets (1,440 of them at a 60 s TTL,
    // thousands of commands): at a day's TTL it is 3 buckets, over before the test pauses
    // writes, and the next one is 12 h away. Otherwise the pause holds that cleanup's DEL
    // instead of the flush's script, and the test proves nothing.
    settings.ttl = std::chrono::hours(24);
    return settings;
  }

  itest::OwnRedis redis_;
  redis::RedisSettings settings_;
  AsioPool pool_;
  catalog::core::DatasetSpec spec_ = DiamondsSpec();
};

TEST_F(CacheRepairTest, AStoreThatStartedBeforeTheRepairFlushIsRefused) {
  CacheInstance instance(pool_, settings_, spec_, Settings());
  const auto key = Key({{"cut", {"Fair"}}});
  std::atomic<int> version{1};
  std::atomic<int> started{0};
  std::promise<void> release;
  auto released = release.get_future().share();
  // Reads the database when it starts, answers when the test lets it.
  const Loader slow = [&]() -> asio::awaitable<base::Result<std::string>> {
    const int seen = version.load();
    ++started;
    while (released.wait_for(0s) != std::future_status::ready) co_await Sleep(5ms);
    co_return "body-v" + std::to_string(seen);
  };
  auto first = Start(pool_.executor(), instance.cache.Get(key, slow));
  ASSERT_TRUE(WaitUntil([&] { return started.load() == 1; }, 30s));

  // A write commits while that load runs; its invalidation cannot reach Redis.
  version = 2;
  DenyScripts();
  std::vector<cache::core::ItemValues> write = {Diamond("Fair", "E", 900)};
  EXPECT_FALSE(pool_.Run(instance.cache.InvalidateForWrite(write)).ok());
  ASSERT_TRUE(instance.cache.Health().repair_pending);
  AllowScripts();
  ASSERT_TRUE(WaitUntil([&] { return instance.cache.Health().usable; }, 30s))
      << "the repair flush did not complete";

  // The load that read version 1 finishes after the flush: answered, never stored.
  release.set_value();
  const auto answered = *first.get();
  ASSERT_TRUE(answered.ok());
  EXPECT_EQ(*answered->body, "body-v1");
  EXPECT_EQ(instance.cache.Counters().stores_refused, 1u);
  EXPECT_EQ(redis_.Exists(key.str()), "0");
  FakeCatalog db;
  db.version = 2;
  const auto after = pool_.Run(instance.cache.Get(key, db.MakeLoader()));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->outcome, CacheOutcome::kMiss);
  EXPECT_EQ(*after->body, "body-v2");
}

TEST_F(CacheRepairTest, AnInvalidationLostDuringTheRepairFlushIsRepairedByAnotherFlush) {
  CacheInstance instance(pool_, settings_, spec_, Settings());
  FakeCatalog db;
  const auto key = Key({{"cut", {"Fair"}}});
  ASSERT_EQ(pool_.Run(instance.cache.Get(key, db.MakeLoader()))->outcome, CacheOutcome::kMiss);

  // A first write's invalidation fails: repair pending, and the flushes fail while EVAL is denied.
  db.version = 2;
  DenyScripts();
  std::vector<cache::core::ItemValues> write = {Diamond("Fair", "E", 900)};
  EXPECT_FALSE(pool_.Run(instance.cache.InvalidateForWrite(write)).ok());
  ASSERT_TRUE(instance.cache.Health().repair_pending);

  // Another instance's connection, for later.
  redis::RedisConnectionSettings direct;
  direct.address = settings_.nodes.front();
  direct.command_timeout = 60s;
  redis::RedisConnection other(pool_.executor(), direct);

  // A repair flush was tried (and refused) after the write's: the probe loop, which runs one
  // step at a time, is past its registry cleanup and on the flush path.
  ASSERT_TRUE(WaitUntil([&] { return RefusedScripts() >= 2; }, 30s)) << "no flush was tried";

  // Hold the next flush inside its first script (catalog:cut=Fair, the only registered key).
  const UnpauseAtExit unpause{redis_};
  ASSERT_EQ(redis_.Cli("CLIENT PAUSE 60000 WRITE"), "OK");
  AllowScripts();
  ASSERT_TRUE(WaitUntil([&] { return HeldCommands() == 1; }, 30s)) << "no flush started";
  ASSERT_EQ(HeldCommand(), "eval") << "the pause holds something else than the flush's script";

  // During that flush: a second write, whose invalidation is lost too ...
  db.version = 3;
  EXPECT_FALSE(pool_.Run(instance.cache.InvalidateForWrite(write)).ok());
  // ... and an answer of the data before it, stored (by another instance) once the flush has
  // passed its key: Redis runs the held commands in the order they arrived.
  const auto stale_body = std::string("body-v2");
  redis::RedisArgs store = {"SET", key.str(),
                            cache::core::EncodeStoredResponse(cache::core::BodyEtag(stale_body),
                                                              std::string(32, 'a'), stale_body)};
  auto stored = Start(pool_.executor(), other.Command(std::move(store)));
  ASSERT_TRUE(WaitUntil([&] { return HeldCommands() == 2; }, 30s));
  ASSERT_EQ(redis_.Cli("CLIENT UNPAUSE"), "OK");
  const auto stored_reply = *stored.get();
  ASSERT_TRUE(stored_reply.ok() && stored_reply->text == "OK");

  // The held flush completes, but it started before the second failure: the cache flushes
  // again before it reads Redis, so the answer stored meanwhile is never served.
  ASSERT_TRUE(WaitUntil([&] { return instance.cache.Health().usable; }, 30s));
  EXPECT_EQ(instance.cache.Counters().invalidation_failures, 2u);
  const auto after = pool_.Run(instance.cache.Get(key, db.MakeLoader()));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after->body, "body-v3") << "an answer stored during the flush was served";
  EXPECT_EQ(after->outcome, CacheOutcome::kMiss);
}

}  // namespace
}  // namespace vitrina::cache::testing
