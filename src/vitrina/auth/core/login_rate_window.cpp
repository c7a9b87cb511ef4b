#include "vitrina/auth/core/login_rate_window.hpp"

#include <algorithm>
#include <cctype>

#include "vitrina/base/text.hpp"

namespace vitrina::auth::core {
namespace {

std::string NormalEmail(std::string_view email) {
  email = base::TrimAscii(email);
  std::string normal;
  normal.reserve(email.size());
  for (const char c : email) {
    normal.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return normal;
}

}  // namespace

RateLimitDecision DecideRateLimit(std::int64_t failures, std::chrono::seconds ttl,
                                  const RateLimitRule& rule) {
  if (failures < rule.max_failures) return RateLimitDecision::Allow();
  // A counter without expiry should not exist (the script sets one); wait a whole window.
  const auto wait = ttl.count() > 0 ? ttl : rule.window;
  return RateLimitDecision{false, std::max(wait, std::chrono::seconds(1))};
}

RateLimitDecision Stricter(const RateLimitDecision& a, const RateLimitDecision& b) {
  if (a.allowed && b.allowed) return RateLimitDecision::Allow();
  if (a.allowed) return b;
  if (b.allowed) return a;
  return a.retry_after >= b.retry_after ? a : b;
}

RateLimitDecision DecideLogin(const LoginCounters& counters, const LoginRateLimitPolicy& policy) {
  auto decision = Stricter(
      DecideRateLimit(counters.pair_failures, counters.pair_ttl, policy.per_email_and_address),
      DecideRateLimit(counters.address_failures, counters.address_ttl, policy.per_address));
  if (counters.backoff_left.count() > 0 && !counters.known_address) {
    // Rounded up: a client that waits exactly Retry-After must find the back-off over.
    const auto wait = std::chrono::ceil<std::chrono::seconds>(counters.backoff_left);
    decision =
        Stricter(decision, RateLimitDecision{false, std::max(wait, std::chrono::seconds(1))});
  }
  return decision;
}

std::chrono::milliseconds EmailBackoffDelay(std::int64_t failures, const EmailBackoffRule& rule) {
  if (failures < rule.after) return std::chrono::milliseconds(0);
  const auto doublings = std::min<std::int64_t>(failures - rule.after, 30);
  const auto delay = std::chrono::seconds(rule.first.count() << doublings);
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::min(delay, rule.max));
}

std::string LoginEmailAndAddressKey(std::string_view email, std::string_view client_address) {
  return "ratelimit:login:pair:" + NormalEmail(email) + "|" + std::string(client_address);
}

std::string LoginAddressRateLimitKey(std::string_view client_address) {
  return "ratelimit:login:ip:" + std::string(client_address);
}

std::string LoginEmailFailuresKey(std::string_view email) {
  return "ratelimit:login:email:" + NormalEmail(email);
}

std::string LoginEmailBackoffKey(std::string_view email) {
  return "ratelimit:login:backoff:" + NormalEmail(email);
}

std::string LoginKnownAddressKey(std::string_view email, std::string_view client_address) {
  return "ratelimit:login:known:" + NormalEmail(email) + "|" + std::string(client_address);
}

}  // namespace vitrina::auth::core
