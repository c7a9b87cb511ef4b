#include "vitrina/auth/core/login_service.hpp"

#include <gtest/gtest.h>

#include "auth/auth_fakes.hpp"

namespace vitrina::auth::core {
namespace {

using testing::FakeIdentityProvider;
using testing::FakeLoginRateLimiter;
using testing::FakeUserDirectory;

struct LoginFixture : ::testing::Test {
  FakeIdentityProvider identity;
  FakeUserDirectory users;
  FakeLoginRateLimiter limiter;
  LoginService login{identity, users, limiter};

  void SetUp() override {
    auto grant = identity.SignUp("ada@example.com", "secret12");
    users.rows[grant->uid] = UserRecord{grant->uid, "ada@example.com", true, false};
  }
};

TEST_F(LoginFixture, RightCredentialsOfAnActiveUserGetTokens) {
  auto outcome = login.Login("ada@example.com", "secret12", "203.0.113.7");
  ASSERT_TRUE(outcome.grant.ok());
  EXPECT_FALSE(outcome.grant->id_token.empty());
  EXPECT_FALSE(outcome.grant->refresh_token.empty());
}

TEST_F(LoginFixture, WrongPasswordAndUnknownEmailGetTheSameAnswer) {
  auto wrong = login.Login("ada@example.com", "nope-nope", "203.0.113.7");
  auto unknown = login.Login("bob@example.com", "secret12", "203.0.113.7");
  ASSERT_FALSE(wrong.grant.ok());
  ASSERT_FALSE(unknown.grant.ok());
  EXPECT_EQ(wrong.grant.error().code, base::ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.grant.error().code, unknown.grant.error().code);
  EXPECT_EQ(wrong.grant.error().message, unknown.grant.error().message);
}

TEST_F(LoginFixture, ADeactivatedUserIsForbidden) {
  users.rows.begin()->second.is_active = false;
  auto outcome = login.Login("ada@example.com", "secret12", "203.0.113.7");
  ASSERT_FALSE(outcome.grant.ok());
  EXPECT_EQ(outcome.grant.error().code, base::ErrorCode::kPermissionDenied);
}

TEST_F(LoginFixture, AnAccountWithoutAUsersRowCannotLogIn) {
  users.rows.clear();
  auto outcome = login.Login("ada@example.com", "secret12", "203.0.113.7");
  ASSERT_FALSE(outcome.grant.ok());
  EXPECT_EQ(outcome.grant.error().code, base::ErrorCode::kUnauthenticated);
  EXPECT_EQ(outcome.grant.error().message, kInvalidCredentialsMessage);
}

TEST_F(LoginFixture, RepeatedFailuresForAnEmailFromOneAddressBlockThatPairBeforeFirebase) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(login.Login("ada@example.com", "wrong-pass", "198.51.100.1").grant.error().code,
              base::ErrorCode::kUnauthenticated);
  }
  const int calls_before = identity.sign_in_calls;
  auto blocked = login.Login("ADA@example.com", "secret12", "198.51.100.1");  // even the right one
  ASSERT_FALSE(blocked.grant.ok());
  EXPECT_EQ(blocked.grant.error().code, base::ErrorCode::kTooManyRequests);
  EXPECT_EQ(blocked.retry_after, std::chrono::seconds(120));
  EXPECT_EQ(identity.sign_in_calls, calls_before);
  // Someone else's failures do not lock the owner out at their own address.
  EXPECT_TRUE(login.Login("ada@example.com", "secret12", "192.0.2.9").grant.ok());
}

TEST_F(LoginFixture, ManyFailuresForAnEmailSlowDownUnknownAddressesButNotKnownOnes) {
  ASSERT_TRUE(login.Login("ada@example.com", "secret12", "192.0.2.9").grant.ok());  // known
  for (int i = 0; i < 5; ++i) {
    (void)login.Login("ada@example.com", "wrong-pass", "198.51.100." + std::to_string(i));
  }
  const auto elsewhere = login.Login("ada@example.com", "wrong-pass", "198.51.100.99");
  ASSERT_FALSE(elsewhere.grant.ok());
  EXPECT_EQ(elsewhere.grant.error().code, base::ErrorCode::kTooManyRequests);
  EXPECT_EQ(elsewhere.retry_after, std::chrono::seconds(1));  // 2^0 s after the 5th failure
  EXPECT_TRUE(login.Login("ada@example.com", "secret12", "192.0.2.9").grant.ok());
  limiter.backoff_over();
  EXPECT_TRUE(login.Login("ada@example.com", "secret12", "198.51.100.99").grant.ok());
}

TEST_F(LoginFixture, MalformedCredentialsAreRefusedBeforeTheLimiterAndFirebase) {
  for (const auto* email : {" ada@example.com", "ada@example.com\n", "no-at-sign", "a@b@c"}) {
    const auto refused = login.Login(email, "secret12", "198.51.100.1");
    ASSERT_FALSE(refused.grant.ok()) << email;
    EXPECT_EQ(refused.grant.error().code, base::ErrorCode::kInvalidArgument) << email;
  }
  EXPECT_EQ(
      login.Login("ada@example.com", std::string(257, 'p'), "198.51.100.1").grant.error().code,
      base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(identity.sign_in_calls, 0);
  EXPECT_TRUE(limiter.failures.empty());
}

TEST_F(LoginFixture, FailuresFromOneAddressBlockThatAddressForEveryEmail) {
  for (const auto* email : {"w@example.com", "x@example.com", "y@example.com", "z@example.com"}) {
    (void)login.Login(email, "wrong-pass", "198.51.100.1");
  }
  auto blocked = login.Login("ada@example.com", "secret12", "198.51.100.1");
  EXPECT_EQ(blocked.grant.error().code, base::ErrorCode::kTooManyRequests);
  EXPECT_EQ(blocked.retry_after, std::chrono::seconds(200));
  EXPECT_TRUE(login.Login("ada@example.com", "secret12", "192.0.2.9").grant.ok());
}

TEST_F(LoginFixture, RefreshChecksTheUserIsStillActive) {
  const auto refresh = login.Login("ada@example.com", "secret12", "a").grant->refresh_token;
  auto refreshed = login.Refresh(refresh);
  ASSERT_TRUE(refreshed.grant.ok());
  EXPECT_EQ(refreshed.grant->email, "ada@example.com");
  users.rows.begin()->second.is_active = false;
  EXPECT_EQ(login.Refresh(refresh).grant.error().code, base::ErrorCode::kPermissionDenied);
  EXPECT_EQ(login.Refresh("forged").grant.error().code, base::ErrorCode::kUnauthenticated);
}

}  // namespace
}  // namespace vitrina::auth::core
