#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

// What Firebase hands out on sign-up, sign-in and refresh.
struct TokenGrant {
  std::string uid;
  std::string email;  // empty after a refresh (the token endpoint does not return it)
  std::string id_token;
  std::string refresh_token;
  std::chrono::seconds expires_in{0};
};

// The account store that proves identity (Firebase Authentication). Calls block: the server runs
// them off its I/O threads. Errors carry client-ready messages (see MapFirebaseAuthError):
// kConflict (email exists), kInvalidArgument (weak password, invalid email), kUnauthenticated
// (wrong email or password: one message for both), kPermissionDenied (disabled account),
// kTooManyRequests, kUnavailable (network).
class IdentityProvider {
 public:
  virtual ~IdentityProvider() = default;
  virtual base::Result<TokenGrant> SignUp(std::string_view email, std::string_view password) = 0;
  virtual base::Result<TokenGrant> SignIn(std::string_view email, std::string_view password) = 0;
  virtual base::Result<TokenGrant> Refresh(std::string_view refresh_token) = 0;
  // Deletes the account that `id_token` belongs to, with the user's own credentials: needs no
  // admin rights, so sign-up compensation works in production too.
  virtual base::Status DeleteAccountWithToken(std::string_view id_token) = 0;
  // Admin deletion by uid (emulator: "Bearer owner"; production needs service-account
  // credentials, which FirebaseIdentityClient does not implement yet: kUnavailable there).
  virtual base::Status DeleteAccount(std::string_view uid) = 0;
};

}  // namespace vitrina::auth::core
