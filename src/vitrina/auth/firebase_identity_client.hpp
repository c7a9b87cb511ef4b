#pragma once

#include <memory>

#include "vitrina/auth/auth_settings.hpp"
#include "vitrina/auth/core/identity_provider.hpp"

namespace vitrina::auth {

// Firebase Authentication over its REST API (Identity Toolkit v1 and Secure Token v1), blocking,
// one libcurl handle per calling thread (connections are reused), settings.http_timeout per call.
// Admin deletion by uid authenticates as "Bearer owner", which only the emulator accepts;
// production would need an OAuth token from a service account (not implemented: kUnavailable).
class FirebaseIdentityClient final : public core::IdentityProvider {
 public:
  explicit FirebaseIdentityClient(FirebaseSettings settings) : settings_(std::move(settings)) {}

  base::Result<core::TokenGrant> SignUp(std::string_view email, std::string_view password) override;
  base::Result<core::TokenGrant> SignIn(std::string_view email, std::string_view password) override;
  base::Result<core::TokenGrant> Refresh(std::string_view refresh_token) override;
  base::Status DeleteAccountWithToken(std::string_view id_token) override;
  base::Status DeleteAccount(std::string_view uid) override;

 private:
  FirebaseSettings settings_;
};

// Builds the client, refusing the emulator in production for the same reason as
// MakeTokenVerifier (the emulator accepts any password reset, any admin call: it is not Firebase).
base::Result<std::unique_ptr<core::IdentityProvider>> MakeIdentityProvider(
    const FirebaseSettings& settings);

}  // namespace vitrina::auth
