#include "vitrina/auth/core/signup_service.hpp"

#include <gtest/gtest.h>

#include "auth/auth_fakes.hpp"

namespace vitrina::auth::core {
namespace {

using testing::FakeIdentityProvider;
using testing::FakeUserDirectory;

TEST(SignupService, CreatesTheAccountAndAnActiveNonAdminUserRow) {
  FakeIdentityProvider identity;
  FakeUserDirectory users;
  SignupService signup(identity, users);
  auto user = signup.SignUp("ada@example.com", "secret12");
  ASSERT_TRUE(user.ok()) << user.error().detail;
  EXPECT_EQ(user->email, "ada@example.com");
  EXPECT_TRUE(user->is_active);
  EXPECT_FALSE(user->is_admin);
  EXPECT_TRUE(identity.HasAccount("ada@example.com"));
  EXPECT_EQ(users.rows.at(user->uid), *user);
}

TEST(SignupService, AnExistingEmailIsAConflictWithAClearMessage) {
  FakeIdentityProvider identity;
  FakeUserDirectory users;
  SignupService signup(identity, users);
  ASSERT_TRUE(signup.SignUp("ada@example.com", "secret12").ok());
  auto again = signup.SignUp("ada@example.com", "other-secret");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, base::ErrorCode::kConflict);
  EXPECT_EQ(again.error().message, "an account with this email already exists");
}

TEST(SignupService, ProviderValidationErrorsPassThroughAndNothingIsWritten) {
  FakeIdentityProvider identity;
  FakeUserDirectory users;
  SignupService signup(identity, users);
  auto weak = signup.SignUp("ada@example.com", "123");
  ASSERT_FALSE(weak.ok());
  EXPECT_EQ(weak.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(weak.error().message, "password must be at least 6 characters");
  EXPECT_TRUE(users.rows.empty());
  EXPECT_EQ(signup.SignUp("", "secret12").error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(signup.SignUp("ada@example.com", "").error().code, base::ErrorCode::kInvalidArgument);
}

TEST(SignupService, AFailedInsertDeletesTheFirebaseAccountAgain) {
  FakeIdentityProvider identity;
  FakeUserDirectory users;
  users.insert_fails = true;
  SignupService signup(identity, users);
  auto user = signup.SignUp("ada@example.com", "secret12");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, base::ErrorCode::kUnavailable);
  EXPECT_FALSE(identity.HasAccount("ada@example.com"));
  ASSERT_EQ(identity.deleted_by_token.size(), 1U);
  EXPECT_NE(user.error().detail.find("compensated"), std::string::npos);
  // The same email can sign up once the database is back.
  users.insert_fails = false;
  EXPECT_TRUE(signup.SignUp("ada@example.com", "secret12").ok());
}

TEST(SignupService, ADuplicateUsersRowIsAConflictAndIsCompensated) {
  FakeIdentityProvider identity;
  FakeUserDirectory users;
  users.rows["stale"] = UserRecord{"stale", "ada@example.com", true, false};
  SignupService signup(identity, users);
  auto user = signup.SignUp("ada@example.com", "secret12");
  ASSERT_FALSE(user.ok());
  EXPECT_EQ(user.error().code, base::ErrorCode::kConflict);
  EXPECT_EQ(user.error().message, "an account with this email already exists");
  EXPECT_FALSE(identity.HasAccount("ada@example.com"));
}

TEST(SignupService, FallsBackToAdminDeletionWhenTokenDeletionFails) {
  FakeIdentityProvider identity;
  identity.token_delete_fails = true;
  FakeUserDirectory users;
  users.insert_fails = true;
  SignupService signup(identity, users);
  ASSERT_FALSE(signup.SignUp("ada@example.com", "secret12").ok());
  EXPECT_EQ(identity.deleted_by_uid.size(), 1U);
  EXPECT_FALSE(identity.HasAccount("ada@example.com"));
}

TEST(SignupService, AFailedCompensationIsReportedForTheOperator) {
  FakeIdentityProvider identity;
  identity.token_delete_fails = true;
  identity.admin_delete_fails = true;
  FakeUserDirectory users;
  users.insert_fails = true;
  SignupService signup(identity, users);
  auto user = signup.SignUp("ada@example.com", "secret12");
  ASSERT_FALSE(user.ok());
  EXPECT_NE(user.error().detail.find("COMPENSATION FAILED"), std::string::npos);
  EXPECT_EQ(user.error().message, "the database is unavailable");
}

}  // namespace
}  // namespace vitrina::auth::core
