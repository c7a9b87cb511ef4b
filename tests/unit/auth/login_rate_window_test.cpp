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
  EXPECT_EQ(LoginEmailFailuresKey(" Ada@Example.COM "), "ratelimit:login:email:ada@example.com");
  EXPECT_EQ(LoginEmailAndAddressKey("Ada@Example.COM", "203.0.113.7"),
            "ratelimit:login:pair:ada@example.com|203.0.113.7");
  EXPECT_EQ(LoginEmailBackoffKey("ADA@example.com"), "ratelimit:login:backoff:ada@example.com");
  EXPECT_EQ(LoginKnownAddressKey("Ada@example.com", "::1"),
            "ratelimit:login:known:ada@example.com|::1");
  EXPECT_EQ(LoginAddressRateLimitKey("203.0.113.7"), "ratelimit:login:ip:203.0.113.7");
}

TEST(EmailBackoffDelay, DoublesFromTheThresholdUpToTheCap) {
  const EmailBackoffRule rule{.after = 10, .window = seconds(900), .max = seconds(60)};
  EXPECT_EQ(EmailBackoffDelay(9, rule).count(), 0);
  EXPECT_EQ(EmailBackoffDelay(10, rule), seconds(1));
  EXPECT_EQ(EmailBackoffDelay(11, rule), seconds(2));
  EXPECT_EQ(EmailBackoffDelay(15, rule), seconds(32));
  EXPECT_EQ(EmailBackoffDelay(16, rule), seconds(60));
  EXPECT_EQ(EmailBackoffDelay(1'000'000, rule), seconds(60));
}

TEST(EmailBackoffDelay, StartsFromTheFirstWaitWhenOneIsSet) {
  const EmailBackoffRule rule{
      .after = 4, .window = seconds(900), .max = seconds(60), .first = seconds(5)};
  EXPECT_EQ(EmailBackoffDelay(3, rule).count(), 0);
  EXPECT_EQ(EmailBackoffDelay(4, rule), seconds(5));
  EXPECT_EQ(EmailBackoffDelay(5, rule), seconds(10));
  EXPECT_EQ(EmailBackoffDelay(7, rule), seconds(40));
  EXPECT_EQ(EmailBackoffDelay(8, rule), seconds(60));
  EXPECT_EQ(EmailBackoffDelay(1'000'000, rule), seconds(60));
}

TEST(DecideLogin, TheEmailBackoffSparesKnownAddresses) {
  const LoginRateLimitPolicy policy;
  LoginCounters counters;
  counters.backoff_left = std::chrono::milliseconds(1500);
  const auto unknown = DecideLogin(counters, policy);
  EXPECT_FALSE(unknown.allowed);
  EXPECT_EQ(unknown.retry_after, seconds(2));  // rounded up
  counters.known_address = true;
  EXPECT_TRUE(DecideLogin(counters, policy).allowed);
}

TEST(DecideLogin, PairAndAddressWindowsApplyEvenToKnownAddresses) {
  const LoginRateLimitPolicy policy;
  LoginCounters counters;
  counters.known_address = true;
  counters.pair_failures = policy.per_email_and_address.max_failures;
  counters.pair_ttl = seconds(100);
  EXPECT_EQ(DecideLogin(counters, policy).retry_after, seconds(100));
  counters.pair_failures = 0;
  counters.address_failures = policy.per_address.max_failures;
  counters.address_ttl = seconds(250);
  EXPECT_EQ(DecideLogin(counters, policy).retry_after, seconds(250));
}

}  // namespace
}  // namespace vitrina::auth::core
