#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

// Who a verified Firebase ID token says the caller is. Permissions (is_active, is_admin) are not
// here: they come from our users table, not from the token.
struct VerifiedIdentity {
  std::string uid;                   // "sub"
  std::optional<std::string> email;  // absent for e.g. anonymous accounts
  bool email_verified = false;
  std::string sign_in_provider;  // "firebase.sign_in_provider", e.g. "password"
  std::int64_t issued_at = 0;    // "iat", seconds since the epoch
  std::int64_t expires_at = 0;   // "exp"
  std::int64_t auth_time = 0;    // "auth_time"
};

inline constexpr std::size_t kMaxUidLength = 128;
inline constexpr std::chrono::seconds kDefaultClockSkew{60};

// The issuer Firebase puts in ID tokens of `project_id`.
std::string FirebaseIssuer(std::string_view project_id);

// Firebase's documented ID-token claim rules
// (firebase.google.com/docs/auth/admin/verify-id-tokens):
//   exp        required integer, in the future: now < exp (no tolerance: an expired token is
//              expired; the client refreshes)
//   iat        required integer, not after now + skew
//   auth_time  required integer, not after now + skew
//   aud        exactly project_id
//   iss        exactly https://securetoken.google.com/<project_id>
//   sub        non-empty string of at most 128 characters
// Optional email (string), email_verified (bool), firebase.sign_in_provider (string) are read
// when present and of the right type, refused when present with the wrong type.
// Failures are kUnauthenticated with kInvalidTokenMessage; Error::detail says which rule failed.
base::Result<VerifiedIdentity> CheckFirebaseClaims(const boost::json::object& claims,
                                                   std::string_view project_id,
                                                   std::chrono::system_clock::time_point now,
                                                   std::chrono::seconds skew = kDefaultClockSkew);

}  // namespace vitrina::auth::core
