#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/catalog/core/date_time.hpp"

namespace vitrina::catalog::core {

// A validated value of one column. std::monostate is SQL NULL (an optional column left empty, or
// holding one of its null markers).
using FieldValue =
    std::variant<std::monostate, std::string, std::int64_t, double, bool, Date, Timestamp>;

// The outcome of validating one field: the value, or why it was refused in words
// ("must be greater than 0"), without the column name so callers can prefix it as they need.
using FieldResult = std::variant<FieldValue, std::string>;

// Converts one CSV field per the column's type and rules. Leading and trailing ASCII whitespace is
// trimmed first; an empty field or one of the column's null markers is "no value" (NULL, or
// "is required" in a required column). Dates and timestamps follow the column's `format`, or
// ISO 8601 without one.
FieldResult ParseTextField(const ColumnSpec& column, std::string_view raw);

// How a date or timestamp column expects its CSV text, in the words of its refusal:
// "must be a date in the form YYYY-MM-DD".
std::string TemporalFormatRefusal(const ColumnSpec& column);

// The refusal of a null marker in a required column: "is required (found the missing-value
// marker 'NA')"; plain "is required" for an empty field.
std::string MissingValueRefusal(std::string_view trimmed);

// Checks an already typed value (e.g. from a JSON body) against the column's rules.
// Returns the refusal reason, or nullopt when the value is acceptable.
std::optional<std::string> CheckFieldRules(const ColumnSpec& column, const FieldValue& value);

}  // namespace vitrina::catalog::core
