#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace vitrina::auth::core {

// The max-age directive of a Cache-Control header value ("public, max-age=19204, must-revalidate").
// Directive names are case-insensitive; a quoted value is accepted. nullopt when absent or
// malformed; "no-cache" / "no-store" yield zero (the caller applies its minimum).
std::optional<std::chrono::seconds> ParseCacheControlMaxAge(std::string_view header);

// When Google's signing keys are fetched again. Pure, so the timing rules are unit-tested; the
// verifier's background thread only follows them.
struct KeyRefreshPolicy {
  // No two fetches closer than this: an unknown kid in a flood of forged tokens must not turn
  // into a flood of requests to Google.
  std::chrono::seconds min_interval{30};
  // Used when the response has no usable max-age.
  std::chrono::seconds default_max_age{3600};
  // Bounds on the max-age we honour (a tiny one would hammer Google, a huge one would miss
  // rotations).
  std::chrono::seconds min_max_age{60};
  std::chrono::seconds max_max_age{24 * 3600};
  // After the keys expire and every refresh failed, they are still used for this long (Google
  // publishes a new key well before it signs with it and keeps old ones listed for days), then
  // every token is refused until a fetch succeeds.
  std::chrono::seconds max_stale{3600};

  using TimePoint = std::chrono::steady_clock::time_point;

  std::chrono::seconds EffectiveMaxAge(std::optional<std::chrono::seconds> max_age) const;
  // Refresh at 3/4 of the lifetime, so a slow or failing fetch still has time to be retried
  // before expiry.
  TimePoint NextRefresh(TimePoint fetched_at, std::chrono::seconds effective_max_age) const;
  // After a failed fetch: retry after min_interval.
  TimePoint RetryAfterFailure(TimePoint attempted_at) const;
  // An unknown kid may trigger a fetch only if the previous attempt is min_interval old.
  bool MayFetchOnUnknownKid(std::optional<TimePoint> last_attempt, TimePoint now) const;
  // Keys fetched at `fetched_at` with `effective_max_age` may still be used at `now`.
  bool KeysUsable(TimePoint fetched_at, std::chrono::seconds effective_max_age,
                  TimePoint now) const;
};

}  // namespace vitrina::auth::core
