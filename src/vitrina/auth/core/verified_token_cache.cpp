#include "vitrina/auth/core/verified_token_cache.hpp"

#include <algorithm>

namespace vitrina::auth::core {

std::optional<VerifiedIdentity> VerifiedTokenCache::Find(std::string_view token,
                                                         Clock::time_point now) const {
  const std::lock_guard lock(mutex_);
  const auto found = entries_.find(token);
  if (found == entries_.end() || now >= found->second.valid_until) return std::nullopt;
  return found->second.identity;
}

void VerifiedTokenCache::Put(std::string_view token, const VerifiedIdentity& identity,
                             Clock::time_point now) {
  if (max_entries_ == 0) return;
  const auto expires = Clock::time_point(std::chrono::seconds(identity.expires_at));
  const auto valid_until = std::min(expires, now + max_age_);
  if (now >= valid_until) return;
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= max_entries_ && entries_.find(token) == entries_.end()) {
    std::erase_if(entries_, [now](const auto& entry) { return now >= entry.second.valid_until; });
    if (entries_.size() >= max_entries_) entries_.clear();
  }
  entries_.insert_or_assign(std::string(token), Entry{identity, valid_until});
}

std::size_t VerifiedTokenCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace vitrina::auth::core
