#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"

namespace vitrina::api::core {

// GET /catalog's validated query and cache key, kept by the raw query string that produced them
// (both are pure functions of it and of the dataset spec, fixed while serving). Every cached hit
// of the same query parsed and keyed it again: 8% of a hit's instructions (callgrind). Bounded:
// when full it starts over, so a client sending endless distinct queries costs at most
// `max_entries` parses' memory, and only makes the hot queries be parsed again. Thread-safe.
class ParsedQueries {
 public:
  struct Parsed {
    catalog::core::CatalogQuery query;
    cache::core::CacheKey key;
  };

  explicit ParsedQueries(std::size_t max_entries) : max_entries_(max_entries) {}

  // What `raw` parsed to, or null when it is not kept.
  std::shared_ptr<const Parsed> Find(std::string_view raw) const;
  void Keep(std::string_view raw, std::shared_ptr<const Parsed> parsed);

 private:
  // Looks up by string_view without building a std::string per request.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const Parsed>, Hash, std::equal_to<>> kept_;
};

}  // namespace vitrina::api::core
