#include "vitrina/auth/core/jwt_key_refresh.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <string>

namespace vitrina::auth::core {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<std::chrono::seconds> ParseCacheControlMaxAge(std::string_view header) {
  std::optional<std::chrono::seconds> max_age;
  bool no_cache = false;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto directive = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const auto equals = directive.find('=');
    const auto name = Trim(directive.substr(0, equals));
    if (equals == std::string_view::npos) {
      if (EqualsIgnoreCase(name, "no-cache") || EqualsIgnoreCase(name, "no-store")) no_cache = true;
      continue;
    }
    if (!EqualsIgnoreCase(name, "max-age")) continue;
    auto value = Trim(directive.substr(equals + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    long long seconds = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (error != std::errc() || end != value.data() + value.size() || seconds < 0) {
      return std::nullopt;  // a malformed max-age makes the whole header untrustworthy
    }
    max_age = std::chrono::seconds(seconds);
  }
  if (no_cache) return std::chrono::seconds(0);
  return max_age;
}

std::chrono::seconds KeyRefreshPolicy::EffectiveMaxAge(
    std::optional<std::chrono::seconds> max_age) const {
  return std::clamp(max_age.value_or(default_max_age), min_max_age, max_max_age);
}

KeyRefreshPolicy::TimePoint KeyRefreshPolicy::NextRefresh(
    TimePoint fetched_at, std::chrono::seconds effective_max_age) const {
  return fetched_at + std::max(min_interval, effective_max_age * 3 / 4);
}

KeyRefreshPolicy::TimePoint KeyRefreshPolicy::RetryAfterFailure(TimePoint attempted_at) const {
  return attempted_at + min_interval;
}

bool KeyRefreshPolicy::MayFetchOnUnknownKid(std::optional<TimePoint> last_attempt,
                                            TimePoint now) const {
  return !last_attempt || now - *last_attempt >= min_interval;
}

bool KeyRefreshPolicy::KeysUsable(TimePoint fetched_at, std::chrono::seconds effective_max_age,
                                  TimePoint now) const {
  return now < fetched_at + effective_max_age + max_stale;
}

}  // namespace vitrina::auth::core
