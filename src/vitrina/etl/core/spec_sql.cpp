#include "vitrina/etl/core/spec_sql.hpp"

#include <vector>

#include "vitrina/base/text.hpp"
#include "vitrina/catalog/core/catalog_schema.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::etl::core {

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

struct Check {
  std::string failed_when;  // SQL condition that means the value is refused
  std::string message;      // the words catalog::core::ParseTextField uses
};

void AddBoundChecks(const catalog::core::ColumnSpec& column, const std::string& number,
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

std::vector<Check> ChecksFor(const catalog::core::ColumnSpec& column, const std::string& value) {
  std::vector<Check> checks;
  // Casting to numeric first is safe for any text the regular expressions admit (numeric has no
  // practical exponent limit), so out-of-range values are refused instead of failing the script.
  const std::string number = "(" + value + ")::numeric";
  switch (column.type) {
    case catalog::core::ColumnType::kInteger:
      checks.push_back({value + " !~ '^[+-]?[0-9]+$'", "must be an integer"});
      checks.push_back({number + " NOT BETWEEN -9223372036854775808 AND 9223372036854775807",
                        "is out of range"});
      AddBoundChecks(column, number, checks);
      break;
    case catalog::core::ColumnType::kNumber:
      checks.push_back({value + " !~ '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$'",
                        "must be a number"});
      checks.push_back({"abs(" + number + ") > 1.7976931348623157e308", "must be a number"});
      AddBoundChecks(column, number, checks);
      break;
    case catalog::core::ColumnType::kString:
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
    case catalog::core::ColumnType::kBoolean:
      checks.push_back({"lower(" + value + ") NOT IN ('true','t','yes','1','false','f','no','0')",
                        "must be true or false"});
      break;
  }
  return checks;
}

}  // namespace

std::string RejectReasonSql(const catalog::core::ColumnSpec& column, std::string_view text_expr) {
  std::string value = Trimmed(text_expr);
  const std::string prefix = "column '" + column.name + "': ";
  std::string sql = "CASE WHEN " + std::string(text_expr) + " IS NULL OR " + value + " = '' THEN ";
  sql += column.required ? SqlLiteral(prefix + "is required") : "NULL";
  // CASE evaluates its branches in order, so a cast only runs once the format check has passed.
  for (const auto& check : ChecksFor(column, value)) {
    sql += " WHEN " + check.failed_when + " THEN " + SqlLiteral(prefix + check.message);
  }
  sql += " END";
  return sql;
}

std::string ConvertSql(const catalog::core::ColumnSpec& column, std::string_view text_expr) {
  std::string value = "NULLIF(" + Trimmed(text_expr) + ", '')";
  switch (column.type) {
    case catalog::core::ColumnType::kString:
      return value;
    case catalog::core::ColumnType::kInteger:
      return "(" + value + ")::bigint";
    case catalog::core::ColumnType::kNumber:
      return "(" + value + ")::double precision";
    case catalog::core::ColumnType::kBoolean:
      return "(" + value + ")::boolean";
  }
  return value;
}

}  // namespace vitrina::etl::core
