#pragma once

#include <string>

#include "vitrina/auth/core/login_rate_window.hpp"

namespace vitrina::auth::core {

// Owns its strings: an attempt is built from request fields and temporaries (no dangling views).
struct LoginAttempt {
  std::string email;
  std::string client_address;
};

// Applies a LoginRateLimitPolicy: failed logins per (email, address) and per address in fixed
// windows, and a back-off per email that addresses the account logged in from are exempt from.
// Check before asking Firebase; record a failure after a wrong email or password, a success after
// Firebase accepted the credentials. Implementations fail open (allow, and log) when their store
// is down: an outage of the limiter must not lock every user out; Firebase's own throttling
// (TOO_MANY_ATTEMPTS_TRY_LATER) remains behind it.
class LoginRateLimiter {
 public:
  virtual ~LoginRateLimiter() = default;
  virtual RateLimitDecision Check(const LoginAttempt& attempt) = 0;
  virtual void RecordFailure(const LoginAttempt& attempt) = 0;
  virtual void RecordSuccess(const LoginAttempt& attempt) = 0;
};

}  // namespace vitrina::auth::core
