// The Redis command timeout is an idle timeout: a silent server fails a call after
// command_timeout; a reply that keeps arriving may take up to transfer_timeout, no longer.
#include <chrono>
#include <cstdlib>
#include <string>

#include "cache/cache_test_support.hpp"
#include "support/test_env.hpp"

namespace vitrina::cache::testing {
namespace {

using Clock = std::chrono::steady_clock;

// About the full catalog's size. Not tested here: that a reply still arriving outlives the idle
// timeout. Redis itself is silent for tens of milliseconds before the first byte of a large value
// on a connection's first read of it (measured 35 ms for 7 MB, 90-500 ms for 24-96 MB), so a
// test cannot make the client, rather than Redis, the slow side reliably.
constexpr std::size_t kLargeValueBytes = std::size_t{8} << 20;

class RedisTimeoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    VITRINA_REQUIRE_ENV(url, "REDIS_URL");
    auto address = redis::core::ParseRedisUrl(url);
    ASSERT_TRUE(address.ok());
    address_ = *address;
    key_ = "vitrina-test:timeout:" + std::to_string(std::random_device{}());
  }
  void TearDown() override {
    if (!key_.empty()) (void)Run(*Connection(5s, 5s), {"DEL", key_});
  }

  std::unique_ptr<redis::RedisConnection> Connection(std::chrono::milliseconds idle,
                                                     std::chrono::milliseconds transfer) {
    redis::RedisConnectionSettings settings;
    settings.address = address_;
    settings.command_timeout = idle;
    settings.transfer_timeout = transfer;
    return std::make_unique<redis::RedisConnection>(pool_.executor(), settings);
  }
  base::Result<redis::RedisReply> Run(redis::RedisConnection& connection, redis::RedisArgs args) {
    return pool_.Run(connection.Command(std::move(args)));
  }
  void StoreLargeValue() {
    auto patient = Connection(10s, 10s);
    auto stored = Run(*patient, {"SET", key_, std::string(kLargeValueBytes, 'v')});
    ASSERT_TRUE(stored.ok()) << stored.error().detail;
    auto warmed = Run(*patient, {"GET", key_});  // Redis's own slow first read, see above
    ASSERT_TRUE(warmed.ok()) << warmed.error().detail;
  }

  AsioPool pool_{2};
  redis::core::RedisAddress address_;
  std::string key_;
};

TEST_F(RedisTimeoutTest, LargeReplyLongerThanTheTransferTimeoutFailsAndTheConnectionRecovers) {
  StoreLargeValue();
  auto connection = Connection(1ms, 1ms);
  auto reply = Run(*connection, {"GET", key_});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, base::ErrorCode::kUnavailable);
  // Usually "reply still incomplete after 1 ms"; a Redis that paused for 1 ms first gives
  // "no reply for 1 ms". Either way the call ended long before the reply could be complete.
  EXPECT_NE(reply.error().detail.find(" 1 ms"), std::string::npos) << reply.error().detail;

  // The connection was dropped (a late reply must not answer the next command); it reconnects.
  base::Result<redis::RedisReply> ping = base::MakeError(base::ErrorCode::kInternal, "not run");
  for (int attempt = 0; attempt < 50 && !ping.ok(); ++attempt) {
    std::this_thread::sleep_for(50ms);
    ping = Run(*connection, {"PING"});
  }
  ASSERT_TRUE(ping.ok()) << ping.error().detail;
  EXPECT_EQ(ping->text, "PONG");
}

TEST_F(RedisTimeoutTest, SilentServerFailsAfterTheIdleTimeout) {
  auto connection = Connection(50ms, 30s);
  ASSERT_TRUE(Run(*connection, {"PING"}).ok());
  // Every client waits 500 ms (no UNPAUSE: it would wait too); TearDown's DEL runs after.
  ASSERT_TRUE(Run(*Connection(2s, 2s), {"CLIENT", "PAUSE", "500", "ALL"}).ok());
  const auto start = Clock::now();
  auto reply = Run(*connection, {"GET", key_});
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().detail.find("no reply for 50 ms"), std::string::npos)
      << reply.error().detail;
  // It waited its idle timeout and no longer: the message names the 50 ms, and a call that had
  // waited out the 500 ms pause would have got the reply instead of failing.
  EXPECT_GE(elapsed, 50ms);
}

}  // namespace
}  // namespace vitrina::cache::testing
