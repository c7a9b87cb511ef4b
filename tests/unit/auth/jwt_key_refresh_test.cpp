#include "vitrina/auth/core/jwt_key_refresh.hpp"

#include <gtest/gtest.h>

namespace vitrina::auth::core {
namespace {

using std::chrono::seconds;

TEST(ParseCacheControlMaxAge, ReadsGooglesHeader) {
  EXPECT_EQ(ParseCacheControlMaxAge("public, max-age=19204, must-revalidate, no-transform"),
            seconds(19204));
}

TEST(ParseCacheControlMaxAge, IsCaseInsensitiveAndToleratesSpacesAndQuotes) {
  EXPECT_EQ(ParseCacheControlMaxAge("Max-Age=60"), seconds(60));
  EXPECT_EQ(ParseCacheControlMaxAge("  public ,  max-age = 30 "), seconds(30));
  EXPECT_EQ(ParseCacheControlMaxAge(R"(max-age="45")"), seconds(45));
}

TEST(ParseCacheControlMaxAge, AbsentOrMalformedIsNothing) {
  EXPECT_FALSE(ParseCacheControlMaxAge(""));
  EXPECT_FALSE(ParseCacheControlMaxAge("public, must-revalidate"));
  EXPECT_FALSE(ParseCacheControlMaxAge("max-age=abc"));
  EXPECT_FALSE(ParseCacheControlMaxAge("max-age=-5"));
  EXPECT_FALSE(ParseCacheControlMaxAge("max-age=10s"));
  EXPECT_FALSE(ParseCacheControlMaxAge("s-maxage=10"));
}

TEST(ParseCacheControlMaxAge, NoCacheAndNoStoreMeanZero) {
  EXPECT_EQ(ParseCacheControlMaxAge("no-cache"), seconds(0));
  EXPECT_EQ(ParseCacheControlMaxAge("no-store, max-age=600"), seconds(0));
}

TEST(KeyRefreshPolicy, ClampsMaxAgeAndDefaultsWhenAbsent) {
  KeyRefreshPolicy policy;
  EXPECT_EQ(policy.EffectiveMaxAge(std::nullopt), seconds(3600));
  EXPECT_EQ(policy.EffectiveMaxAge(seconds(0)), seconds(60));
  EXPECT_EQ(policy.EffectiveMaxAge(seconds(19204)), seconds(19204));
  EXPECT_EQ(policy.EffectiveMaxAge(seconds(10 * 24 * 3600)), seconds(24 * 3600));
}

TEST(KeyRefreshPolicy, RefreshesAtThreeQuartersOfTheLifetimeButNotSoonerThanTheMinimumInterval) {
  KeyRefreshPolicy policy;
  const KeyRefreshPolicy::TimePoint t0{};
  EXPECT_EQ(policy.NextRefresh(t0, seconds(4000)), t0 + seconds(3000));
  EXPECT_EQ(policy.NextRefresh(t0, seconds(20)), t0 + seconds(30));
  EXPECT_EQ(policy.RetryAfterFailure(t0), t0 + seconds(30));
}

TEST(KeyRefreshPolicy, UnknownKidFetchesAreRateLimited) {
  KeyRefreshPolicy policy;
  const KeyRefreshPolicy::TimePoint t0{};
  EXPECT_TRUE(policy.MayFetchOnUnknownKid(std::nullopt, t0));
  EXPECT_FALSE(policy.MayFetchOnUnknownKid(t0, t0 + seconds(29)));
  EXPECT_TRUE(policy.MayFetchOnUnknownKid(t0, t0 + seconds(30)));
}

TEST(KeyRefreshPolicy, ExpiredKeysServeForABoundedStalePeriodOnly) {
  KeyRefreshPolicy policy;
  const KeyRefreshPolicy::TimePoint t0{};
  EXPECT_TRUE(policy.KeysUsable(t0, seconds(600), t0 + seconds(600)));
  EXPECT_TRUE(policy.KeysUsable(t0, seconds(600), t0 + seconds(600 + 3599)));
  EXPECT_FALSE(policy.KeysUsable(t0, seconds(600), t0 + seconds(600 + 3600)));
}

}  // namespace
}  // namespace vitrina::auth::core
