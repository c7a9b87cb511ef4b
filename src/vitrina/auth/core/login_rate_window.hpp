#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vitrina::auth::core {

// A fixed window: at most `max_failures` failed logins per key per `window`; the window starts
// with the first failure and the counter disappears with it.
struct RateLimitRule {
  std::int64_t max_failures = 5;
  std::chrono::seconds window{300};
};

struct RateLimitDecision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};  // > 0 when !allowed: the Retry-After header value

  static RateLimitDecision Allow() { return {}; }
};

// `failures` is the key's counter now, `ttl` the time left in its window (negative or zero when
// the key has no expiry or does not exist). Blocked once failures reach the limit; Retry-After is
// the rest of the window, at least one second.
RateLimitDecision DecideRateLimit(std::int64_t failures, std::chrono::seconds ttl,
                                  const RateLimitRule& rule);

// The stricter of two decisions (blocked wins; the longer wait wins).
RateLimitDecision Stricter(const RateLimitDecision& a, const RateLimitDecision& b);

// Key names, built here and only here. Emails are trimmed and lowercased so "A@x.com " and
// "a@x.com" share a counter, as Firebase treats them as one account.
std::string LoginEmailRateLimitKey(std::string_view email);
std::string LoginAddressRateLimitKey(std::string_view client_address);

}  // namespace vitrina::auth::core
