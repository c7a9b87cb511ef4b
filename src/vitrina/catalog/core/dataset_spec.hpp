#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/date_time.hpp"

namespace vitrina::catalog::core {

// The storage and JSON type of a column. Names follow JSON Schema so that OpenAPI can reuse them
// (a date and a timestamp are JSON strings in ISO 8601, "format": "date" / "date-time").
enum class ColumnType { kString, kInteger, kNumber, kBoolean, kDate, kTimestamp };

std::string_view ColumnTypeName(ColumnType type);
std::optional<ColumnType> ParseColumnType(std::string_view name);

// Validation rules and filter capabilities of one target column. Everything the ETL, the API's
// filters, its write validation and the OpenAPI document know about a dataset comes from here, so
// that another CSV needs another spec file and no code.
struct ColumnSpec {
  std::string name;    // target name: SQL column and JSON field, [a-z_][a-z0-9_]*
  std::string source;  // the CSV header that feeds it
  ColumnType type = ColumnType::kString;
  bool required = true;   // a missing value rejects the row; otherwise it is stored as NULL
  bool category = false;  // offers the equality filter ?name=value (repeat for OR)
  // Whether ?sort= may name the column; unset means the default (IsSortable).
  std::optional<bool> sortable;
  std::optional<double> minimum;
  std::optional<double> maximum;
  std::optional<double> exclusive_minimum;
  std::optional<double> exclusive_maximum;
  std::optional<std::size_t> max_length;  // strings, in bytes
  std::vector<std::string> allowed;       // when non-empty, the only accepted values
  std::string description;
  // Dates and timestamps in a CSV layout other than ISO 8601 ("%m/%d/%Y"); the API always
  // speaks ISO 8601.
  std::optional<DateFormat> format;
  // CSV fields that mean "no value" once trimmed ("NA", "N/A"), besides the empty field, which
  // always does. The column's own list, or the spec's when the column has none.
  std::vector<std::string> null_values;

  bool IsNumeric() const { return type == ColumnType::kInteger || type == ColumnType::kNumber; }
  bool IsTemporal() const { return type == ColumnType::kDate || type == ColumnType::kTimestamp; }
  // Numeric, date and timestamp columns offer the range filters <name>_min and <name>_max.
  bool HasRangeFilter() const { return IsNumeric() || IsTemporal(); }
  // Numeric and category columns are sortable unless the spec says `sortable: false`; any other
  // column only with `sortable: true`.
  bool IsSortable() const { return sortable.value_or(IsNumeric() || category); }
  // Whether a trimmed CSV field means "no value" in this column.
  bool IsNullMarker(std::string_view trimmed) const;
};

struct DatasetSpec {
  std::string name;   // e.g. "diamonds"
  std::string table;  // the live table in PostgreSQL
  std::string description;
  std::vector<std::string> skip_sources;  // CSV headers that are read but not loaded
  std::vector<ColumnSpec> columns;        // in output order; "id" is implicit and generated
  char delimiter = ',';
  // The spec-level `null_values`, as written (each column already holds its effective list).
  std::vector<std::string> null_values;

  const ColumnSpec* FindColumn(std::string_view column_name) const;
  // Column index in `columns`, or -1.
  int ColumnIndex(std::string_view column_name) const;
};

// True for a safe lowercase SQL identifier that also reads well in JSON and query strings.
bool IsValidIdentifier(std::string_view name);

// Checks the spec's internal consistency: identifiers, unique names and sources, rules that fit the
// type, categories only on string or integer columns, and no column named "id".
base::Status ValidateSpec(const DatasetSpec& spec);

}  // namespace vitrina::catalog::core
