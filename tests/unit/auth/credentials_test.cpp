#include "vitrina/auth/core/credentials.hpp"

#include <string>

#include <gtest/gtest.h>

namespace vitrina::auth::core {
namespace {

std::string Reason(std::string_view email) {
  auto status = ValidateEmail(email);
  return status ? std::string() : status.error().message;
}

TEST(ValidateEmail, AcceptsOrdinaryAddressesAsTheyAre) {
  EXPECT_TRUE(ValidateEmail("ada@example.com").ok());
  EXPECT_TRUE(ValidateEmail("Ada.Lovelace+tag@Example.CO.uk").ok());
  EXPECT_TRUE(ValidateEmail("j\xC3\xBCrgen@example.de").ok());
}

TEST(ValidateEmail, WhitespaceIsRefusedNotTrimmed) {
  EXPECT_EQ(Reason(" admin@vitrina.test"), "email must not start or end with whitespace");
  EXPECT_EQ(Reason("admin@vitrina.test\t"), "email must not start or end with whitespace");
}

TEST(ValidateEmail, ControlCharactersAndBadUtf8AreRefused) {
  EXPECT_EQ(Reason("ad\x01min@vitrina.test"), "email must not contain control characters");
  EXPECT_EQ(Reason(std::string("ad\0min@x.test", 13)), "email must not contain control characters");
  EXPECT_EQ(Reason("ad\x7Fmin@x.test"), "email must not contain control characters");
  EXPECT_EQ(Reason("ad\xFFmin@x.test"), "email is not valid UTF-8");
}

TEST(ValidateEmail, LengthIsCappedAt254) {
  const std::string domain = "@example.com";
  EXPECT_TRUE(ValidateEmail(std::string(kMaxEmailLength - domain.size(), 'a') + domain).ok());
  EXPECT_EQ(Reason(std::string(kMaxEmailLength + 1 - domain.size(), 'a') + domain),
            "email must be at most 254 characters");
  EXPECT_EQ(Reason(std::string(5000, 'a') + domain), "email must be at most 254 characters");
}

TEST(ValidateEmail, ShapeIsNameAtDomain) {
  for (const char* email : {"", "plain", "@example.com", "ada@", "a@b@c", "ada@exa mple.com"}) {
    EXPECT_FALSE(ValidateEmail(email).ok()) << email;
  }
}

TEST(ValidatePassword, RequiredAndCapped) {
  EXPECT_EQ(ValidatePassword("").error().message, "password is required");
  EXPECT_TRUE(ValidatePassword(std::string(kMaxPasswordBytes, 'p')).ok());
  EXPECT_EQ(ValidatePassword(std::string(kMaxPasswordBytes + 1, 'p')).error().message,
            "password must be at most 256 bytes");
}

}  // namespace
}  // namespace vitrina::auth::core
