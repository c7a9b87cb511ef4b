#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "vitrina/auth/auth_settings.hpp"
#include "vitrina/auth/core/login_rate_limiter.hpp"

namespace vitrina::auth {

// Failed-login counters in Redis, shared by every instance: one fixed-window counter per key,
// INCR and EXPIRE in one Lua script per key (one key per command, so each command targets one
// Redis Cluster slot). Blocking hiredis on one mutex-protected connection with a short timeout;
// login is not a hot path. When Redis is unreachable or slow, the limiter allows the attempt and
// logs (at most every 10 s): fail open, see docs/auth.md.
class RedisLoginRateLimiter final : public core::LoginRateLimiter {
 public:
  explicit RedisLoginRateLimiter(LoginRateLimitSettings settings);
  ~RedisLoginRateLimiter() override;

  core::RateLimitDecision Check(const core::LoginAttempt& attempt) override;
  void RecordFailure(const core::LoginAttempt& attempt) override;

  struct Connection;

 private:
  LoginRateLimitSettings settings_;
  std::mutex mutex_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace vitrina::auth
