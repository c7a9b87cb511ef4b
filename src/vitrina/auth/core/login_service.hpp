#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "vitrina/auth/core/credentials.hpp"
#include "vitrina/auth/core/firebase_errors.hpp"
#include "vitrina/auth/core/identity_provider.hpp"
#include "vitrina/auth/core/login_rate_limiter.hpp"
#include "vitrina/auth/core/user_directory.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

struct LoginOutcome {
  base::Result<TokenGrant> grant;
  // With kTooManyRequests: the Retry-After value, in seconds.
  std::chrono::seconds retry_after{0};
};

// POST /login and POST /token/refresh, in the order that keeps them safe: the rate limit before
// Firebase sees the password, one message for a wrong email and a wrong password, and our users
// table (not Firebase) deciding whether an authenticated person may in. Header-only for the same
// reason as SignupService.
class LoginService {
 public:
  // Firebase's own throttling gives no Retry-After; we suggest this.
  static constexpr std::chrono::seconds kProviderThrottleRetryAfter{60};

  LoginService(IdentityProvider& identity, UserDirectory& users, LoginRateLimiter& limiter)
      : identity_(identity), users_(users), limiter_(limiter) {}

  LoginOutcome Login(std::string_view email, std::string_view password,
                     std::string_view client_address) {
    const LoginAttempt attempt{std::string(email), std::string(client_address)};
    if (email.empty() || password.empty()) {
      return {
          base::MakeError(base::ErrorCode::kInvalidArgument, "email and password are required")};
    }
    // Malformed input is refused before it reaches the limiter's keys or Firebase.
    if (auto valid = ValidateEmail(email); !valid) return {valid.error()};
    if (auto valid = ValidatePassword(password); !valid) return {valid.error()};
    const auto decision = limiter_.Check(attempt);
    if (!decision.allowed) {
      return {
          base::MakeError(base::ErrorCode::kTooManyRequests,
                          "too many failed login attempts, try again later",
                          "login rate limit for email or address " + std::string(client_address)),
          decision.retry_after};
    }
    auto grant = identity_.SignIn(email, password);
    if (!grant) {
      if (grant.error().code == base::ErrorCode::kUnauthenticated) limiter_.RecordFailure(attempt);
      return Throttled(std::move(grant));
    }
    // The right password from here: this address is now known for the email.
    limiter_.RecordSuccess(attempt);
    return Admit(std::move(grant));
  }

  LoginOutcome Refresh(std::string_view refresh_token) {
    if (refresh_token.empty()) {
      return {base::MakeError(base::ErrorCode::kInvalidArgument, "refresh_token is required")};
    }
    return Admit(identity_.Refresh(refresh_token));
  }

 private:
  static LoginOutcome Throttled(base::Result<TokenGrant> grant) {
    const bool throttled = !grant.ok() && grant.error().code == base::ErrorCode::kTooManyRequests;
    return {std::move(grant), throttled ? kProviderThrottleRetryAfter : std::chrono::seconds(0)};
  }

  // Firebase said who it is; our table says whether they may use the API.
  LoginOutcome Admit(base::Result<TokenGrant> grant) {
    if (!grant) return Throttled(std::move(grant));
    auto user = users_.FindByUid(grant->uid);
    if (!user) {
      if (user.error().code == base::ErrorCode::kNotFound) {
        return {base::MakeError(base::ErrorCode::kUnauthenticated,
                                std::string(kInvalidCredentialsMessage),
                                "Firebase account " + grant->uid + " has no users row")};
      }
      return {user.error()};
    }
    if (!user->is_active) {
      return {base::MakeError(base::ErrorCode::kPermissionDenied, "this account is deactivated",
                              "login of deactivated user " + grant->uid)};
    }
    if (grant->email.empty()) grant->email = user->email;
    return {std::move(grant)};
  }

  IdentityProvider& identity_;
  UserDirectory& users_;
  LoginRateLimiter& limiter_;
};

}  // namespace vitrina::auth::core
