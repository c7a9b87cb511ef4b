#pragma once

#include <string>

#include "vitrina/auth/core/login_rate_window.hpp"

namespace vitrina::auth::core {

// Owns its strings: an attempt is built from request fields and temporaries (no dangling views).
struct LoginAttempt {
  std::string email;
  std::string client_address;
};

// Counts failed logins per email and per client address. Check before asking Firebase; record
// after a wrong email or password. Implementations fail open (allow, and log) when their store is
// down: an outage of the limiter must not lock every user out; Firebase's own throttling
// (TOO_MANY_ATTEMPTS_TRY_LATER) remains behind it.
class LoginRateLimiter {
 public:
  virtual ~LoginRateLimiter() = default;
  virtual RateLimitDecision Check(const LoginAttempt& attempt) = 0;
  virtual void RecordFailure(const LoginAttempt& attempt) = 0;
};

}  // namespace vitrina::auth::core
