#include "vitrina/auth/core/login_rate_window.hpp"

#include <algorithm>
#include <cctype>

namespace vitrina::auth::core {

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

std::string LoginEmailRateLimitKey(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) {
    email.remove_prefix(1);
  }
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) {
    email.remove_suffix(1);
  }
  std::string key = "ratelimit:login:email:";
  key.reserve(key.size() + email.size());
  for (const char c : email) {
    key.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return key;
}

std::string LoginAddressRateLimitKey(std::string_view client_address) {
  return "ratelimit:login:ip:" + std::string(client_address);
}

}  // namespace vitrina::auth::core
