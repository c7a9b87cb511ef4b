#include "vitrina/redis/core/address.hpp"

#include <gtest/gtest.h>

namespace vitrina::redis::core {
namespace {

TEST(RedisUrl, PlainUrlWithHostAndPort) {
  auto address = ParseRedisUrl("redis://127.0.0.1:6380");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->host, "127.0.0.1");
  EXPECT_EQ(address->port, 6380);
  EXPECT_FALSE(address->tls);
  EXPECT_TRUE(address->user.empty());
  EXPECT_TRUE(address->password.empty());
}

TEST(RedisUrl, RedissMeansTls) {
  auto address = ParseRedisUrl("rediss://:key@vitrina.westeurope.redis.azure.net:10000");
  ASSERT_TRUE(address.ok());
  EXPECT_TRUE(address->tls);
  EXPECT_EQ(address->host, "vitrina.westeurope.redis.azure.net");
  EXPECT_EQ(address->port, 10000);
  EXPECT_EQ(address->password, "key");
  EXPECT_TRUE(address->user.empty());
}

TEST(RedisUrl, UserAndPasswordAreKeptApart) {
  auto address = ParseRedisUrl("redis://cache-user:s3cret@localhost/0");
  ASSERT_TRUE(address.ok());
  EXPECT_EQ(address->user, "cache-user");
  EXPECT_EQ(address->password, "s3cret");
  EXPECT_EQ(address->port, 6379);
}

TEST(RedisUrl, APasswordAloneIsStillAPassword) {
  auto address = ParseRedisUrl("redis://s3cret@localhost:7000");
  ASSERT_TRUE(address.ok());
  EXPECT_TRUE(address->user.empty());
  EXPECT_EQ(address->password, "s3cret");
}

TEST(RedisUrl, BadUrlsAreRefusedWithTheReason) {
  auto scheme = ParseRedisUrl("http://localhost:6379");
  ASSERT_FALSE(scheme.ok());
  EXPECT_NE(scheme.error().message.find("rediss://"), std::string::npos);
  auto database = ParseRedisUrl("rediss://localhost:6379/3");
  ASSERT_FALSE(database.ok());
  EXPECT_NE(database.error().message.find("database 0"), std::string::npos);
  auto port = ParseRedisUrl("redis://localhost:99999");
  ASSERT_FALSE(port.ok());
  EXPECT_NE(port.error().message.find("bad port"), std::string::npos);
}

TEST(RedisHostPortList, ListsSeeds) {
  auto nodes = ParseHostPortList("10.0.0.1:7000,10.0.0.2:7001,");
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 2u);
  EXPECT_EQ((*nodes)[1].HostPort(), "10.0.0.2:7001");
  EXPECT_FALSE(ParseHostPortList(",").ok());
}

}  // namespace
}  // namespace vitrina::redis::core
