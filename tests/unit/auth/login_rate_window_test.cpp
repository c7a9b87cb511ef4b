#include "vitrina/auth/core/login_rate_window.hpp"

#include <gtest/gtest.h>

namespace vitrina::auth::core {
namespace {

using std::chrono::seconds;

TEST(DecideRateLimit, AllowsUntilTheFailureCountReachesTheLimit) {
  const RateLimitRule rule{5, seconds(300)};
  EXPECT_TRUE(DecideRateLimit(0, seconds(0), rule).allowed);
  EXPECT_TRUE(DecideRateLimit(4, seconds(200), rule).allowed);
  const auto blocked = DecideRateLimit(5, seconds(200), rule);
  EXPECT_FALSE(blocked.allowed);
  EXPECT_EQ(blocked.retry_after, seconds(200));
}

TEST(DecideRateLimit, RetryAfterIsAtLeastOneSecondAndAWholeWindowWithoutTtl) {
  const RateLimitRule rule{5, seconds(300)};
  EXPECT_EQ(DecideRateLimit(9, seconds(0), rule).retry_after, seconds(300));
  EXPECT_EQ(DecideRateLimit(9, seconds(-1), rule).retry_after, seconds(300));
  EXPECT_EQ(DecideRateLimit(9, seconds(1), rule).retry_after, seconds(1));
}

TEST(Stricter, BlockedWinsAndTheLongerWaitWins) {
  const RateLimitDecision allow = RateLimitDecision::Allow();
  const RateLimitDecision short_wait{false, seconds(10)};
  const RateLimitDecision long_wait{false, seconds(100)};
  EXPECT_TRUE(Stricter(allow, allow).allowed);
  EXPECT_EQ(Stricter(allow, short_wait).retry_after, seconds(10));
  EXPECT_EQ(Stricter(long_wait, allow).retry_after, seconds(100));
  EXPECT_EQ(Stricter(short_wait, long_wait).retry_after, seconds(100));
}

TEST(LoginRateLimitKeys, EmailKeysAreTrimmedAndLowercased) {
  EXPECT_EQ(LoginEmailRateLimitKey(" Ada@Example.COM "), "ratelimit:login:email:ada@example.com");
  EXPECT_EQ(LoginAddressRateLimitKey("203.0.113.7"), "ratelimit:login:ip:203.0.113.7");
}

}  // namespace
}  // namespace vitrina::auth::core
