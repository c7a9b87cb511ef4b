#pragma once

#include <string>
#include <string_view>

#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::etl::core {

// PostgreSQL COPY text format, the one the loader streams through PQputCopyData.

// Appends text with backslash, tab, newline and CR escaped.
void AppendCopyText(std::string& out, std::string_view text);

// Appends a typed value: \N for NULL, escaped text, shortest round-trip numbers, t/f, ISO 8601
// dates and UTC timestamps.
void AppendCopyField(std::string& out, const catalog::core::FieldValue& value);

}  // namespace vitrina::etl::core
