#include "vitrina/cache/core/cache_match.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>
#include <vector>

#include "vitrina/catalog/core/catalog_query.hpp"

namespace vitrina::cache::core {
namespace {

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> NumericValue(const catalog::core::FieldValue& value) {
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return static_cast<double>(*integer);
  if (const auto* number = std::get_if<double>(&value)) return *number;
  return std::nullopt;
}

// Equality filter: the item matches when its value is any of the listed ones.
bool MatchesEquality(const catalog::core::ColumnSpec& column,
                     const std::vector<std::string>& values,
                     const catalog::core::FieldValue& item_value) {
  if (std::holds_alternative<std::monostate>(item_value)) return false;
  if (const auto* text = std::get_if<std::string>(&item_value)) {
    return std::find(values.begin(), values.end(), *text) != values.end();
  }
  if (const auto* flag = std::get_if<bool>(&item_value)) {
    const std::string_view wanted = *flag ? "true" : "false";
    return std::find(values.begin(), values.end(), wanted) != values.end();
  }
  const auto number = NumericValue(item_value);
  if (!number || !column.IsNumeric()) return true;  // a type we do not expect: be conservative
  for (const auto& value : values) {
    const auto wanted = ParseNumber(value);
    if (!wanted || *wanted == *number) return true;
  }
  return false;
}

// A date or timestamp bound, read back from its canonical text with the API's own parser and
// compared as the query compares it.
bool MatchesTemporalBound(const catalog::core::ColumnSpec& column, bool is_min,
                          const std::vector<std::string>& values,
                          const catalog::core::FieldValue& item_value) {
  const bool placeable = std::holds_alternative<catalog::core::Date>(item_value) ||
                         std::holds_alternative<catalog::core::Timestamp>(item_value);
  if (!placeable) return true;
  for (const auto& value : values) {
    const auto bound = catalog::core::ParseFilterValue(column, column.name, value);
    if (!bound) return true;
    if (!catalog::core::SatisfiesBound(item_value, *bound, is_min)) return false;
  }
  return true;
}

// Range filter bound: inclusive, as the API documents it.
bool MatchesBound(const catalog::core::ColumnSpec& column, bool is_min,
                  const std::vector<std::string>& values,
                  const catalog::core::FieldValue& item_value) {
  if (std::holds_alternative<std::monostate>(item_value)) return false;  // NULL >= x is not true
  if (column.IsTemporal()) return MatchesTemporalBound(column, is_min, values, item_value);
  const auto number = NumericValue(item_value);
  if (!number) return true;
  for (const auto& value : values) {
    const auto bound = ParseNumber(value);
    if (!bound) return true;
    if (is_min ? *number < *bound : *number > *bound) return false;
  }
  return true;
}

struct RangeParam {
  const catalog::core::ColumnSpec* column = nullptr;
  bool is_min = false;
};

std::optional<RangeParam> AsRangeParam(const catalog::core::DatasetSpec& spec,
                                       std::string_view name) {
  for (const auto& [suffix, is_min] :
       {std::pair{std::string_view("_min"), true}, std::pair{std::string_view("_max"), false}}) {
    if (!name.ends_with(suffix)) continue;
    const auto* column = spec.FindColumn(name.substr(0, name.size() - suffix.size()));
    if (column != nullptr && column->HasRangeFilter()) return RangeParam{column, is_min};
  }
  return std::nullopt;
}

}  // namespace

bool ItemMayAffectKey(const catalog::core::DatasetSpec& spec, const KeyParams& key_params,
                      const ItemValues& item) {
  for (const auto& [name, values] : key_params) {
    if (const auto* column = spec.FindColumn(name); column != nullptr && column->category) {
      const auto found = item.find(column->name);
      if (found != item.end() && !MatchesEquality(*column, values, found->second)) return false;
      continue;
    }
    if (const auto range = AsRangeParam(spec, name)) {
      const auto found = item.find(range->column->name);
      if (found != item.end() &&
          !MatchesBound(*range->column, range->is_min, values, found->second)) {
        return false;
      }
      continue;
    }
    // Pagination, sorting or anything unknown: it cannot exclude the item.
  }
  return true;
}

}  // namespace vitrina::cache::core
