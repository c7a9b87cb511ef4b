#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "vitrina/auth/core/user_directory.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

struct UserStatusCacheSettings {
  // No answer older than this is ever served: a deactivation or demotion written to PostgreSQL
  // by any instance (or by `vitrina users ...`) takes effect everywhere within this bound.
  std::chrono::milliseconds freshness{1000};
  std::size_t max_entries = 100'000;
};

// is_active / is_admin per uid for the request path, without a PostgreSQL query per request:
// each instance keeps what it read for at most `freshness`, then reads again. Concurrent lookups
// of one uid share one query. Rows that do not exist (deleted users) are remembered the same way.
// Errors of the directory (database down) are not cached and are returned as they are: the
// caller fails closed.
//
// Trade-off: at most one query per active uid per second per instance, and up to one second of
// stale permissions. A PostgreSQL LISTEN/NOTIFY invalidation would make changes immediate, with
// this bound kept as the safety net; see docs/auth.md.
//
// Two doors: Peek never blocks and never queries (the request path calls it on the I/O thread;
// a hit costs one shared lock and a map lookup); Get may query, so callers run it where blocking
// is allowed (a thread pool) and only on a Peek miss.
//
// Header-only so the unit tests (which link only core) can run it with a fake directory and clock.
class UserStatusCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Now = std::function<Clock::time_point()>;

  UserStatusCache(
      UserDirectory& directory, UserStatusCacheSettings settings,
      Now now = [] { return Clock::now(); })
      : directory_(directory), settings_(settings), now_(std::move(now)) {}

  // The cached answer while it is fresh (a row, or kNotFound for a uid without one); nullopt when
  // Get must load it. Never blocks on a load and never calls the directory.
  std::optional<base::Result<UserRecord>> Peek(std::string_view uid) const {
    const auto now = now_();
    std::shared_lock lock(mutex_);
    const auto it = entries_.find(uid);
    if (it == entries_.end() || !it->second.value) return std::nullopt;
    if (now - it->second.loaded_at >= settings_.freshness) return std::nullopt;
    return *it->second.value;
  }

  // The user's row (kNotFound when there is none). May query the directory: blocking.
  base::Result<UserRecord> Get(std::string_view uid) {
    const auto now = now_();
    std::unique_lock lock(mutex_);
    auto it = entries_.find(uid);
    if (it == entries_.end()) {
      if (entries_.size() >= settings_.max_entries) EvictStale(now);
      it = entries_.emplace(std::string(uid), Entry{}).first;
    }
    Entry& entry = it->second;
    if (entry.value && now - entry.loaded_at < settings_.freshness) return *entry.value;
    // Join a load already under way, unless it started too long ago to honour the bound.
    if (entry.loading && now - entry.load_started < settings_.freshness) {
      auto pending = entry.pending;
      lock.unlock();
      return pending.get();
    }
    std::promise<base::Result<UserRecord>> promise;
    const std::uint64_t load_id = ++next_load_id_;
    entry.loading = true;
    entry.load_id = load_id;
    entry.load_started = now;
    entry.pending = promise.get_future().share();
    lock.unlock();

    base::Result<UserRecord> result = Load(uid);

    lock.lock();
    it = entries_.find(uid);
    // Invalidate() or a newer load may have replaced this one: then ours is not stored.
    if (it != entries_.end() && it->second.loading && it->second.load_id == load_id) {
      it->second.loading = false;
      if (result.ok() || result.error().code == base::ErrorCode::kNotFound) {
        it->second.value = result;
        it->second.loaded_at = now;  // the start of the read: conservative
      }
    }
    lock.unlock();
    promise.set_value(result);
    return result;
  }

  // Forget one uid now (e.g. after PATCH /users/{uid} on this instance).
  void Invalidate(std::string_view uid) {
    std::lock_guard lock(mutex_);
    if (auto it = entries_.find(uid); it != entries_.end()) entries_.erase(it);
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::optional<base::Result<UserRecord>> value;
    Clock::time_point loaded_at{};
    bool loading = false;
    std::uint64_t load_id = 0;
    Clock::time_point load_started{};
    std::shared_future<base::Result<UserRecord>> pending;
  };

  base::Result<UserRecord> Load(std::string_view uid) {
    try {
      return directory_.FindByUid(uid);
    } catch (const std::exception& e) {
      // A throwing directory is a bug, but waiters must not hang on a broken promise.
      return base::MakeError(base::ErrorCode::kInternal, "internal error",
                             std::string("user directory threw: ") + e.what());
    }
  }

  void EvictStale(Clock::time_point now) {
    for (auto it = entries_.begin(); it != entries_.end();) {
      const bool stale = !it->second.loading && now - it->second.loaded_at >= settings_.freshness;
      it = stale ? entries_.erase(it) : std::next(it);
    }
  }

  UserDirectory& directory_;
  const UserStatusCacheSettings settings_;
  const Now now_;
  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::uint64_t next_load_id_ = 0;
};

}  // namespace vitrina::auth::core
