#pragma once

#include <string_view>

#include "vitrina/auth/core/jwt_claims.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

// Turns a bearer token into a verified identity. Implementations are thread-safe and do no
// network I/O in Verify (keys are fetched in the background), so it may run on an I/O thread.
// Every failure is kUnauthenticated with the same client message (kInvalidTokenMessage);
// Error::detail names the failed rule for the logs.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  virtual base::Result<VerifiedIdentity> Verify(std::string_view token) const = 0;
};

}  // namespace vitrina::auth::core
