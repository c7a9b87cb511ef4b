#include "vitrina/identity/core/token_schedule.hpp"

#include <gtest/gtest.h>

namespace vitrina::identity::core {
namespace {

using namespace std::chrono_literals;

const Clock::time_point kStart = Clock::time_point(std::chrono::seconds(1'700'000'000));

base::AccessToken Token(const std::string& value, Clock::time_point expires_on) {
  return {value, expires_on, ""};
}

TEST(TokenSchedule, NoTokenBeforeTheFirstFetchWhichIsDueAtOnce) {
  TokenSchedule schedule;
  EXPECT_LE(schedule.NextFetch(), kStart);
  auto current = schedule.Current(kStart);
  ASSERT_FALSE(current.ok());
  EXPECT_EQ(current.error().code, base::ErrorCode::kUnavailable);
  EXPECT_NE(current.error().detail.find("no token yet"), std::string::npos);
}

TEST(TokenSchedule, AnHourTokenIsReplacedFiveMinutesBeforeItExpires) {
  TokenSchedule schedule;
  schedule.Fetched(Token("t1", kStart + 1h), kStart);
  EXPECT_EQ(schedule.NextFetch(), kStart + 55min);
  ASSERT_TRUE(schedule.Current(kStart + 59min).ok());
  EXPECT_EQ(schedule.Current(kStart + 59min)->value, "t1");
}

TEST(TokenSchedule, AShortTokenIsReplacedHalfwayThroughItsLife) {
  TokenSchedule schedule;
  schedule.Fetched(Token("t1", kStart + 4s), kStart);
  EXPECT_EQ(schedule.NextFetch(), kStart + 2s);
  schedule.Fetched(Token("t2", kStart + 2s + 8min), kStart + 2s);
  EXPECT_EQ(schedule.NextFetch(), kStart + 2s + 4min);
  EXPECT_EQ(schedule.Current(kStart + 3s)->value, "t2");
}

TEST(TokenSchedule, AnExpiredTokenIsNeverHandedOut) {
  TokenSchedule schedule;
  schedule.Fetched(Token("t1", kStart + 1h), kStart);
  EXPECT_TRUE(schedule.Current(kStart + 1h - 1ms).ok());
  auto expired = schedule.Current(kStart + 1h);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().detail.find("expired"), std::string::npos);
}

TEST(TokenSchedule, FailuresKeepTheOldTokenAndBackOffUpToTheCap) {
  TokenSchedule schedule;
  schedule.Fetched(Token("t1", kStart + 1h), kStart);
  auto now = kStart + 55min;
  const std::chrono::milliseconds expected[] = {1s, 2s, 4s, 8s, 16s, 30s, 30s};
  for (const auto delay : expected) {
    schedule.Failed("connection refused", now);
    EXPECT_EQ(schedule.NextFetch() - now, delay);
    now = schedule.NextFetch();
  }
  EXPECT_EQ(schedule.consecutive_failures(), 7);
  EXPECT_EQ(schedule.Current(now)->value, "t1");  // still valid: keep using it

  auto expired = schedule.Current(kStart + 2h);
  ASSERT_FALSE(expired.ok());
  EXPECT_NE(expired.error().detail.find("connection refused"), std::string::npos)
      << expired.error().detail;

  schedule.Fetched(Token("t2", kStart + 3h), kStart + 2h);
  EXPECT_EQ(schedule.consecutive_failures(), 0);
  EXPECT_EQ(schedule.Current(kStart + 2h)->value, "t2");
}

}  // namespace
}  // namespace vitrina::identity::core
