#include "vitrina/cache/core/too_large_keys.hpp"

#include <gtest/gtest.h>

namespace vitrina::cache::core {
namespace {

using std::chrono::seconds;
const TooLargeKeys::Clock::time_point kStart{};

TEST(TooLargeKeys, AMarkedKeyIsRememberedUntilItsLifetimeEnds) {
  TooLargeKeys keys(8, seconds(600));
  keys.Add("catalog:all", kStart);
  EXPECT_TRUE(keys.Contains("catalog:all", kStart + seconds(599)));
  EXPECT_FALSE(keys.Contains("catalog:cut=Fair", kStart));
  EXPECT_FALSE(keys.Contains("catalog:all", kStart + seconds(600)));
  EXPECT_EQ(keys.size(), 0u);
}

TEST(TooLargeKeys, AWriteForgetsItsKeysAndAFlushForgetsAll) {
  TooLargeKeys keys(8, seconds(600));
  keys.Add("catalog:all", kStart);
  keys.Add("catalog:cut=Fair", kStart);
  keys.Forget("catalog:all");
  EXPECT_FALSE(keys.Contains("catalog:all", kStart));
  EXPECT_TRUE(keys.Contains("catalog:cut=Fair", kStart));
  keys.Clear();
  EXPECT_FALSE(keys.Contains("catalog:cut=Fair", kStart));
}

TEST(TooLargeKeys, BeyondItsCapacityTheOldestMarkIsForgotten) {
  TooLargeKeys keys(2, seconds(600));
  keys.Add("a", kStart);
  keys.Add("b", kStart);
  keys.Add("c", kStart);
  EXPECT_EQ(keys.size(), 2u);
  EXPECT_FALSE(keys.Contains("a", kStart));
  EXPECT_TRUE(keys.Contains("b", kStart));
  EXPECT_TRUE(keys.Contains("c", kStart));
  // Keys added and forgotten over and over never raise the count above the capacity.
  for (int i = 0; i < 1000; ++i) {
    keys.Add("d" + std::to_string(i % 3), kStart);
    keys.Forget("d" + std::to_string((i + 1) % 3));
    EXPECT_LE(keys.size(), 2u);
  }
}

TEST(TooLargeKeys, ZeroCapacityRemembersNothing) {
  TooLargeKeys keys(0, seconds(600));
  keys.Add("a", kStart);
  EXPECT_FALSE(keys.Contains("a", kStart));
}

}  // namespace
}  // namespace vitrina::cache::core
