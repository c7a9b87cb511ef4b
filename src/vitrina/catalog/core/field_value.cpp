#include "vitrina/catalog/core/field_value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "vitrina/base/text.hpp"

namespace vitrina::catalog::core {

namespace {

std::optional<std::string> CheckNumberRules(const ColumnSpec& column, double value) {
  if (column.minimum && value < *column.minimum) {
    return "must be at least " + base::FormatNumber(*column.minimum);
  }
  if (column.exclusive_minimum && value <= *column.exclusive_minimum) {
    return "must be greater than " + base::FormatNumber(*column.exclusive_minimum);
  }
  if (column.maximum && value > *column.maximum) {
    return "must be at most " + base::FormatNumber(*column.maximum);
  }
  if (column.exclusive_maximum && value >= *column.exclusive_maximum) {
    return "must be less than " + base::FormatNumber(*column.exclusive_maximum);
  }
  return std::nullopt;
}

std::optional<std::string> CheckStringRules(const ColumnSpec& column, const std::string& value) {
  if (!base::IsValidUtf8(value)) return "is not valid UTF-8";
  if (value.find('\0') != std::string::npos) return "contains a NUL character";
  if (column.required && value.empty()) return "is required";
  if (column.max_length && value.size() > *column.max_length) {
    return "must be at most " + std::to_string(*column.max_length) + " bytes";
  }
  if (!column.allowed.empty() &&
      std::find(column.allowed.begin(), column.allowed.end(), value) == column.allowed.end()) {
    std::string list;
    for (const auto& allowed : column.allowed) list += (list.empty() ? "" : ", ") + allowed;
    return "must be one of: " + list;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CheckFieldRules(const ColumnSpec& column, const FieldValue& value) {
  if (std::holds_alternative<std::monostate>(value)) {
    if (column.required) return std::string("is required");
    return std::nullopt;
  }
  switch (column.type) {
    case ColumnType::kString:
      if (const auto* text = std::get_if<std::string>(&value)) {
        return CheckStringRules(column, *text);
      }
      return std::string("must be a string");
    case ColumnType::kInteger:
      if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        return CheckNumberRules(column, static_cast<double>(*integer));
      }
      return std::string("must be an integer");
    case ColumnType::kNumber:
      if (const auto* number = std::get_if<double>(&value)) {
        if (!std::isfinite(*number)) return std::string("must be a finite number");
        return CheckNumberRules(column, *number);
      }
      if (const auto* integer = std::get_if<std::int64_t>(&value)) {
        return CheckNumberRules(column, static_cast<double>(*integer));
      }
      return std::string("must be a number");
    case ColumnType::kBoolean:
      if (std::holds_alternative<bool>(value)) return std::nullopt;
      return std::string("must be true or false");
    case ColumnType::kDate:
      if (std::holds_alternative<Date>(value)) return std::nullopt;
      return std::string("must be a date in the form YYYY-MM-DD");
    case ColumnType::kTimestamp:
      if (std::holds_alternative<Timestamp>(value)) return std::nullopt;
      return std::string("must be an ISO 8601 timestamp");
  }
  return std::string("has an unsupported type");
}

std::string TemporalFormatRefusal(const ColumnSpec& column) {
  if (column.type == ColumnType::kDate) {
    return "must be a date in the form " +
           (column.format ? column.format->pattern() : std::string("YYYY-MM-DD"));
  }
  if (column.format) return "must be a timestamp in the form " + column.format->pattern();
  return "must be an ISO 8601 timestamp (YYYY-MM-DDTHH:MM[:SS[.ffffff]], then Z or an offset "
         "such as +02:00, or nothing for UTC)";
}

std::string MissingValueRefusal(std::string_view trimmed) {
  if (trimmed.empty()) return "is required";
  return "is required (found the missing-value marker '" + std::string(trimmed) + "')";
}

namespace {

FieldResult Checked(const ColumnSpec& column, FieldValue value) {
  if (auto refusal = CheckFieldRules(column, value)) return std::move(*refusal);
  return value;
}

FieldResult ReadTemporal(const ColumnSpec& column, std::string_view text) {
  if (column.format) {
    const auto civil = column.format->Read(text);
    if (!civil || !IsValidCivil(*civil)) return TemporalFormatRefusal(column);
    if (column.type == ColumnType::kDate) return FieldValue{DateOf(*civil)};
    return FieldValue{TimestampOf(*civil)};
  }
  if (column.type == ColumnType::kDate) {
    if (const auto date = ParseIsoDate(text)) return FieldValue{*date};
  } else if (const auto timestamp = ParseIsoTimestamp(text)) {
    return FieldValue{*timestamp};
  }
  return TemporalFormatRefusal(column);
}

}  // namespace

FieldResult ParseTextField(const ColumnSpec& column, std::string_view raw) {
  const std::string_view text = base::TrimAscii(raw);
  if (column.IsNullMarker(text)) {
    if (column.required) return MissingValueRefusal(text);
    return FieldValue{std::monostate{}};
  }
  switch (column.type) {
    case ColumnType::kString:
      return Checked(column, std::string(text));
    case ColumnType::kInteger: {
      std::int64_t integer = 0;
      const std::string_view digits = text.front() == '+' ? text.substr(1) : text;
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), integer);
      if (error == std::errc::result_out_of_range) return std::string("is out of range");
      if (error != std::errc() || end != digits.data() + digits.size()) {
        return std::string("must be an integer");
      }
      return Checked(column, integer);
    }
    case ColumnType::kNumber: {
      double number = 0;
      const std::string_view digits = text.front() == '+' ? text.substr(1) : text;
      const auto [end, error] =
          std::from_chars(digits.data(), digits.data() + digits.size(), number);
      if (error != std::errc() || end != digits.data() + digits.size() || !std::isfinite(number)) {
        return std::string("must be a number");
      }
      return Checked(column, number);
    }
    case ColumnType::kBoolean: {
      std::string lower(text);
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
      if (lower == "true" || lower == "t" || lower == "yes" || lower == "1") {
        return FieldValue{true};
      }
      if (lower == "false" || lower == "f" || lower == "no" || lower == "0") {
        return FieldValue{false};
      }
      return std::string("must be true or false");
    }
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      return ReadTemporal(column, text);
  }
  return std::string("has an unsupported type");
}

}  // namespace vitrina::catalog::core
