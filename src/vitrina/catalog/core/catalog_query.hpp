#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/query_string.hpp"
#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::catalog::core {

inline constexpr std::int64_t kMaxPageLimit = 10'000;

// ?cut=Fair&cut=Good: the column equals one of the values (OR). Values are typed per the column,
// sorted and without duplicates, so equal queries compare (and hash) equal.
struct CategoryFilter {
  std::string column;
  std::size_t column_index = 0;  // into DatasetSpec::columns
  std::vector<FieldValue> values;

  bool operator==(const CategoryFilter&) const = default;
};

// ?price_min=500&price_max=1000: inclusive bounds, typed per the column (integer, number, date
// or timestamp).
struct RangeFilter {
  std::string column;
  std::size_t column_index = 0;
  std::optional<FieldValue> min;
  std::optional<FieldValue> max;

  bool operator==(const RangeFilter&) const = default;
};

// One key of ?sort=: a sortable spec column, ascending unless written with a leading '-'. NULL
// sorts after every value ascending (before them descending), as PostgreSQL orders it.
struct SortKey {
  std::string column;
  std::size_t column_index = 0;
  bool descending = false;

  bool operator==(const SortKey&) const = default;
};

// A stored item: its id and one value per spec column, in spec order.
struct CatalogItem {
  std::int64_t id = 0;
  std::vector<FieldValue> values;
};

// A validated GET /catalog query. Everything in it is typed and canonical: filters sorted by
// column name, category values sorted, so CanonicalString() is a stable cache key and two
// spellings of the same question (?cut=Good&cut=Fair vs ?cut=Fair&cut=Good) are one query.
// The sort is canonical too: a column named twice keeps its first place, and nothing after the
// id (unique) can change the order, so ?sort=price,id, ?sort=price,id,carat and ?sort=price are
// one query, and ?sort=id is no sort at all.
struct CatalogQuery {
  std::vector<CategoryFilter> categories;  // sorted by column name
  std::vector<RangeFilter> ranges;         // sorted by column name
  std::vector<SortKey> sort;               // in priority order; ties broken by id
  bool id_descending = false;              // the id tie-breaker's direction (?sort=-id)
  // ?fields=: the spec columns returned besides id, as indexes in spec order; nullopt returns
  // every column (so does a list naming all of them, which is therefore dropped).
  std::optional<std::vector<std::size_t>> fields;
  std::vector<std::string> field_names;  // the same, canonical: sorted by name, "id" included
  std::optional<std::int64_t> limit;     // pagination is opt-in
  std::optional<std::int64_t> after_id;  // decoded cursor: the previous page's last id
  std::vector<FieldValue> after_values;  // and its sort values, one per sort key

  // True for the order by id ascending (no ?sort=, or ?sort=id).
  bool DefaultOrder() const { return sort.empty() && !id_descending; }
  // A paginated answer carries the total number of matching items.
  bool HasTotal() const { return limit.has_value(); }
  // The canonical sort text: "-price,carat", "carat,-id"; empty for the default order.
  std::string SortText() const;
  // The cursor this query was given, re-encoded (so canonical); empty without one.
  std::string CursorText() const;

  // Parameters sorted by name, repeated values sorted, each percent-encoded:
  // "cut=Fair&cut=Good&limit=100&price_min=500". Empty for the unfiltered catalog. Sort and
  // fields are one parameter each: "fields=carat%2Cid&sort=-price".
  std::string CanonicalString() const;

  // Whether writing `item` (one version of it) can change this query's answer: the item passes
  // every filter, and either the answer is paginated (its total counts every matching item, so
  // every page changes) or the item may lie after the cursor in the query's order. Values of
  // kinds that do not compare, and different texts (PostgreSQL orders them by its collation,
  // not by bytes), count as a match.
  bool Matches(const CatalogItem& item) const;

  bool operator==(const CatalogQuery&) const = default;

 private:
  bool LiesAfterCursor(const CatalogItem& item) const;
};

// Validates raw query strings (as after '?') against a spec. Errors are kInvalidArgument with a
// message that names the offending parameter (an unknown one also lists the allowed ones). An
// unknown category value is valid: it simply matches nothing. The spec's parameter table is built
// once, in the constructor: the server keeps one parser and parses every request with it
// (building the table per request was ~4% of a cached hit's CPU). `spec` must outlive it.
class CatalogQueryParser {
 public:
  explicit CatalogQueryParser(const DatasetSpec& spec);

  base::Result<CatalogQuery> Parse(std::string_view raw_query) const;
  base::Result<CatalogQuery> Parse(const std::vector<base::QueryParam>& params) const;
  // Every parameter GET /catalog accepts for this spec, sorted: the category columns, <col>_min
  // and <col>_max for numeric, date and timestamp columns, "cursor", "fields", "limit", "sort".
  const std::vector<std::string>& parameters() const { return names_; }
  // The columns ?sort= accepts: "id" and the sortable spec columns, in spec order.
  const std::vector<std::string>& sortable() const { return sortable_; }

  // How one query parameter name maps onto the spec.
  struct Target {
    enum class Kind {
      kCategory,
      kRangeMin,
      kRangeMax,
      kLimit,
      kCursor,
      kSort,
      kFields
    } kind = Kind::kCategory;
    std::size_t column_index = 0;
  };

 private:
  base::Status ParseSort(std::string_view text, CatalogQuery& query) const;
  base::Status ParseFields(std::string_view text, CatalogQuery& query) const;
  base::Status ApplyCursor(std::string_view text, CatalogQuery& query) const;

  const DatasetSpec& spec_;
  std::map<std::string, Target, std::less<>> targets_;
  std::vector<std::string> names_;
  std::vector<std::string> sortable_;
};

// The cursor of the position just after `last` (the page's last item) in the query's order: a
// v1 cursor for the default order, a v2 cursor carrying the sort values otherwise.
std::string CursorAfter(const CatalogQuery& query, const CatalogItem& last);

// Orders two values of one sortable column as PostgreSQL does ascending: NULL after every value.
// nullopt when they do not compare (different kinds).
std::optional<int> CompareSortValues(const FieldValue& a, const FieldValue& b);

// A filter value in its canonical text (integers as digits, numbers as the shortest round-trip
// text, dates as YYYY-MM-DD, timestamps in UTC as 2024-01-31T12:00:00Z), which is also how it is
// bound as a SQL parameter.
std::string FieldValueText(const FieldValue& value);

// One filter value typed per its column (`name` is the query parameter, for the error): digits
// for integers (a whole number written as a decimal too), numbers, text, ISO 8601 dates, and
// ISO 8601 timestamps with or without offset (UTC without) or a bare date (midnight UTC).
// Filter values are not held to the column's storage rules: ?price_min=-5 is a fine question
// even though no price is negative.
base::Result<FieldValue> ParseFilterValue(const ColumnSpec& column, std::string_view name,
                                          std::string_view text);

// Whether `item` lies on the allowed side of an inclusive bound: at least it (`at_least`) or at
// most it. NULL never does, and values of different kinds (a date and a number) never compare.
bool SatisfiesBound(const FieldValue& item, const FieldValue& bound, bool at_least);

}  // namespace vitrina::catalog::core
