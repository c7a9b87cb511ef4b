#include "vitrina/redis/core/slot.hpp"

#include <gtest/gtest.h>

namespace vitrina::redis::core {
namespace {

TEST(RedisSlot, KnownVectors) {
  EXPECT_EQ(Crc16("123456789"), 0x31C3);
  EXPECT_EQ(KeySlot("123456789"), 12739);
  // Values Redis itself reports (CLUSTER KEYSLOT).
  EXPECT_EQ(KeySlot("foo"), 12182);
  EXPECT_EQ(KeySlot("bar"), 5061);
  EXPECT_EQ(KeySlot(""), 0);
}

TEST(RedisSlot, HashTagsDecideTheSlot) {
  EXPECT_EQ(KeySlot("{user1000}.following"), KeySlot("user1000"));
  EXPECT_EQ(KeySlot("{catalog:cut=Fair}:v"), KeySlot("catalog:cut=Fair"));
  // An empty tag is no tag: the whole key hashes.
  EXPECT_EQ(KeySlot("foo{}{bar}"), Crc16("foo{}{bar}") % kRedisSlotCount);
  EXPECT_EQ(KeySlot("foo{{bar}}zap"), KeySlot("{bar"));
}

TEST(RedisSlot, CommandKeyFindsTheRoutingKey) {
  const std::vector<std::string> get = {"GET", "k"};
  const std::vector<std::string> eval = {"EVAL", "return 1", "2", "a", "b"};
  const std::vector<std::string> keyless_eval = {"EVAL", "return 1", "0"};
  const std::vector<std::string> ping = {"PING"};
  EXPECT_EQ(CommandKey(get), "k");
  EXPECT_EQ(CommandKey(eval), "a");
  EXPECT_FALSE(CommandKey(keyless_eval));
  EXPECT_FALSE(CommandKey(ping));
}

TEST(RedisSlot, ParsesRedirects) {
  const auto moved = ParseRedirect("MOVED 3999 127.0.0.1:6381");
  ASSERT_TRUE(moved);
  EXPECT_FALSE(moved->ask);
  EXPECT_EQ(moved->slot, 3999);
  EXPECT_EQ(moved->host, "127.0.0.1");
  EXPECT_EQ(moved->port, 6381);
  const auto ask = ParseRedirect("ASK 1 ::1:7000");
  ASSERT_TRUE(ask);
  EXPECT_TRUE(ask->ask);
  EXPECT_EQ(ask->host, "::1");
  EXPECT_FALSE(ParseRedirect("ERR unknown command"));
  EXPECT_FALSE(ParseRedirect("MOVED 99999 h:1"));
}

}  // namespace
}  // namespace vitrina::redis::core
