#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/cache/core/cache_match.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::cache::core {

// The key registry, indexed so that a write reads only the entries that may contain its item:
// its cost must not grow with cached answers it cannot change (a user's thousand junk queries
// on other categories or on prices it is far from). Each cached key is registered under exactly
// one index, the most selective its filters allow:
//   - a category filter: a set per value, "c:<column>=<value>" (the first category column in spec
//     order that the key filters on; one entry per listed value);
//   - else a range on a numeric, date or timestamp column (the first in spec order): a sorted set
//     per column, scored by the key's lower bound ("min:<column>", the largest of its _min
//     values) or, with only upper bounds, by the smallest of those ("max:<column>"); a date
//     scores its day number (days since 1970-01-01), a timestamp its microseconds since the epoch;
//   - else (no filter, or only pagination) the general set "*".
// Names and values are percent-encoded as in the key itself, so an index name is one token.

struct RegistryEntry {
  enum class Kind { kSet, kLowerBound, kUpperBound };
  Kind kind = Kind::kSet;
  std::string index;  // "*", "c:cut=Fair", "min:price", "max:carat"
  double score = 0;   // the bound, for kLowerBound / kUpperBound
};

// Where `key` is registered; one entry, or one per value of its category filter.
std::vector<RegistryEntry> RegistryEntriesForKey(const catalog::core::DatasetSpec& spec,
                                                 const KeyParams& key);

// One read a write must make: a whole set, or the part of a sorted set whose score is at most
// (kLowerBound) or at least (kUpperBound) the item's value. `everything` reads the whole index.
struct RegistryRead {
  RegistryEntry::Kind kind = RegistryEntry::Kind::kSet;
  std::string index;
  double value = 0;
  bool everything = false;
};

// The reads that find every registered key an item version may affect (ItemMayAffectKey true),
// and, with indexed filters, few others. nullopt when the item cannot be placed (a column
// missing, or a value of a type the index does not expect): the writer must then read every
// index.
std::optional<std::vector<RegistryRead>> RegistryReadsForItem(
    const catalog::core::DatasetSpec& spec, const ItemValues& item);

}  // namespace vitrina::cache::core
