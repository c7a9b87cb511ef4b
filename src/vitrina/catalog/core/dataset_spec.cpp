#include "vitrina/catalog/core/dataset_spec.hpp"

#include <set>

namespace vitrina::catalog::core {

std::string_view ColumnTypeName(ColumnType type) {
  switch (type) {
    case ColumnType::kString:
      return "string";
    case ColumnType::kInteger:
      return "integer";
    case ColumnType::kNumber:
      return "number";
    case ColumnType::kBoolean:
      return "boolean";
    case ColumnType::kDate:
      return "date";
    case ColumnType::kTimestamp:
      return "timestamp";
  }
  return "string";
}

std::optional<ColumnType> ParseColumnType(std::string_view name) {
  if (name == "string" || name == "text") return ColumnType::kString;
  if (name == "integer" || name == "int") return ColumnType::kInteger;
  if (name == "number" || name == "float" || name == "double") return ColumnType::kNumber;
  if (name == "boolean" || name == "bool") return ColumnType::kBoolean;
  if (name == "date") return ColumnType::kDate;
  if (name == "timestamp" || name == "datetime") return ColumnType::kTimestamp;
  return std::nullopt;
}

bool ColumnSpec::IsNullMarker(std::string_view trimmed) const {
  if (trimmed.empty()) return true;
  for (const auto& marker : null_values) {
    if (marker == trimmed) return true;
  }
  return false;
}

const ColumnSpec* DatasetSpec::FindColumn(std::string_view column_name) const {
  const int index = ColumnIndex(column_name);
  return index < 0 ? nullptr : &columns[static_cast<std::size_t>(index)];
}

int DatasetSpec::ColumnIndex(std::string_view column_name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column_name) return static_cast<int>(i);
  }
  return -1;
}

bool IsValidIdentifier(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  const char first = name.front();
  if (!(first == '_' || (first >= 'a' && first <= 'z'))) return false;
  for (const char c : name) {
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

namespace {

base::Error SpecError(std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "invalid dataset spec: " + std::move(message));
}

// Names that would collide with the API's own query parameters or the implicit key.
bool IsReservedColumnName(std::string_view name) {
  return name == "id" || name == "limit" || name == "cursor" || name == "sort" || name == "fields";
}

base::Status ValidateColumn(const ColumnSpec& column) {
  const std::string where = "column '" + column.name + "': ";
  if (!IsValidIdentifier(column.name)) {
    return SpecError(where + "name must match [a-z_][a-z0-9_]* (at most 63 characters)");
  }
  if (IsReservedColumnName(column.name)) return SpecError(where + "name is reserved");
  const bool has_bounds =
      column.minimum || column.maximum || column.exclusive_minimum || column.exclusive_maximum;
  if (has_bounds && !column.IsNumeric()) {
    return SpecError(where + "minimum/maximum apply only to integer or number columns");
  }
  if (column.max_length && column.type != ColumnType::kString) {
    return SpecError(where + "max_length applies only to string columns");
  }
  if (column.format && !column.IsTemporal()) {
    return SpecError(where + "format applies only to date or timestamp columns");
  }
  if (column.category &&
      !(column.type == ColumnType::kString || column.type == ColumnType::kInteger)) {
    return SpecError(where + "only string or integer columns can be categories");
  }
  const double low = column.minimum.value_or(column.exclusive_minimum.value_or(-1e308));
  const double high = column.maximum.value_or(column.exclusive_maximum.value_or(1e308));
  if (low > high) return SpecError(where + "minimum is above maximum");
  return base::OkStatus();
}

}  // namespace

base::Status ValidateSpec(const DatasetSpec& spec) {
  if (!IsValidIdentifier(spec.name)) return SpecError("name must match [a-z_][a-z0-9_]*");
  if (!IsValidIdentifier(spec.table)) return SpecError("table must match [a-z_][a-z0-9_]*");
  if (spec.columns.empty()) return SpecError("no columns");
  std::set<std::string_view> names;
  std::set<std::string_view> sources;
  for (const auto& skipped : spec.skip_sources) sources.insert(skipped);
  if (sources.size() != spec.skip_sources.size()) return SpecError("duplicate skipped source");
  for (const auto& column : spec.columns) {
    if (auto status = ValidateColumn(column); !status) return status;
    if (!names.insert(column.name).second) {
      return SpecError("duplicate column name '" + column.name + "'");
    }
    if (!sources.insert(column.source).second) {
      return SpecError("source column '" + column.source + "' is used twice");
    }
  }
  // Range filters are <name>_min / <name>_max: they must not shadow another column's filter.
  for (const auto& column : spec.columns) {
    if (!column.HasRangeFilter()) continue;
    for (const auto* suffix : {"_min", "_max"}) {
      if (names.count(column.name + suffix) != 0) {
        return SpecError("column '" + column.name + suffix + "' collides with a range filter");
      }
    }
  }
  return base::OkStatus();
}

}  // namespace vitrina::catalog::core
