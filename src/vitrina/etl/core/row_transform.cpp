#include "vitrina/etl/core/row_transform.hpp"

#include <charconv>

#include "vitrina/catalog/core/field_value.hpp"
#include "vitrina/etl/core/copy_text.hpp"

namespace vitrina::etl::core {

std::optional<std::string> RowTransformer::AppendCopyRow(std::span<const std::string_view> fields,
                                                         std::int64_t id, std::string& out) const {
  if (fields.size() != mapping_.field_count) {
    return "expected " + std::to_string(mapping_.field_count) + " fields, found " +
           std::to_string(fields.size());
  }
  const std::size_t rollback = out.size();
  char digits[24];
  const auto printed = std::to_chars(digits, digits + sizeof(digits), id);
  out.append(digits, printed.ptr);
  for (std::size_t c = 0; c < spec_.columns.size(); ++c) {
    const catalog::core::ColumnSpec& column = spec_.columns[c];
    auto parsed = catalog::core::ParseTextField(column, fields[mapping_.column_fields[c]]);
    if (auto* refusal = std::get_if<std::string>(&parsed)) {
      out.resize(rollback);
      return "column '" + column.name + "': " + *refusal;
    }
    out += '\t';
    AppendCopyField(out, std::get<catalog::core::FieldValue>(parsed));
  }
  out += '\n';
  return std::nullopt;
}

}  // namespace vitrina::etl::core
