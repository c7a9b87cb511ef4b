// The Redis command timeout is an idle timeout: a silent server fails a call after
// command_timeout, a large reply that keeps arriving is not cut off (up to transfer_timeout).
#include <chrono>
#include <cstdlib>
#include <string>

#include "cache_test_support.hpp"

namespace vitrina::cache::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Large enough that reading it takes far longer than kIdle, even on a fast idle machine.
constexpr std::size_t kLargeValueBytes = std::size_t{96} << 20;
constexpr auto kIdle = 50ms;  // the production default

class RedisTimeoutTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* url = std::getenv("REDIS_URL");
    if (url == nullptr || *url == '\0') GTEST_SKIP() << "REDIS_URL is not set";
    auto address = core::ParseRedisUrl(url);
    ASSERT_TRUE(address.ok());
    address_ = *address;
    key_ = "vitrina-test:timeout:" + std::to_string(std::random_device{}());
  }
  void TearDown() override {
    if (!key_.empty()) (void)Run(*Connection(5s, 5s), {"DEL", key_});
  }

  std::unique_ptr<RedisConnection> Connection(std::chrono::milliseconds idle,
                                              std::chrono::milliseconds transfer) {
    RedisConnectionSettings settings;
    settings.address = address_;
    settings.command_timeout = idle;
    settings.transfer_timeout = transfer;
    return std::make_unique<RedisConnection>(pool_.executor(), settings);
  }
  core::Result<RedisReply> Run(RedisConnection& connection, RedisArgs args) {
    return pool_.Run(connection.Command(std::move(args)));
  }
  void StoreLargeValue() {
    auto stored = Run(*Connection(10s, 10s), {"SET", key_, std::string(kLargeValueBytes, 'v')});
    ASSERT_TRUE(stored.ok()) << stored.error().detail;
  }

  AsioPool pool_{2};
  core::RedisAddress address_;
  std::string key_;
};

TEST_F(RedisTimeoutTest, LargeReplyStillArrivingIsNotCutOffByTheIdleTimeout) {
  StoreLargeValue();
  auto connection = Connection(kIdle, 30s);
  const auto start = Clock::now();
  auto reply = Run(*connection, {"GET", key_});
  const auto elapsed = Clock::now() - start;
  ASSERT_TRUE(reply.ok()) << reply.error().detail;
  EXPECT_EQ(reply->text.size(), kLargeValueBytes);
  // Otherwise the test proved nothing: the reply must have outlived the idle timeout.
  EXPECT_GT(elapsed, kIdle);
}

TEST_F(RedisTimeoutTest, LargeReplyLongerThanTheTransferTimeoutFailsAndTheConnectionRecovers) {
  StoreLargeValue();
  auto connection = Connection(kIdle, kIdle);
  auto reply = Run(*connection, {"GET", key_});
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, core::ErrorCode::kUnavailable);
  EXPECT_NE(reply.error().detail.find("still incomplete"), std::string::npos)
      << reply.error().detail;

  // The connection was dropped (a late reply must not answer the next command); it reconnects.
  core::Result<RedisReply> ping = core::MakeError(core::ErrorCode::kInternal, "not run");
  for (int attempt = 0; attempt < 50 && !ping.ok(); ++attempt) {
    std::this_thread::sleep_for(50ms);
    ping = Run(*connection, {"PING"});
  }
  ASSERT_TRUE(ping.ok()) << ping.error().detail;
  EXPECT_EQ(ping->text, "PONG");
}

TEST_F(RedisTimeoutTest, SilentServerFailsAfterTheIdleTimeout) {
  auto connection = Connection(kIdle, 30s);
  ASSERT_TRUE(Run(*connection, {"PING"}).ok());
  // Every client waits 500 ms (no UNPAUSE: it would wait too); TearDown's DEL runs after.
  ASSERT_TRUE(Run(*Connection(2s, 2s), {"CLIENT", "PAUSE", "500", "ALL"}).ok());
  const auto start = Clock::now();
  auto reply = Run(*connection, {"GET", key_});
  const auto elapsed = Clock::now() - start;
  ASSERT_FALSE(reply.ok());
  EXPECT_NE(reply.error().detail.find("no reply for 50 ms"), std::string::npos)
      << reply.error().detail;
  EXPECT_LT(elapsed, 400ms);  // the idle timeout plus scheduling noise, under the pause
}

}  // namespace
}  // namespace vitrina::cache::testing
