#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "vitrina/base/access_token.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::identity::core {

using Clock = std::chrono::system_clock;

struct RefreshPolicy {
  // A token is replaced this long before it expires (Azure's SDKs use 5 minutes)...
  std::chrono::seconds early{300};
  // ...but not before half its life has passed, so a short-lived token is not fetched again the
  // moment it arrives.
  // After a failed fetch: first_retry, doubling up to max_retry, while the old token still works.
  std::chrono::milliseconds first_retry{1000};
  std::chrono::milliseconds max_retry{30000};
};

// One resource's token and when to fetch the next one: the decisions of the managed-identity
// token source, without its thread or its HTTP. Not thread-safe (its owner locks).
class TokenSchedule {
 public:
  explicit TokenSchedule(RefreshPolicy policy = {}) : policy_(policy) {}

  // A token arrived at `now`: it is handed out from now on, and replaced at
  // max(expires_on - early, now + (expires_on - now) / 2).
  void Fetched(base::AccessToken token, Clock::time_point now);
  // A fetch failed: the current token (if any) stays in use; the next try waits first_retry,
  // doubling with each failure up to max_retry.
  void Failed(std::string reason, Clock::time_point now);

  // When the owner should fetch next; `now` at start (no token yet).
  Clock::time_point NextFetch() const { return next_fetch_; }
  // The token while it has not expired; otherwise kUnavailable naming the last failure.
  base::Result<base::AccessToken> Current(Clock::time_point now) const;
  int consecutive_failures() const { return failures_; }

 private:
  RefreshPolicy policy_;
  std::optional<base::AccessToken> token_;
  Clock::time_point next_fetch_{};
  int failures_ = 0;
  std::string last_failure_;
};

}  // namespace vitrina::identity::core
