#include "vitrina/redis/core/key_prefix.hpp"

#include <string>

#include <gtest/gtest.h>

namespace vitrina::redis::core {
namespace {

TEST(ValidateKeyPrefix, EmptyAndPlainPrefixesAreValid) {
  for (const char* prefix : {"", "staging:", "prod:books:", "a.b-c_d:"}) {
    EXPECT_TRUE(ValidateKeyPrefix(prefix).ok()) << prefix;
  }
}

TEST(ValidateKeyPrefix, BracesSpacesAndLongPrefixesAreRefused) {
  for (const char* prefix : {"{staging}:", "a b:", "x\n", "é:"}) {
    const auto status = ValidateKeyPrefix(prefix);
    ASSERT_FALSE(status.ok()) << prefix;
    EXPECT_NE(status.error().message.find("CACHE_KEY_PREFIX"), std::string::npos);
  }
  EXPECT_FALSE(ValidateKeyPrefix(std::string(65, 'a')).ok());
  EXPECT_TRUE(ValidateKeyPrefix(std::string(64, 'a')).ok());
}

}  // namespace
}  // namespace vitrina::redis::core
