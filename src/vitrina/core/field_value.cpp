#include "vitrina/core/field_value.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

#include "vitrina/core/etl_rejects.hpp"

namespace vitrina::core {

std::string_view TrimAscii(std::string_view text) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
  };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool IsValidUtf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    std::uint32_t code = 0;
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      code = (code << 6) | (p[i] & 0x3F);
    }
    static constexpr std::uint32_t kMinForLength[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMinForLength[extra] || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    p += extra + 1;
  }
  return true;
}

std::string FormatNumber(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

namespace {

std::optional<std::string> CheckNumberRules(const ColumnSpec& column, double value) {
  if (column.minimum && value < *column.minimum) {
    return "must be at least " + FormatNumber(*column.minimum);
  }
  if (column.exclusive_minimum && value <= *column.exclusive_minimum) {
    return "must be greater than " + FormatNumber(*column.exclusive_minimum);
  }
  if (column.maximum && value > *column.maximum) {
    return "must be at most " + FormatNumber(*column.maximum);
  }
  if (column.exclusive_maximum && value >= *column.exclusive_maximum) {
    return "must be less than " + FormatNumber(*column.exclusive_maximum);
  }
  return std::nullopt;
}

std::optional<std::string> CheckStringRules(const ColumnSpec& column, const std::string& value) {
  if (!IsValidUtf8(value)) return "is not valid UTF-8";
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
  }
  return std::string("has an unsupported type");
}

namespace {

FieldResult Checked(const ColumnSpec& column, FieldValue value) {
  if (auto refusal = CheckFieldRules(column, value)) return std::move(*refusal);
  return value;
}

}  // namespace

FieldResult ParseTextField(const ColumnSpec& column, std::string_view raw) {
  const std::string_view text = TrimAscii(raw);
  if (text.empty()) return Checked(column, std::monostate{});
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
  }
  return std::string("has an unsupported type");
}

void AppendCopyField(std::string& out, const FieldValue& value) {
  struct Appender {
    std::string& out;
    void operator()(std::monostate) const { out += "\\N"; }
    void operator()(const std::string& text) const { AppendCopyText(out, text); }
    void operator()(std::int64_t integer) const {
      char buffer[24];
      const auto result = std::to_chars(buffer, buffer + sizeof(buffer), integer);
      out.append(buffer, result.ptr);
    }
    void operator()(double number) const { out += FormatNumber(number); }
    void operator()(bool flag) const { out += flag ? "t" : "f"; }
  };
  std::visit(Appender{out}, value);
}

}  // namespace vitrina::core
