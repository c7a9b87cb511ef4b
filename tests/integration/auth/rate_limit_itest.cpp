// RedisLoginRateLimiter against a real Redis.
#include <thread>

#include <gtest/gtest.h>

#include "auth/auth_test_support.hpp"
#include "support/own_redis.hpp"
#include "support/test_env.hpp"
#include "vitrina/auth/redis_login_rate_limiter.hpp"

namespace vitrina::auth {
namespace {

using namespace std::chrono_literals;

class RedisRateLimitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(url, "REDIS_URL");
    redis_ = std::make_unique<testing::RedisOnLoop>(url);
    settings_.policy.per_email_and_address = {5, 300s};
    settings_.policy.per_address = {20, 300s};
    settings_.policy.email_backoff = {.after = 10, .window = 900s, .max = 60s};
  }
  RedisLoginRateLimiter Limiter() const {
    return RedisLoginRateLimiter(redis_->client(), redis_->executor(), settings_);
  }
  static std::string Address(int n) {
    return "2001:db8::" + std::to_string(::getpid() % 10000) + ":" + std::to_string(n);
  }
  std::unique_ptr<testing::RedisOnLoop> redis_;
  LoginRateLimitSettings settings_;
};

TEST_F(RedisRateLimitTest, FiveFailuresForAnEmailFromOneAddressBlockOnlyThatPair) {
  auto limiter = Limiter();
  const auto email = testing::UniqueEmail("rl");
  for (int i = 0; i < 5; ++i) {
    EXPECT_TRUE(limiter.Check({email, Address(1)}).allowed) << i;
    limiter.RecordFailure({email, Address(1)});
  }
  const auto decision = limiter.Check({email, Address(1)});
  EXPECT_FALSE(decision.allowed);
  EXPECT_GT(decision.retry_after, 290s);
  EXPECT_LE(decision.retry_after, 300s);
  // Case and surrounding spaces do not open a new counter.
  std::string upper = email;
  upper[0] = 'A';
  EXPECT_FALSE(limiter.Check({" " + upper, Address(1)}).allowed);
  // Another address (the owner's, say) is not blocked by them.
  EXPECT_TRUE(limiter.Check({email, Address(2)}).allowed);
}

TEST_F(RedisRateLimitTest, TwentyFailuresFromOneAddressBlockThatAddress) {
  auto limiter = Limiter();
  const auto address = Address(1000);
  for (int i = 0; i < 20; ++i) limiter.RecordFailure({testing::UniqueEmail("spray"), address});
  EXPECT_FALSE(limiter.Check({testing::UniqueEmail("fresh"), address}).allowed);
  EXPECT_TRUE(limiter.Check({testing::UniqueEmail("fresh"), Address(1001)}).allowed);
}

TEST_F(RedisRateLimitTest, FailuresFromManyAddressesBackOffUnknownAddressesOnly) {
  auto limiter = Limiter();
  const auto email = testing::UniqueEmail("backoff");
  limiter.RecordSuccess({email, Address(3000)});  // the owner logged in from here before
  for (int i = 0; i < 11; ++i) limiter.RecordFailure({email, Address(3100 + i)});
  // The 11th failure set a 2 s back-off (1 s after the 10th, doubled).
  const auto stranger = limiter.Check({email, Address(3200)});
  EXPECT_FALSE(stranger.allowed);
  EXPECT_GE(stranger.retry_after, 1s);
  EXPECT_LE(stranger.retry_after, 2s);
  EXPECT_TRUE(limiter.Check({email, Address(3000)}).allowed);
  std::this_thread::sleep_for(stranger.retry_after + 100ms);
  EXPECT_TRUE(limiter.Check({email, Address(3200)}).allowed);
}

TEST_F(RedisRateLimitTest, ASuccessForgetsThePairsEarlierFailures) {
  auto limiter = Limiter();
  const auto email = testing::UniqueEmail("success");
  for (int i = 0; i < 5; ++i) limiter.RecordFailure({email, Address(4000)});
  EXPECT_FALSE(limiter.Check({email, Address(4000)}).allowed);
  limiter.RecordSuccess({email, Address(4000)});
  EXPECT_TRUE(limiter.Check({email, Address(4000)}).allowed);
}

TEST_F(RedisRateLimitTest, TheWindowEnds) {
  settings_.policy.per_email_and_address = {2, 1s};
  auto limiter = Limiter();
  const core::LoginAttempt attempt{testing::UniqueEmail("window"), Address(2000)};
  limiter.RecordFailure(attempt);
  limiter.RecordFailure(attempt);
  EXPECT_FALSE(limiter.Check(attempt).allowed);
  std::this_thread::sleep_for(2100ms);
  EXPECT_TRUE(limiter.Check(attempt).allowed);
}

TEST(RedisRateLimitDown, AnUnreachableRedisFailsOpenQuickly) {
  testing::RedisOnLoop redis("redis://127.0.0.1:28597");
  const LoginRateLimitSettings settings;
  RedisLoginRateLimiter limiter(redis.client(), redis.executor(), settings);
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 50; ++i) {
    limiter.RecordFailure({"a@example.com", "192.0.2.1"});
    EXPECT_TRUE(limiter.Check({"a@example.com", "192.0.2.1"}).allowed);
  }
  // A hundred calls in less than eight Redis timeouts: no call waited for a Redis that is not
  // there.
  EXPECT_LT(std::chrono::steady_clock::now() - start, settings.timeout * 8);
}

// docs/auth.md, "Redis down -> fail open": a Redis that answers late (paused by CLIENT PAUSE,
// a server of the test's own) lets a blocked attempt through after the limiter's timeout, and
// for the next second the limiter does not ask Redis at all, even once it answers again.
TEST(RedisRateLimitSlow, ALateReplyFailsOpenAndRedisIsSkippedForOneSecond) {
  itest::OwnRedis server;
  ASSERT_TRUE(server.Start()) << "redis-server could not be started";
  testing::RedisOnLoop redis(server.Url());  // its client waits 200 ms: longer than the limiter
  LoginRateLimitSettings settings;
  settings.policy.per_email_and_address = {2, 300s};
  settings.timeout = 100ms;
  RedisLoginRateLimiter limiter(redis.client(), redis.executor(), settings);
  const core::LoginAttempt attempt{testing::UniqueEmail("slow"), "192.0.2.77"};
  limiter.RecordFailure(attempt);
  limiter.RecordFailure(attempt);
  ASSERT_FALSE(limiter.Check(attempt).allowed) << "not blocked while Redis answers";

  const auto commands = [&] {
    const auto stats = server.Cli("INFO stats");
    const auto at = stats.find("total_commands_processed:");
    return std::stoll(stats.substr(at + 25));
  };
  // Scripts (the limiter's counters) wait; CLIENT UNPAUSE and INFO, not writes, still run.
  ASSERT_EQ(server.Cli("CLIENT PAUSE 60000 WRITE"), "OK");
  const auto asked = std::chrono::steady_clock::now();
  EXPECT_TRUE(limiter.Check(attempt).allowed) << "a slow Redis must fail open";
  EXPECT_GE(std::chrono::steady_clock::now() - asked, settings.timeout)
      << "gave up before the timeout";
  ASSERT_EQ(server.Cli("CLIENT UNPAUSE"), "OK");
  // The command that came too late runs now; it is not one the limiter sent since.
  ASSERT_TRUE(itest::WaitUntil(
      [&] { return server.Cli("INFO clients").find("blocked_clients:0") != std::string::npos; },
      30s));

  // Within the second after that failure (it happened at least `timeout` after `asked`), the
  // limiter allows without a single command reaching Redis, though Redis answers again.
  const auto skip_surely_until = asked + settings.timeout + 1s;
  const auto before = commands();
  const auto checked = std::chrono::steady_clock::now();
  const auto skipped = limiter.Check(attempt);
  const auto after = commands();
  ASSERT_LT(checked, skip_surely_until) << "too slow to observe the back-off";
  EXPECT_TRUE(skipped.allowed);
  EXPECT_EQ(after - before, 1) << "Redis was asked during the back-off (1: our own INFO)";

  // After it, Redis is asked again and the attempt is blocked again, never earlier.
  std::chrono::steady_clock::time_point first_blocked{};
  EXPECT_TRUE(itest::WaitUntil(
      [&] {
        const auto start = std::chrono::steady_clock::now();
        if (limiter.Check(attempt).allowed) return false;
        first_blocked = start;
        return true;
      },
      30s))
      << "Redis was never asked again";
  EXPECT_GE(first_blocked, skip_surely_until) << "the back-off was shorter than 1 s";
}

}  // namespace
}  // namespace vitrina::auth
