#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/any_io_executor.hpp>

#include "vitrina/auth/auth_settings.hpp"
#include "vitrina/auth/core/login_rate_limiter.hpp"
#include "vitrina/redis/client.hpp"

namespace vitrina::auth {

// The login throttling policy (core::LoginRateLimitPolicy) over Redis, shared by every instance:
// fixed-window counters (INCR and EXPIRE in one Lua script per key), the email's back-off as a key
// that expires when it is over, and the addresses each email logged in from. One key per command,
// so each command targets one Redis Cluster slot. Commands go through the service's one Redis stack
// (redis::RedisClient, the cache's client), run on `executor`; the login path is a blocking thread,
// so each call waits for its reply for at most `settings.timeout`. When Redis is unreachable, slow
// or not configured, the limiter allows the attempt, skips Redis for the next second (so a Redis
// outage does not make every login wait out the timeout) and logs at most every 10 s: fail open,
// see docs/auth.md. `client` must outlive the limiter and every command it started.
class RedisLoginRateLimiter final : public core::LoginRateLimiter {
 public:
  RedisLoginRateLimiter(redis::RedisClient& client, boost::asio::any_io_executor executor,
                        LoginRateLimitSettings settings);

  core::RateLimitDecision Check(const core::LoginAttempt& attempt) override;
  void RecordFailure(const core::LoginAttempt& attempt) override;
  void RecordSuccess(const core::LoginAttempt& attempt) override;

 private:
  std::optional<std::pair<std::int64_t, std::chrono::seconds>> ReadCounter(const std::string& key);
  // The counter after this failure (0 when Redis did not answer).
  std::int64_t CountFailure(const std::string& key, std::chrono::seconds window);
  // The reply, or nullopt when Redis did not answer usefully in time (then fail open).
  std::optional<redis::RedisReply> Run(redis::RedisArgs args);
  void Warn(const std::string& what);
  // A key of core's under this deployment's CACHE_KEY_PREFIX (shared Redis, docs/cache.md).
  std::string Key(std::string_view key) const { return settings_.key_prefix + std::string(key); }

  redis::RedisClient& client_;
  boost::asio::any_io_executor executor_;
  LoginRateLimitSettings settings_;
  std::atomic<std::chrono::steady_clock::rep> skip_until_{0};
  std::atomic<std::chrono::steady_clock::rep> last_warning_{0};
};

}  // namespace vitrina::auth
