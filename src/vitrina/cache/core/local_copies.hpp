#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "vitrina/cache/core/copy_lease.hpp"
#include "vitrina/http/core/body_file.hpp"

namespace vitrina::cache::core {

// This instance's copy of one cached answer, and the header line of the Redis entry it copies.
struct LocalCopy {
  std::string header;  // the entry's first kStoredHeaderSize bytes (etag + stamp)
  std::string etag;
  std::shared_ptr<const std::string> body;
  // The same bytes in a file the server sends without copying them (null for small bodies, or
  // when the kernel refused one). It costs as much memory again, and is counted in the budget.
  std::shared_ptr<const http::core::BodyFile> file;
  // Until when this copy may be sent without a check. The one part that changes while the copy
  // is shared: a confirming check extends it (CopyLease is thread-safe).
  mutable CopyLease lease;
};

// The response bodies this instance last read from (or stored into) Redis, bounded in bytes,
// least recently used evicted first. Never an answer by itself: the cache serves a copy only
// while a check of Redis (a GETRANGE of the header) covers it, i.e. Redis confirmed the key held
// exactly these bytes (same random stamp) less than a lease ago (CopyLease). Redis stays the one
// source of truth, and a hit costs at most a 55-byte reply instead of the whole body (7 MB for
// the full catalog). Thread-safe.
class LocalCopies {
 public:
  explicit LocalCopies(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // The copy for `key`, now the most recently used; null when there is none. Shared, not
  // copied: a hit reads it on every request.
  std::shared_ptr<const LocalCopy> Find(const std::string& key);
  // Replaces the copy for `key`, evicting the least recently used to make room. A copy larger
  // than the whole budget is not kept (and the old one is dropped).
  void Put(const std::string& key, LocalCopy copy);
  void Erase(const std::string& key);

  std::size_t bytes() const;
  std::size_t size() const;
  std::size_t files() const;  // copies that also hold a BodyFile
  std::uint64_t evictions() const;

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const LocalCopy>>;
  static std::size_t Cost(const Entry& entry);
  void EraseLocked(std::list<Entry>::iterator it);

  const std::size_t max_bytes_;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::size_t bytes_ = 0;
  std::size_t files_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace vitrina::cache::core
