#include "vitrina/auth/core/verified_token_cache.hpp"

#include <gtest/gtest.h>

namespace vitrina::auth::core {
namespace {

using std::chrono::seconds;
using Clock = VerifiedTokenCache::Clock;

const Clock::time_point kNow = Clock::time_point(seconds(1'800'000'000));

VerifiedIdentity Identity(const std::string& uid, Clock::time_point expires) {
  VerifiedIdentity identity;
  identity.uid = uid;
  identity.expires_at = std::chrono::duration_cast<seconds>(expires.time_since_epoch()).count();
  return identity;
}

TEST(VerifiedTokenCache, AnswersOnlyForTheExactTokenItWasGiven) {
  VerifiedTokenCache cache(10, seconds(300));
  EXPECT_FALSE(cache.Find("a.b.c", kNow));
  cache.Put("a.b.c", Identity("alice", kNow + seconds(3600)), kNow);
  const auto found = cache.Find("a.b.c", kNow + seconds(1));
  ASSERT_TRUE(found);
  EXPECT_EQ(found->uid, "alice");
  EXPECT_FALSE(cache.Find("a.b.C", kNow));
  EXPECT_FALSE(cache.Find("a.b.c ", kNow));
}

TEST(VerifiedTokenCache, NeverPastTheTokensExpiry) {
  VerifiedTokenCache cache(10, seconds(300));
  cache.Put("t", Identity("alice", kNow + seconds(60)), kNow);
  EXPECT_TRUE(cache.Find("t", kNow + seconds(59)));
  EXPECT_FALSE(cache.Find("t", kNow + seconds(60)));
  cache.Put("expired", Identity("bob", kNow - seconds(1)), kNow);  // not even stored
  EXPECT_EQ(cache.size(), 1u);
}

TEST(VerifiedTokenCache, NeverLongerThanMaxAgeAfterTheCheck) {
  VerifiedTokenCache cache(10, seconds(300));
  cache.Put("t", Identity("alice", kNow + seconds(3600)), kNow);
  EXPECT_TRUE(cache.Find("t", kNow + seconds(299)));
  EXPECT_FALSE(cache.Find("t", kNow + seconds(300)));  // verify again: the key may be gone
  cache.Put("t", Identity("alice", kNow + seconds(3600)), kNow + seconds(300));
  EXPECT_TRUE(cache.Find("t", kNow + seconds(599)));
}

TEST(VerifiedTokenCache, StaysWithinItsBoundDroppingExpiredEntriesFirst) {
  VerifiedTokenCache cache(3, seconds(300));
  cache.Put("short", Identity("a", kNow + seconds(10)), kNow);
  cache.Put("b", Identity("b", kNow + seconds(3600)), kNow);
  cache.Put("c", Identity("c", kNow + seconds(3600)), kNow);
  const auto later = kNow + seconds(20);  // "short" has expired
  cache.Put("d", Identity("d", kNow + seconds(3600)), later);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Find("b", later));
  EXPECT_TRUE(cache.Find("d", later));
  // Full of live entries: they all go, and the new one is kept.
  cache.Put("e", Identity("e", kNow + seconds(3600)), later);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.Find("e", later));
  EXPECT_FALSE(cache.Find("b", later));
  // Replacing a present token never needs room.
  cache.Put("e", Identity("e2", kNow + seconds(3600)), later);
  EXPECT_EQ(cache.Find("e", later)->uid, "e2");
}

TEST(VerifiedTokenCache, ZeroEntriesKeepsNothing) {
  VerifiedTokenCache cache(0, seconds(300));
  cache.Put("t", Identity("alice", kNow + seconds(3600)), kNow);
  EXPECT_FALSE(cache.Find("t", kNow));
}

}  // namespace
}  // namespace vitrina::auth::core
