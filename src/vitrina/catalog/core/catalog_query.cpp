#include "vitrina/catalog/core/catalog_query.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "vitrina/base/query_string.hpp"
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
  targets.emplace("sort", ParameterTarget{Kind::kSort, 0});
  targets.emplace("fields", ParameterTarget{Kind::kFields, 0});
  return targets;
}

std::vector<std::string_view> SplitList(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const auto end = text.find(',', start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

// A cursor's sort value typed per its column; booleans (sortable only when a spec says so) are
// not filter values, so they are read here.
std::optional<FieldValue> ParseSortValue(const ColumnSpec& column, const std::string& text) {
  if (column.type == ColumnType::kBoolean) {
    if (text == "true") return FieldValue{true};
    if (text == "false") return FieldValue{false};
    return std::nullopt;
  }
  auto value = ParseFilterValue(column, "cursor", text);
  if (!value) return std::nullopt;
  return std::move(*value);
}

std::string EncodePosition(const CatalogQuery& query, const std::vector<FieldValue>& values,
                           std::int64_t id) {
  if (query.DefaultOrder()) return EncodeCursor(id);
  SortedCursor cursor{.sort = query.SortText(), .values = {}, .last_id = id};
  for (const auto& value : values) {
    if (std::holds_alternative<std::monostate>(value)) {
      cursor.values.emplace_back();
    } else {
      cursor.values.emplace_back(FieldValueText(value));
    }
  }
  return EncodeSortedCursor(cursor);
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

std::optional<int> CompareSortValues(const FieldValue& a, const FieldValue& b) {
  const bool a_null = std::holds_alternative<std::monostate>(a);
  const bool b_null = std::holds_alternative<std::monostate>(b);
  if (a_null || b_null) return static_cast<int>(a_null) - static_cast<int>(b_null);
  const auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  if (a.index() == b.index()) {
    return std::visit(
        [&](const auto& x) -> int { return three_way(x, std::get<std::decay_t<decltype(x)>>(b)); },
        a);
  }
  const auto* ai = std::get_if<std::int64_t>(&a);
  const auto* ad = std::get_if<double>(&a);
  const auto* bi = std::get_if<std::int64_t>(&b);
  const auto* bd = std::get_if<double>(&b);
  if ((ai == nullptr && ad == nullptr) || (bi == nullptr && bd == nullptr)) return std::nullopt;
  return three_way(ai != nullptr ? static_cast<double>(*ai) : *ad,
                   bi != nullptr ? static_cast<double>(*bi) : *bd);
}

std::string CursorAfter(const CatalogQuery& query, const CatalogItem& last) {
  std::vector<FieldValue> values;
  for (const auto& key : query.sort) {
    values.push_back(key.column_index < last.values.size() ? last.values[key.column_index]
                                                           : FieldValue{});
  }
  return EncodePosition(query, values, last.id);
}

CatalogQueryParser::CatalogQueryParser(const DatasetSpec& spec)
    : spec_(spec), targets_(ParameterTargets(spec)) {
  for (const auto& [name, target] : targets_) names_.push_back(name);  // sorted by the map
  sortable_.emplace_back("id");
  for (const auto& column : spec.columns) {
    if (column.IsSortable()) sortable_.push_back(column.name);
  }
}

base::Status CatalogQueryParser::ParseSort(std::string_view text, CatalogQuery& query) const {
  bool after_id = false;  // keys after the unique id cannot change the order
  for (const auto token : SplitList(text)) {
    const bool descending = token.starts_with('-');
    const std::string_view name = descending ? token.substr(1) : token;
    if (name.empty()) {
      return BadParameter("sort",
                          "must be a comma-separated list of columns, each optionally prefixed "
                          "with '-' for descending; sortable: " +
                              JoinNames(sortable_));
    }
    if (name == "id") {
      if (!after_id) query.id_descending = descending;
      after_id = true;
      continue;
    }
    const int index = spec_.ColumnIndex(name);
    if (index < 0 || !spec_.columns[static_cast<std::size_t>(index)].IsSortable()) {
      return BadParameter(
          "sort", "cannot sort by '" + std::string(name) + "'; sortable: " + JoinNames(sortable_));
    }
    const auto column_index = static_cast<std::size_t>(index);
    const bool repeated = std::any_of(query.sort.begin(), query.sort.end(), [&](const auto& key) {
      return key.column_index == column_index;
    });
    if (after_id || repeated) continue;
    query.sort.push_back({std::string(name), column_index, descending});
  }
  return base::OkStatus();
}

base::Status CatalogQueryParser::ParseFields(std::string_view text, CatalogQuery& query) const {
  std::vector<std::size_t> indexes;
  for (const auto token : SplitList(text)) {
    if (token == "id") continue;
    const int index = spec_.ColumnIndex(token);
    if (index < 0) {
      std::string allowed = "id";
      for (const auto& column : spec_.columns) allowed += ", " + column.name;
      return BadParameter("fields",
                          "names unknown column '" + std::string(token) + "'; allowed: " + allowed);
    }
    indexes.push_back(static_cast<std::size_t>(index));
  }
  std::sort(indexes.begin(), indexes.end());
  indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
  if (indexes.size() == spec_.columns.size()) return base::OkStatus();  // everything: no choice
  query.field_names.emplace_back("id");
  for (const auto index : indexes) query.field_names.push_back(spec_.columns[index].name);
  std::sort(query.field_names.begin(), query.field_names.end());
  query.fields = std::move(indexes);
  return base::OkStatus();
}

base::Status CatalogQueryParser::ApplyCursor(std::string_view text, CatalogQuery& query) const {
  const auto refused = [] {
    return BadParameter("cursor", "is not a cursor returned by this API");
  };
  if (query.DefaultOrder()) {
    const auto after = DecodeCursor(text);
    if (!after) {
      if (DecodeSortedCursor(text)) {
        return BadParameter("cursor", "continues a sorted listing; give the sort it came with");
      }
      return refused();
    }
    query.after_id = *after;
    return base::OkStatus();
  }
  const auto cursor = DecodeSortedCursor(text);
  if (!cursor) {
    if (DecodeCursor(text)) {
      return BadParameter(
          "cursor", "continues the listing by id; it cannot continue sort=" + query.SortText());
    }
    return refused();
  }
  if (cursor->sort != query.SortText() || cursor->values.size() != query.sort.size()) {
    return BadParameter("cursor", "continues sort=" + cursor->sort +
                                      "; it cannot continue sort=" + query.SortText());
  }
  std::vector<FieldValue> values;
  for (std::size_t i = 0; i < query.sort.size(); ++i) {
    const auto& text_value = cursor->values[i];
    const auto& column = spec_.columns[query.sort[i].column_index];
    if (!text_value) {
      if (column.required) return refused();  // no stored item has NULL there
      values.emplace_back();
      continue;
    }
    auto value = ParseSortValue(column, *text_value);
    if (!value) return refused();
    values.push_back(std::move(*value));
  }
  // "1.50" for 1.5, a timestamp with an offset: a second spelling of one position is refused.
  if (EncodePosition(query, values, cursor->last_id) != text) return refused();
  query.after_id = cursor->last_id;
  query.after_values = std::move(values);
  return base::OkStatus();
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
  // Read after the loop: the cursor depends on the sort, whatever order they came in.
  std::optional<std::string_view> sort_text;
  std::optional<std::string_view> fields_text;
  std::optional<std::string_view> cursor_text;

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
      case Kind::kCursor:
        cursor_text = param.value;
        break;
      case Kind::kSort:
        sort_text = param.value;
        break;
      case Kind::kFields:
        fields_text = param.value;
        break;
    }
  }
  if (sort_text) {
    if (auto status = ParseSort(*sort_text, query); !status) return status.error();
  }
  if (fields_text) {
    if (auto status = ParseFields(*fields_text, query); !status) return status.error();
  }
  if (cursor_text) {
    if (auto status = ApplyCursor(*cursor_text, query); !status) return status.error();
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
  if (after_id) pairs.emplace_back("cursor", CursorText());
  if (!DefaultOrder()) pairs.emplace_back("sort", SortText());
  if (fields) {
    std::string names;
    for (const auto& name : field_names) names += (names.empty() ? "" : ",") + name;
    pairs.emplace_back("fields", std::move(names));
  }
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

std::string CatalogQuery::SortText() const {
  std::string text;
  for (const auto& key : sort) {
    if (!text.empty()) text += ',';
    if (key.descending) text += '-';
    text += key.column;
  }
  if (id_descending) text += text.empty() ? "-id" : ",-id";
  return text;
}

std::string CatalogQuery::CursorText() const {
  if (!after_id) return {};
  return EncodePosition(*this, after_values, *after_id);
}

bool CatalogQuery::LiesAfterCursor(const CatalogItem& item) const {
  for (std::size_t i = 0; i < sort.size() && i < after_values.size(); ++i) {
    const auto index = sort[i].column_index;
    if (index >= item.values.size()) return true;
    const auto& value = item.values[index];
    const auto order = CompareSortValues(value, after_values[i]);
    if (!order) return true;  // kinds that do not compare: assume it may be on the page
    // PostgreSQL orders text by the database's collation, which bytes need not follow: two
    // different texts may lie either way.
    if (*order != 0 && std::holds_alternative<std::string>(value) &&
        std::holds_alternative<std::string>(after_values[i])) {
      return true;
    }
    if (*order != 0) return sort[i].descending ? *order < 0 : *order > 0;
  }
  return id_descending ? item.id < *after_id : item.id > *after_id;
}

bool CatalogQuery::Matches(const CatalogItem& item) const {
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
  // A paginated answer's total counts every matching item, wherever it lies.
  if (!after_id || HasTotal()) return true;
  return LiesAfterCursor(item);
}

}  // namespace vitrina::catalog::core
