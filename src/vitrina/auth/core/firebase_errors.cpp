#include "vitrina/auth/core/firebase_errors.hpp"

#include <string>

namespace vitrina::auth::core {

base::Error MapFirebaseAuthError(std::string_view firebase_message, int http_status) {
  // Firebase appends an explanation after " : " to some codes; the code is the first word.
  const auto code = firebase_message.substr(0, firebase_message.find_first_of(" :"));
  std::string detail =
      "firebase " + std::to_string(http_status) + ": " + std::string(firebase_message);
  if (code == "EMAIL_EXISTS") {
    return base::MakeError(base::ErrorCode::kConflict, "an account with this email already exists",
                           std::move(detail));
  }
  if (code == "WEAK_PASSWORD") {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           "password must be at least 6 characters", std::move(detail));
  }
  if (code == "INVALID_EMAIL" || code == "MISSING_EMAIL") {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "email address is not valid",
                           std::move(detail));
  }
  if (code == "MISSING_PASSWORD") {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "password is required",
                           std::move(detail));
  }
  if (code == "EMAIL_NOT_FOUND" || code == "INVALID_PASSWORD" ||
      code == "INVALID_LOGIN_CREDENTIALS") {
    return base::MakeError(base::ErrorCode::kUnauthenticated,
                           std::string(kInvalidCredentialsMessage), std::move(detail));
  }
  if (code == "USER_DISABLED") {
    return base::MakeError(base::ErrorCode::kPermissionDenied, "this account is disabled",
                           std::move(detail));
  }
  if (code == "TOO_MANY_ATTEMPTS_TRY_LATER") {
    return base::MakeError(base::ErrorCode::kTooManyRequests, "too many attempts, try again later",
                           std::move(detail));
  }
  if (code == "TOKEN_EXPIRED" || code == "INVALID_REFRESH_TOKEN" || code == "USER_NOT_FOUND" ||
      code == "INVALID_ID_TOKEN" || code == "INVALID_GRANT_TYPE" ||
      code == "MISSING_REFRESH_TOKEN") {
    return base::MakeError(base::ErrorCode::kUnauthenticated, "invalid or expired refresh token",
                           std::move(detail));
  }
  if (http_status >= 500 || http_status == 0) {
    return base::MakeError(base::ErrorCode::kUnavailable, "the identity provider is unavailable",
                           std::move(detail));
  }
  // API key or project misconfiguration and unknown codes: our fault, not the client's.
  return base::MakeError(base::ErrorCode::kInternal, "identity provider error", std::move(detail));
}

}  // namespace vitrina::auth::core
