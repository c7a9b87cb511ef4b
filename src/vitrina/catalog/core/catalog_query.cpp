#include "vitrina/catalog/core/catalog_query.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/cursor.hpp"

namespace vitrina::catalog::core {

std::string FieldValueText(const FieldValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) return std::to_string(*integer);
  if (const auto* number = std::get_if<double>(&value)) return base::FormatNumber(*number);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  if (const auto* date = std::get_if<Date>(&value)) return FormatDate(*date);
  if (const auto* timestamp = std::get_if<Timestamp>(&value)) return FormatTimestamp(*timestamp);
  return {};
}

namespace {

base::Error BadParameter(std::string_view name, std::string_view reason) {
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "query parameter '" + std::string(name) + "' " + std::string(reason));
}

}  // namespace

base::Result<FieldValue> ParseFilterValue(const ColumnSpec& column, std::string_view name,
                                          std::string_view text) {
  switch (column.type) {
    case ColumnType::kString:
      return FieldValue{std::string(text)};
    case ColumnType::kInteger: {
      std::int64_t integer = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), integer);
      if (error == std::errc::result_out_of_range) return BadParameter(name, "is out of range");
      if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
        // A whole number written as a decimal (500.0, 5e2) is the same question as 500: accept
        // it, so clients that format numbers as floats get the same answer and cache key.
        double number = 0;
        const auto [number_end, number_error] =
            std::from_chars(text.data(), text.data() + text.size(), number);
        const bool whole = !text.empty() && number_error == std::errc() &&
                           number_end == text.data() + text.size() && std::isfinite(number) &&
                           std::trunc(number) == number && std::abs(number) < 9.0e15;
        if (!whole) return BadParameter(name, "must be an integer");
        integer = static_cast<std::int64_t>(number);
      }
      return FieldValue{integer};
    }
    case ColumnType::kNumber: {
      double number = 0;
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
      if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(number)) {
        return BadParameter(name, "must be a number");
      }
      return FieldValue{number};
    }
    case ColumnType::kBoolean:
      break;
    case ColumnType::kDate:
      if (const auto date = ParseIsoDate(text)) return FieldValue{*date};
      return BadParameter(name, "must be a date in the form YYYY-MM-DD");
    case ColumnType::kTimestamp:
      // A bare date is midnight UTC: ?sold_at_min=2024-01-31 is the natural way to ask.
      if (const auto date = ParseIsoDate(text)) {
        return FieldValue{Timestamp{std::int64_t{date->days} * 86'400'000'000}};
      }
      if (const auto timestamp = ParseIsoTimestamp(text)) return FieldValue{*timestamp};
      return BadParameter(name,
                          "must be an ISO 8601 timestamp such as 2024-01-31T12:00:00Z or a date "
                          "(an offset's + is written %2B in a query string)");
  }
  return BadParameter(name, "cannot be filtered");
}

namespace {

using ParameterTarget = CatalogQueryParser::Target;

std::map<std::string, ParameterTarget, std::less<>> ParameterTargets(const DatasetSpec& spec) {
  using Kind = ParameterTarget::Kind;
  std::map<std::string, ParameterTarget, std::less<>> targets;
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    const auto& column = spec.columns[i];
    if (column.category) targets.emplace(column.name, ParameterTarget{Kind::kCategory, i});
    if (column.HasRangeFilter()) {
      targets.emplace(column.name + "_min", ParameterTarget{Kind::kRangeMin, i});
      targets.emplace(column.name + "_max", ParameterTarget{Kind::kRangeMax, i});
    }
  }
  targets.emplace("limit", ParameterTarget{Kind::kLimit, 0});
  targets.emplace("cursor", ParameterTarget{Kind::kCursor, 0});
  return targets;
}

}  // namespace

bool SatisfiesBound(const FieldValue& item, const FieldValue& bound, bool at_least) {
  // Dates and timestamps compare with their own kind only.
  if (const auto* a = std::get_if<Date>(&item)) {
    const auto* b = std::get_if<Date>(&bound);
    return b != nullptr && (at_least ? *a >= *b : *a <= *b);
  }
  if (const auto* a = std::get_if<Timestamp>(&item)) {
    const auto* b = std::get_if<Timestamp>(&bound);
    return b != nullptr && (at_least ? *a >= *b : *a <= *b);
  }
  // Numbers of either type compare as doubles; NULL never satisfies a bound.
  const auto as_double = [](const FieldValue& v) -> std::optional<double> {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return static_cast<double>(*i);
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
  };
  if (std::holds_alternative<std::int64_t>(item) && std::holds_alternative<std::int64_t>(bound)) {
    const auto a = std::get<std::int64_t>(item);
    const auto b = std::get<std::int64_t>(bound);
    return at_least ? a >= b : a <= b;
  }
  const auto a = as_double(item);
  const auto b = as_double(bound);
  if (!a || !b) return false;
  return at_least ? *a >= *b : *a <= *b;
}

CatalogQueryParser::CatalogQueryParser(const DatasetSpec& spec)
    : spec_(spec), targets_(ParameterTargets(spec)) {
  for (const auto& [name, target] : targets_) names_.push_back(name);  // sorted by the map
}

base::Result<CatalogQuery> CatalogQueryParser::Parse(std::string_view raw_query) const {
  auto params = base::ParseQueryString(raw_query);
  if (!params) return params.error();
  return Parse(*params);
}

base::Result<CatalogQuery> CatalogQueryParser::Parse(
    const std::vector<base::QueryParam>& params) const {
  using Kind = ParameterTarget::Kind;
  std::map<std::size_t, CategoryFilter> categories;  // by column index, sorted by name later
  std::map<std::size_t, RangeFilter> ranges;
  std::map<std::string, int, std::less<>> single_use;  // names that may appear once
  CatalogQuery query;

  for (const auto& param : params) {
    const auto target = targets_.find(param.name);
    if (target == targets_.end()) {
      std::string allowed;
      for (const auto& name : names_) allowed += (allowed.empty() ? "" : ", ") + name;
      return base::MakeError(base::ErrorCode::kInvalidArgument,
                             "unknown query parameter '" + param.name + "'; allowed: " + allowed);
    }
    const auto kind = target->second.kind;
    if (kind != Kind::kCategory && ++single_use[param.name] > 1) {
      return BadParameter(param.name, "must be given at most once");
    }
    const std::size_t index = target->second.column_index;
    const auto& column = spec_.columns[index];
    switch (kind) {
      case Kind::kCategory: {
        auto value = ParseFilterValue(column, param.name, param.value);
        if (!value) return value.error();
        auto& filter = categories[index];
        filter.column = column.name;
        filter.column_index = index;
        filter.values.push_back(std::move(*value));
        break;
      }
      case Kind::kRangeMin:
      case Kind::kRangeMax: {
        auto value = ParseFilterValue(column, param.name, param.value);
        if (!value) return value.error();
        auto& filter = ranges[index];
        filter.column = column.name;
        filter.column_index = index;
        (kind == Kind::kRangeMin ? filter.min : filter.max) = std::move(*value);
        break;
      }
      case Kind::kLimit: {
        std::int64_t limit = 0;
        const auto& text = param.value;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), limit);
        if (text.empty() || error != std::errc() || end != text.data() + text.size() || limit < 1 ||
            limit > kMaxPageLimit) {
          return BadParameter(param.name,
                              "must be an integer from 1 to " + std::to_string(kMaxPageLimit));
        }
        query.limit = limit;
        break;
      }
      case Kind::kCursor: {
        const auto after = DecodeCursor(param.value);
        if (!after) return BadParameter(param.name, "is not a cursor returned by this API");
        query.after_id = *after;
        break;
      }
    }
  }

  for (auto& [index, filter] : categories) {
    std::sort(filter.values.begin(), filter.values.end());
    filter.values.erase(std::unique(filter.values.begin(), filter.values.end()),
                        filter.values.end());
    query.categories.push_back(std::move(filter));
  }
  for (auto& [index, filter] : ranges) query.ranges.push_back(std::move(filter));
  const auto by_column = [](const auto& a, const auto& b) { return a.column < b.column; };
  std::sort(query.categories.begin(), query.categories.end(), by_column);
  std::sort(query.ranges.begin(), query.ranges.end(), by_column);
  return query;
}

std::string CatalogQuery::CanonicalString() const {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& filter : categories) {
    for (const auto& value : filter.values) {
      pairs.emplace_back(filter.column, FieldValueText(value));
    }
  }
  for (const auto& filter : ranges) {
    if (filter.min) pairs.emplace_back(filter.column + "_min", FieldValueText(*filter.min));
    if (filter.max) pairs.emplace_back(filter.column + "_max", FieldValueText(*filter.max));
  }
  if (limit) pairs.emplace_back("limit", std::to_string(*limit));
  if (after_id) pairs.emplace_back("cursor", EncodeCursor(*after_id));
  // Values of one category are already in value order; a stable sort by name keeps that order.
  std::stable_sort(pairs.begin(), pairs.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out;
  for (const auto& [name, value] : pairs) {
    if (!out.empty()) out += '&';
    out += base::PercentEncode(name);
    out += '=';
    out += base::PercentEncode(value);
  }
  return out;
}

bool CatalogQuery::Matches(const CatalogItem& item) const {
  if (after_id && item.id <= *after_id) return false;
  for (const auto& filter : categories) {
    if (filter.column_index >= item.values.size()) return false;
    const auto& value = item.values[filter.column_index];
    if (std::find(filter.values.begin(), filter.values.end(), value) == filter.values.end()) {
      return false;
    }
  }
  for (const auto& filter : ranges) {
    if (filter.column_index >= item.values.size()) return false;
    const auto& value = item.values[filter.column_index];
    if (filter.min && !SatisfiesBound(value, *filter.min, true)) return false;
    if (filter.max && !SatisfiesBound(value, *filter.max, false)) return false;
  }
  return true;
}

}  // namespace vitrina::catalog::core
