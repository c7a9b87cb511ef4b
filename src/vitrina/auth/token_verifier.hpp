#pragma once

#include <string_view>

#include "vitrina/core/jwt_claims.hpp"
#include "vitrina/core/result.hpp"

namespace vitrina::auth {

using core::VerifiedIdentity;

// Turns a bearer token into a verified identity. Implementations are thread-safe and do no
// network I/O in Verify (keys are fetched in the background), so it may run on an I/O thread.
// Every failure is kUnauthenticated with the same client message (core::kInvalidTokenMessage);
// Error::detail names the failed rule for the logs.
class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  virtual core::Result<VerifiedIdentity> Verify(std::string_view token) const = 0;
};

}  // namespace vitrina::auth
