#include "vitrina/cache/core/registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "vitrina/base/query_string.hpp"
#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"

namespace vitrina::cache::core {
namespace {

constexpr std::string_view kGeneralIndex = "*";

// Equality on text compares text (booleans as "true"/"false"); numeric category columns compare
// numerically in ItemMayAffectKey, where spellings differ ("1" and "1.0"), so they are not
// indexed by value.
bool IndexedByValue(const catalog::core::ColumnSpec& column) {
  return column.category && !column.IsNumeric();
}

std::string CategoryIndex(std::string_view column, std::string_view value) {
  return "c:" + base::PercentEncode(column) + "=" + base::PercentEncode(value);
}

std::optional<double> ParseFinite(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// The score of a value in a range index: the number itself, a date's day number, a timestamp's
// microseconds. Converting an integer to a double never reverses an order (it may only make two
// values equal), so a read by score still finds every key whose bound the item's value reaches;
// the extra ones that rounding lets in are filtered out by ItemMayAffectKey.
std::optional<double> ValueScore(const catalog::core::FieldValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  if (const auto* number = std::get_if<double>(&value)) return *number;
  if (const auto* date = std::get_if<catalog::core::Date>(&value)) return date->days;
  if (const auto* timestamp = std::get_if<catalog::core::Timestamp>(&value)) {
    return static_cast<double>(timestamp->micros);
  }
  return std::nullopt;
}

// A bound's score from its canonical text in the key.
std::optional<double> BoundScore(const catalog::core::ColumnSpec& column, std::string_view text) {
  if (!column.IsTemporal()) return ParseFinite(text);
  const auto value = catalog::core::ParseFilterValue(column, column.name, text);
  if (!value) return std::nullopt;
  return ValueScore(*value);
}

// The tightest bound of a parameter's values (all of them must hold); nullopt when any value is
// not a finite number (or date), since ItemMayAffectKey then lets every item through.
std::optional<double> TightestBound(const catalog::core::ColumnSpec& column, const KeyParams& key,
                                    const std::string& name, bool is_min) {
  const auto found = key.find(name);
  if (found == key.end() || found->second.empty()) return std::nullopt;
  std::optional<double> tightest;
  for (const auto& text : found->second) {
    const auto bound = BoundScore(column, text);
    if (!bound) return std::nullopt;
    if (!tightest || (is_min ? *bound > *tightest : *bound < *tightest)) tightest = bound;
  }
  return tightest;
}

}  // namespace

std::vector<RegistryEntry> RegistryEntriesForKey(const catalog::core::DatasetSpec& spec,
                                                 const KeyParams& key) {
  for (const auto& column : spec.columns) {
    if (!IndexedByValue(column)) continue;
    const auto found = key.find(column.name);
    if (found == key.end() || found->second.empty()) continue;
    std::vector<RegistryEntry> entries;
    for (const auto& value : found->second) {
      entries.push_back({RegistryEntry::Kind::kSet, CategoryIndex(column.name, value), 0});
    }
    return entries;
  }
  for (const auto& column : spec.columns) {
    if (!column.HasRangeFilter()) continue;
    const std::string encoded = base::PercentEncode(column.name);
    if (const auto lower = TightestBound(column, key, column.name + "_min", true)) {
      return {{RegistryEntry::Kind::kLowerBound, "min:" + encoded, *lower}};
    }
    if (const auto upper = TightestBound(column, key, column.name + "_max", false)) {
      return {{RegistryEntry::Kind::kUpperBound, "max:" + encoded, *upper}};
    }
  }
  return {{RegistryEntry::Kind::kSet, std::string(kGeneralIndex), 0}};
}

std::optional<std::vector<RegistryRead>> RegistryReadsForItem(
    const catalog::core::DatasetSpec& spec, const ItemValues& item) {
  std::vector<RegistryRead> reads{{RegistryEntry::Kind::kSet, std::string(kGeneralIndex), 0, true}};
  for (const auto& column : spec.columns) {
    const bool by_value = IndexedByValue(column);
    if (!by_value && !column.HasRangeFilter()) continue;
    const auto found = item.find(column.name);
    if (found == item.end()) return std::nullopt;
    const auto& value = found->second;
    // NULL matches no equality filter and no range: no key indexed on this column can contain it.
    if (std::holds_alternative<std::monostate>(value)) continue;
    if (by_value) {
      if (const auto* text = std::get_if<std::string>(&value)) {
        reads.push_back({RegistryEntry::Kind::kSet, CategoryIndex(column.name, *text), 0, true});
      } else if (const auto* flag = std::get_if<bool>(&value)) {
        reads.push_back({RegistryEntry::Kind::kSet,
                         CategoryIndex(column.name, *flag ? "true" : "false"), 0, true});
      } else {
        return std::nullopt;
      }
      continue;
    }
    const auto number = ValueScore(value);
    if (!number || !std::isfinite(*number)) return std::nullopt;
    const std::string encoded = base::PercentEncode(column.name);
    reads.push_back({RegistryEntry::Kind::kLowerBound, "min:" + encoded, *number, false});
    reads.push_back({RegistryEntry::Kind::kUpperBound, "max:" + encoded, *number, false});
  }
  return reads;
}

}  // namespace vitrina::cache::core
