#pragma once

#include <map>
#include <string>

#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::cache::core {

// One version (old or new) of a catalog item as written: column name -> validated value.
using ItemValues = std::map<std::string, catalog::core::FieldValue, std::less<>>;

// Whether the cached answer for `key_params` could contain `item`, i.e. whether writing the item
// can change that answer. It must never say false for an answer that changes, so whenever it is
// unsure it says true:
// - equality filters on category columns (?cut=Fair,Good) match when the item's value is one of
//   them; NULL matches none (SQL semantics);
// - range filters on numeric, date and timestamp columns (?price_min=, ?sold_max=) are
//   inclusive, and never match NULL;
// - any other parameter (limit, cursor, sort, a future text search) does not narrow: a page of a
//   matching filter is invalidated whenever the filter matches;
// - a column missing from `item`, or a value that does not parse, counts as a match.
bool ItemMayAffectKey(const catalog::core::DatasetSpec& spec, const KeyParams& key_params,
                      const ItemValues& item);

}  // namespace vitrina::cache::core
