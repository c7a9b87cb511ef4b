#include "vitrina/catalog/core/item_json.hpp"

#include <cmath>
#include <limits>

#include <boost/json.hpp>

#include "vitrina/catalog/core/date_time.hpp"

namespace vitrina::catalog::core {
namespace {

namespace json = boost::json;

// Converts a JSON value to the column's type, or says why it cannot be.
std::variant<FieldValue, std::string> ToFieldValue(const ColumnSpec& column,
                                                   const json::value& value) {
  if (value.is_null()) return FieldValue{};
  switch (column.type) {
    case ColumnType::kString:
      if (value.is_string()) return FieldValue{std::string(value.get_string())};
      return std::string("must be a string");
    case ColumnType::kInteger:
      if (value.is_int64()) return FieldValue{value.get_int64()};
      if (value.is_uint64()) {
        if (value.get_uint64() >
            static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
          return std::string("is out of range");
        }
        return FieldValue{static_cast<std::int64_t>(value.get_uint64())};
      }
      if (value.is_double()) {
        // 5.0 is an integer written as a float; 5.5 is not.
        const double number = value.get_double();
        if (std::trunc(number) == number && std::abs(number) < 9.0e15) {
          return FieldValue{static_cast<std::int64_t>(number)};
        }
      }
      return std::string("must be an integer");
    case ColumnType::kNumber:
      if (value.is_double()) return FieldValue{value.get_double()};
      if (value.is_int64()) return FieldValue{static_cast<double>(value.get_int64())};
      if (value.is_uint64()) return FieldValue{static_cast<double>(value.get_uint64())};
      return std::string("must be a number");
    case ColumnType::kBoolean:
      if (value.is_bool()) return FieldValue{value.get_bool()};
      return std::string("must be true or false");
    // The API speaks ISO 8601 whatever layout the CSV used (the column's `format` is for the ETL).
    case ColumnType::kDate:
      if (value.is_string()) {
        if (const auto date = ParseIsoDate(value.get_string())) return FieldValue{*date};
      }
      return std::string("must be a date in the form YYYY-MM-DD");
    case ColumnType::kTimestamp:
      if (value.is_string()) {
        if (const auto timestamp = ParseIsoTimestamp(value.get_string())) {
          return FieldValue{*timestamp};
        }
      }
      return std::string(
          "must be an ISO 8601 timestamp such as 2024-01-31T12:00:00Z (an offset such as +02:00 "
          "is applied; none means UTC)");
  }
  return std::string("has an unsupported type");
}

base::Result<json::object> ParseObject(std::string_view text, std::string_view what) {
  boost::system::error_code error;
  json::value parsed = json::parse(text, error);
  if (error) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           std::string(what) + " is not valid JSON", error.message());
  }
  if (!parsed.is_object()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument,
                           std::string(what) + " must be a JSON object");
  }
  return std::move(parsed.get_object());
}

}  // namespace

base::Result<std::vector<FieldValue>> ParseItemBody(const DatasetSpec& spec, std::string_view body,
                                                    base::FieldErrors& field_errors) {
  field_errors.clear();
  auto object = ParseObject(body, "the request body");
  if (!object) return object.error();
  for (const auto& entry : *object) {
    const std::string key(entry.key());
    if (key == "id") {
      field_errors[key] = "must not be given: the server assigns ids (PUT takes it from the URL)";
    } else if (spec.FindColumn(key) == nullptr) {
      field_errors[key] = "is not a field of this dataset";
    }
  }
  std::vector<FieldValue> values;
  values.reserve(spec.columns.size());
  for (const auto& column : spec.columns) {
    const auto* found = object->if_contains(column.name);
    if (found == nullptr) {
      if (column.required) field_errors[column.name] = "is required";
      values.emplace_back();
      continue;
    }
    auto converted = ToFieldValue(column, *found);
    if (auto* reason = std::get_if<std::string>(&converted)) {
      field_errors[column.name] = std::move(*reason);
      values.emplace_back();
      continue;
    }
    auto& value = std::get<FieldValue>(converted);
    if (auto refusal = CheckFieldRules(column, value)) field_errors[column.name] = *refusal;
    values.push_back(std::move(value));
  }
  if (!field_errors.empty()) {
    std::string message = "invalid item:";
    for (const auto& [field, reason] : field_errors) {
      message.append(" ").append(field).append(" ").append(reason).append(";");
    }
    message.pop_back();
    return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
  }
  return values;
}

base::Result<CatalogItem> DecodeStoredItem(const DatasetSpec& spec, std::string_view json_text) {
  auto object = ParseObject(json_text, "a stored item");
  if (!object) {
    auto error = object.error();
    error.code = base::ErrorCode::kInternal;
    return error;
  }
  CatalogItem item;
  const auto* id = object->if_contains("id");
  if (id == nullptr || !id->is_int64()) {
    return base::MakeError(base::ErrorCode::kInternal, "stored item has no id",
                           std::string(json_text));
  }
  item.id = id->get_int64();
  for (const auto& column : spec.columns) {
    const auto* found = object->if_contains(column.name);
    auto converted = found == nullptr ? std::variant<FieldValue, std::string>{FieldValue{}}
                                      : ToFieldValue(column, *found);
    if (auto* reason = std::get_if<std::string>(&converted)) {
      return base::MakeError(base::ErrorCode::kInternal, "stored item does not fit the spec",
                             column.name + " " + *reason);
    }
    item.values.push_back(std::move(std::get<FieldValue>(converted)));
  }
  return item;
}

}  // namespace vitrina::catalog::core
