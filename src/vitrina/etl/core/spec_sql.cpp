#include "vitrina/etl/core/spec_sql.hpp"

#include <algorithm>
#include <vector>

#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/catalog_schema.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::etl::core {

using catalog::core::ColumnSpec;
using catalog::core::ColumnType;
using catalog::core::DateFormat;

std::string SqlLiteral(std::string_view text) {
  std::string literal = "'";
  for (const char c : text) {
    if (c == '\'') literal += '\'';
    literal += c;
  }
  literal += '\'';
  return literal;
}

namespace {

// The same whitespace as base::TrimAscii.
std::string Trimmed(std::string_view text_expr) {
  return "btrim(" + std::string(text_expr) + ", E' \\t\\r\\n\\x0B\\f')";
}

// The condition "this trimmed text means no value": empty (or NULL: Data Factory may land an
// empty CSV field as NULL), or one of the column's null markers.
std::string MissingSql(const ColumnSpec& column, const std::string& value) {
  std::string sql = "coalesce(" + value + ", '') = ''";
  std::string markers;
  for (const auto& marker : column.null_values) {
    if (!marker.empty()) markers += (markers.empty() ? "" : ", ") + SqlLiteral(marker);
  }
  if (!markers.empty()) sql += " OR " + value + " IN (" + markers + ")";
  return sql;
}

// Whether the column has null markers besides the empty field.
bool HasMarkers(const ColumnSpec& column) {
  return std::any_of(column.null_values.begin(), column.null_values.end(),
                     [](const std::string& marker) { return !marker.empty(); });
}

struct Check {
  std::string failed_when;  // SQL condition that means the value is refused
  std::string message;      // the words catalog::core::ParseTextField uses
};

void AddBoundChecks(const ColumnSpec& column, const std::string& number,
                    std::vector<Check>& checks) {
  if (column.minimum) {
    checks.push_back({number + " < " + base::FormatNumber(*column.minimum),
                      "must be at least " + base::FormatNumber(*column.minimum)});
  }
  if (column.exclusive_minimum) {
    checks.push_back({number + " <= " + base::FormatNumber(*column.exclusive_minimum),
                      "must be greater than " + base::FormatNumber(*column.exclusive_minimum)});
  }
  if (column.maximum) {
    checks.push_back({number + " > " + base::FormatNumber(*column.maximum),
                      "must be at most " + base::FormatNumber(*column.maximum)});
  }
  if (column.exclusive_maximum) {
    checks.push_back({number + " >= " + base::FormatNumber(*column.exclusive_maximum),
                      "must be less than " + base::FormatNumber(*column.exclusive_maximum)});
  }
}

// ISO 8601 as catalog::core::ParseIsoTimestamp reads it. Groups: 1 year, 2 month, 3 day, 4 hour,
// 5 minute, 7 second, 9 the offset (Z, ±HH, ±HHMM or ±HH:MM).
constexpr std::string_view kIsoTimestampRegex =
    "^([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(:([0-9]{2})([.][0-9]{1,6})?)?"
    "(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$";
constexpr std::string_view kIsoDateRegex = "^([0-9]{4})-([0-9]{2})-([0-9]{2})$";

// A layout's regular expression: its literals (letters, digits and - / . : , _ and space, which
// DateFormat::Compile allows) in brackets or as they are, one group per number.
std::string FormatRegex(const DateFormat& format) {
  std::string regex = "^";
  for (const auto& token : format.tokens()) {
    if (token.kind == DateFormat::Token::Kind::kLiteral) {
      for (const char c : token.literal) {
        const bool plain =
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        regex += plain ? std::string(1, c) : std::string("[") + c + "]";
      }
      continue;
    }
    regex += "([0-9]{" + std::to_string(token.min_digits) + "," + std::to_string(token.max_digits) +
             "})";
  }
  return regex + "$";
}

// The civil fields of a date or timestamp as SQL integer expressions over the trimmed text, once
// its regular expression has matched.
struct CivilSql {
  std::string regex;
  std::string year, month, day, hour, minute, second;
  std::string offset;  // ISO only: the offset text, NULL when absent
};

std::string Group(const std::string& value, const std::string& regex, int group) {
  return "(regexp_match(" + value + ", " + SqlLiteral(regex) + "))[" + std::to_string(group) + "]";
}

CivilSql CivilOf(const ColumnSpec& column, const std::string& value) {
  CivilSql civil;
  if (!column.format) {
    const bool with_time = column.type == ColumnType::kTimestamp;
    civil.regex = std::string(with_time ? kIsoTimestampRegex : kIsoDateRegex);
    const auto part = [&](int group) { return Group(value, civil.regex, group) + "::int"; };
    civil.year = part(1);
    civil.month = part(2);
    civil.day = part(3);
    if (with_time) {
      civil.hour = part(4);
      civil.minute = part(5);
      civil.second = "coalesce(" + part(7) + ", 0)";
      civil.offset = Group(value, civil.regex, 9);
    }
    return civil;
  }
  using Kind = DateFormat::Token::Kind;
  civil.regex = FormatRegex(*column.format);
  civil.hour = civil.minute = civil.second = "0";
  int group = 0;
  for (const auto& token : column.format->tokens()) {
    if (token.kind == Kind::kLiteral) continue;
    const std::string part = Group(value, civil.regex, ++group) + "::int";
    switch (token.kind) {
      case Kind::kYear4:
        civil.year = part;
        break;
      case Kind::kYear2:  // POSIX strptime's pivot, as DateFormat::Read
        civil.year = "(CASE WHEN " + part + " < 69 THEN 2000 ELSE 1900 END + " + part + ")";
        break;
      case Kind::kMonth:
        civil.month = part;
        break;
      case Kind::kDay:
        civil.day = part;
        break;
      case Kind::kHour:
        civil.hour = part;
        break;
      case Kind::kMinute:
        civil.minute = part;
        break;
      case Kind::kSecond:
        civil.second = part;
        break;
      case Kind::kLiteral:
        break;
    }
  }
  return civil;
}

// The typed value of an accepted date or timestamp text.
std::string TemporalValueSql(const ColumnSpec& column, const std::string& value) {
  const CivilSql civil = CivilOf(column, value);
  if (column.type == ColumnType::kDate) {
    if (!column.format) return "(" + value + ")::date";
    return "make_date(" + civil.year + ", " + civil.month + ", " + civil.day + ")";
  }
  if (!column.format) {
    // No offset means UTC, whatever the session's time zone.
    return "(CASE WHEN " + civil.offset + " IS NULL THEN " + value + " || '+00' ELSE " + value +
           " END)::timestamptz";
  }
  return "make_timestamptz(" + civil.year + ", " + civil.month + ", " + civil.day + ", " +
         civil.hour + ", " + civil.minute + ", " + civil.second + ", 'UTC')";
}

// What catalog::core::ParseTextField checks for a date or timestamp, in the same order, each step
// safe once the ones before it passed: the layout, the year and month, the day of that month,
// the time of day, the offset, and (ISO timestamps) the instant within years 1 to 9999 in UTC.
void AddTemporalChecks(const ColumnSpec& column, const std::string& value,
                       std::vector<Check>& checks) {
  const std::string message = catalog::core::TemporalFormatRefusal(column);
  const CivilSql civil = CivilOf(column, value);
  checks.push_back({value + " !~ " + SqlLiteral(civil.regex), message});
  checks.push_back({"NOT (" + civil.year + " BETWEEN " + std::to_string(catalog::core::kMinYear) +
                        " AND " + std::to_string(catalog::core::kMaxYear) + " AND " + civil.month +
                        " BETWEEN 1 AND 12)",
                    message});
  checks.push_back({civil.day + " NOT BETWEEN 1 AND date_part('day', make_date(" + civil.year +
                        ", " + civil.month + ", 1) + interval '1 month' - interval '1 day')::int",
                    message});
  if (column.type != ColumnType::kTimestamp) return;
  checks.push_back(
      {civil.hour + " > 23 OR " + civil.minute + " > 59 OR " + civil.second + " > 59", message});
  if (column.format) return;
  const std::string& offset = civil.offset;
  checks.push_back({offset + " IS NOT NULL AND " + offset + " <> 'Z' AND (substr(" + offset +
                        ", 2, 2)::int > " + std::to_string(catalog::core::kMaxOffsetHours) +
                        " OR (length(" + offset + ") > 3 AND right(" + offset +
                        ", 2)::int > 59) OR (substr(" + offset +
                        ", 2, 2)::int = " + std::to_string(catalog::core::kMaxOffsetHours) +
                        " AND length(" + offset + ") > 3 AND right(" + offset + ", 2)::int > 0))",
                    message});
  checks.push_back({TemporalValueSql(column, value) +
                        " NOT BETWEEN '0001-01-01 00:00:00+00'::timestamptz AND "
                        "'9999-12-31 23:59:59.999999+00'::timestamptz",
                    message});
}

std::vector<Check> ChecksFor(const ColumnSpec& column, const std::string& value) {
  std::vector<Check> checks;
  // Casting to numeric first is safe for any text the regular expressions admit (numeric has no
  // practical exponent limit), so out-of-range values are refused instead of failing the script.
  const std::string number = "(" + value + ")::numeric";
  switch (column.type) {
    case ColumnType::kInteger:
      checks.push_back({value + " !~ '^[+-]?[0-9]+$'", "must be an integer"});
      checks.push_back({number + " NOT BETWEEN -9223372036854775808 AND 9223372036854775807",
                        "is out of range"});
      AddBoundChecks(column, number, checks);
      break;
    case ColumnType::kNumber:
      checks.push_back({value + " !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$'",
                        "must be a number"});
      checks.push_back({"abs(" + number + ") > 1.7976931348623157e308", "must be a number"});
      AddBoundChecks(column, number, checks);
      break;
    case ColumnType::kString:
      if (column.max_length) {
        checks.push_back({"octet_length(" + value + ") > " + std::to_string(*column.max_length),
                          "must be at most " + std::to_string(*column.max_length) + " bytes"});
      }
      if (!column.allowed.empty()) {
        std::string list;
        std::string words;
        for (const auto& allowed : column.allowed) {
          list += (list.empty() ? "" : ", ") + SqlLiteral(allowed);
          words += (words.empty() ? "" : ", ") + allowed;
        }
        checks.push_back({value + " NOT IN (" + list + ")", "must be one of: " + words});
      }
      break;
    case ColumnType::kBoolean:
      checks.push_back({"lower(" + value + ") NOT IN ('true','t','yes','1','false','f','no','0')",
                        "must be true or false"});
      break;
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      AddTemporalChecks(column, value, checks);
      break;
  }
  return checks;
}

}  // namespace

std::string RejectReasonSql(const ColumnSpec& column, std::string_view text_expr) {
  std::string value = Trimmed(text_expr);
  const std::string prefix = "column '" + column.name + "': ";
  std::string sql = "CASE WHEN " + MissingSql(column, value) + " THEN ";
  if (!column.required) {
    sql += "NULL";
  } else if (!HasMarkers(column)) {
    sql += SqlLiteral(prefix + "is required");
  } else {
    // The words of catalog::core::MissingValueRefusal: a marker is named, an empty field is not.
    sql += "CASE WHEN coalesce(" + value + ", '') = '' THEN " + SqlLiteral(prefix + "is required") +
           " ELSE " + SqlLiteral(prefix + "is required (found the missing-value marker '") +
           " || " + value + " || ''')' END";
  }
  // CASE evaluates its branches in order, so a cast only runs once the format check has passed.
  for (const auto& check : ChecksFor(column, value)) {
    sql += " WHEN " + check.failed_when + " THEN " + SqlLiteral(prefix + check.message);
  }
  sql += " END";
  return sql;
}

std::string ConvertSql(const ColumnSpec& column, std::string_view text_expr) {
  const std::string trimmed = Trimmed(text_expr);
  std::string value = "NULLIF(" + trimmed + ", '')";
  if (HasMarkers(column)) {
    value = "(CASE WHEN " + MissingSql(column, trimmed) + " THEN NULL ELSE " + trimmed + " END)";
  }
  switch (column.type) {
    case ColumnType::kString:
      return value;
    case ColumnType::kInteger:
      return "(" + value + ")::bigint";
    case ColumnType::kNumber:
      return "(" + value + ")::double precision";
    case ColumnType::kBoolean:
      return "(" + value + ")::boolean";
    case ColumnType::kDate:
    case ColumnType::kTimestamp:
      // A missing value must not reach make_date (regexp_match of NULL is NULL, so the typed
      // expression is NULL too, but the ISO cast of '' would fail): test it first.
      return "(CASE WHEN " + MissingSql(column, trimmed) + " THEN NULL ELSE " +
             TemporalValueSql(column, trimmed) + " END)";
  }
  return value;
}

}  // namespace vitrina::etl::core
