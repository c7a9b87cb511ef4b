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

// Exponential back-off per email, whatever the address: once `after` failures were counted in
// `window`, each further failure makes unknown addresses wait min(2^(failures - after) s, max)
// before their next attempt. Addresses the account logged in from (known_address_lifetime) are
// exempt, so a third party can slow down guessing without locking the owner out.
struct EmailBackoffRule {
  std::int64_t after = 10;
  std::chrono::seconds window{900};
  std::chrono::seconds max{60};
  std::chrono::seconds first{1};  // the wait after the `after`-th failure; doubles with each next
  std::chrono::seconds known_address_lifetime{std::chrono::hours(24 * 30)};
};

// The whole login throttling policy (docs/auth.md says why each part is there).
struct LoginRateLimitPolicy {
  RateLimitRule per_email_and_address{5, std::chrono::seconds(300)};
  RateLimitRule per_address{20, std::chrono::seconds(300)};
  EmailBackoffRule email_backoff;
};

struct RateLimitDecision {
  bool allowed = true;
  std::chrono::seconds retry_after{0};  // > 0 when !allowed: the Retry-After header value

  static RateLimitDecision Allow() { return {}; }
};

// What a limiter read from its store for one attempt.
struct LoginCounters {
  std::int64_t pair_failures = 0;  // this email from this address
  std::chrono::seconds pair_ttl{0};
  std::int64_t address_failures = 0;  // any email from this address
  std::chrono::seconds address_ttl{0};
  std::chrono::milliseconds backoff_left{0};  // the email's back-off still to run
  bool known_address = false;                 // this email logged in from this address lately
};

// `failures` is the key's counter now, `ttl` the time left in its window (negative or zero when
// the key has no expiry or does not exist). Blocked once failures reach the limit; Retry-After is
// the rest of the window, at least one second.
RateLimitDecision DecideRateLimit(std::int64_t failures, std::chrono::seconds ttl,
                                  const RateLimitRule& rule);

// The stricter of two decisions (blocked wins; the longer wait wins).
RateLimitDecision Stricter(const RateLimitDecision& a, const RateLimitDecision& b);

// The policy applied to one attempt: the (email, address) and address windows, and the email's
// back-off unless the address is known for that email.
RateLimitDecision DecideLogin(const LoginCounters& counters, const LoginRateLimitPolicy& policy);

// How long unknown addresses wait after the email's `failures`-th failure in its window: zero
// before `after`, then 1 s, 2 s, 4 s ... up to `max`.
std::chrono::milliseconds EmailBackoffDelay(std::int64_t failures, const EmailBackoffRule& rule);

// Key names, built here and only here. Emails are trimmed and lowercased so "A@x.com " and
// "a@x.com" share a counter, as Firebase treats them as one account.
std::string LoginEmailAndAddressKey(std::string_view email, std::string_view client_address);
std::string LoginAddressRateLimitKey(std::string_view client_address);
std::string LoginEmailFailuresKey(std::string_view email);
std::string LoginEmailBackoffKey(std::string_view email);
std::string LoginKnownAddressKey(std::string_view email, std::string_view client_address);

}  // namespace vitrina::auth::core
