#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::catalog::core {

// A validated value of one column. std::monostate is SQL NULL (an optional column left empty).
using FieldValue = std::variant<std::monostate, std::string, std::int64_t, double, bool>;

// The outcome of validating one field: the value, or why it was refused in words
// ("must be greater than 0"), without the column name so callers can prefix it as they need.
using FieldResult = std::variant<FieldValue, std::string>;

// Converts one textual field (a CSV cell, a query-string value) per the column's type and rules.
// Leading and trailing ASCII whitespace is trimmed first.
FieldResult ParseTextField(const ColumnSpec& column, std::string_view raw);

// Checks an already typed value (e.g. from a JSON body) against the column's rules.
// Returns the refusal reason, or nullopt when the value is acceptable.
std::optional<std::string> CheckFieldRules(const ColumnSpec& column, const FieldValue& value);

}  // namespace vitrina::catalog::core
