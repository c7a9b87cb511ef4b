#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace vitrina::cache::core {

// The keys whose answer was found larger than CACHE_MAX_ENTRY_BYTES: their requests stream from
// PostgreSQL at once (X-Cache: BYPASS, X-Cache-Bypass: too-large) instead of teeing a copy that
// would be thrown away. Bounded: at most `capacity` keys (the oldest is forgotten first), each
// forgotten after `lifetime` (another instance's write may have shrunk the answer meanwhile) or
// when a write invalidates it. Not thread-safe: the cache guards it.
class TooLargeKeys {
 public:
  using Clock = std::chrono::steady_clock;

  TooLargeKeys(std::size_t capacity, std::chrono::seconds lifetime)
      : capacity_(capacity), lifetime_(lifetime) {}

  void Add(const std::string& key, Clock::time_point now);
  bool Contains(const std::string& key, Clock::time_point now);
  void Forget(const std::string& key) { marked_.erase(key); }
  void Clear() {
    marked_.clear();
    order_.clear();
  }
  std::size_t size() const { return marked_.size(); }

 private:
  std::size_t capacity_;
  std::chrono::seconds lifetime_;
  std::unordered_map<std::string, Clock::time_point> marked_;  // key -> when it expires
  std::deque<std::string> order_;  // insertion order, for eviction (may hold forgotten keys)
};

}  // namespace vitrina::cache::core
