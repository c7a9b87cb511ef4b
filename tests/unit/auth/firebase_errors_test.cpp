#include "vitrina/auth/core/firebase_errors.hpp"

#include <gtest/gtest.h>

namespace vitrina::auth::core {
namespace {

TEST(MapFirebaseAuthError, SignupErrorsSayWhatIsWrong) {
  auto exists = MapFirebaseAuthError("EMAIL_EXISTS", 400);
  EXPECT_EQ(exists.code, base::ErrorCode::kConflict);
  EXPECT_EQ(exists.message, "an account with this email already exists");
  auto weak = MapFirebaseAuthError("WEAK_PASSWORD : Password should be at least 6 characters", 400);
  EXPECT_EQ(weak.code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(weak.message, "password must be at least 6 characters");
  EXPECT_NE(weak.detail.find("WEAK_PASSWORD"), std::string::npos);
  EXPECT_EQ(MapFirebaseAuthError("INVALID_EMAIL", 400).code, base::ErrorCode::kInvalidArgument);
}

TEST(MapFirebaseAuthError, WrongEmailAndWrongPasswordAreIndistinguishable) {
  const auto unknown = MapFirebaseAuthError("EMAIL_NOT_FOUND", 400);
  const auto wrong = MapFirebaseAuthError("INVALID_PASSWORD", 400);
  const auto either = MapFirebaseAuthError("INVALID_LOGIN_CREDENTIALS", 400);
  for (const auto& error : {unknown, wrong, either}) {
    EXPECT_EQ(error.code, base::ErrorCode::kUnauthenticated);
    EXPECT_EQ(error.message, kInvalidCredentialsMessage);
  }
}

TEST(MapFirebaseAuthError, DisabledThrottledAndDownAreDistinct) {
  EXPECT_EQ(MapFirebaseAuthError("USER_DISABLED", 400).code, base::ErrorCode::kPermissionDenied);
  EXPECT_EQ(MapFirebaseAuthError("TOO_MANY_ATTEMPTS_TRY_LATER : x", 400).code,
            base::ErrorCode::kTooManyRequests);
  EXPECT_EQ(MapFirebaseAuthError("", 503).code, base::ErrorCode::kUnavailable);
  EXPECT_EQ(MapFirebaseAuthError("INVALID_REFRESH_TOKEN", 400).code,
            base::ErrorCode::kUnauthenticated);
  EXPECT_EQ(MapFirebaseAuthError("API_KEY_INVALID", 400).code, base::ErrorCode::kInternal);
}

}  // namespace
}  // namespace vitrina::auth::core
