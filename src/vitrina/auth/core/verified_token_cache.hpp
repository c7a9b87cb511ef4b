#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vitrina/auth/core/jwt_claims.hpp"

namespace vitrina::auth::core {

// ID tokens this instance has already verified. A client sends the same token with every request
// for up to an hour; with this, the RS256 signature check runs once per `max_age` and token
// instead of once per request. Only successes are kept, under the token's exact bytes. An entry
// is used only while now < min(exp, verified_at + max_age): never past the token's own expiry,
// and a signing key Google withdraws stops being trusted within max_age. Bounded: when full,
// expired entries go; if none has expired, all go (the next requests cost what they cost
// without the cache). Thread-safe.
class VerifiedTokenCache {
 public:
  using Clock = std::chrono::system_clock;

  VerifiedTokenCache(std::size_t max_entries, std::chrono::seconds max_age)
      : max_entries_(max_entries), max_age_(max_age) {}

  std::optional<VerifiedIdentity> Find(std::string_view token, Clock::time_point now) const;
  void Put(std::string_view token, const VerifiedIdentity& identity, Clock::time_point now);
  std::size_t size() const;

 private:
  struct Entry {
    VerifiedIdentity identity;
    Clock::time_point valid_until;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  const std::size_t max_entries_;
  const std::chrono::seconds max_age_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

}  // namespace vitrina::auth::core
