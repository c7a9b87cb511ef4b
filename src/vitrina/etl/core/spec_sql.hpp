#pragma once

#include <string>
#include <string_view>

#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::etl::core {

// The spec's validation rules as SQL, for loaders that cannot run our C++ (Azure Data Factory
// copies the CSV into an all-text staging table; these expressions then decide, inside
// PostgreSQL, exactly what catalog::core::ParseTextField decides in the ETL, with the same
// messages).

// A SQL string literal ('it''s').
std::string SqlLiteral(std::string_view text);

// An expression over the text column `text_expr` that yields NULL when the value is acceptable
// and otherwise the reason "column 'x': must be greater than 0".
std::string RejectReasonSql(const catalog::core::ColumnSpec& column, std::string_view text_expr);

// An expression converting the (already validated) text to the column's SQL type.
std::string ConvertSql(const catalog::core::ColumnSpec& column, std::string_view text_expr);

}  // namespace vitrina::etl::core
