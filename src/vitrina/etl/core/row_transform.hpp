#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/etl/core/csv_header.hpp"

namespace vitrina::etl::core {

// Turns one CSV record into one line of PostgreSQL COPY text: the id, then the spec's columns in
// order, each validated by ParseTextField.
class RowTransformer {
 public:
  RowTransformer(const catalog::core::DatasetSpec& spec, HeaderMapping mapping)
      : spec_(spec), mapping_(std::move(mapping)) {}

  // Appends "id\tcol1\t...\n" to `out` and returns nullopt, or leaves `out` as it was and returns
  // why the record is refused: "expected 11 fields, found 12" or "column 'x': must be greater
  // than 0" (the first failing column, in spec order).
  std::optional<std::string> AppendCopyRow(std::span<const std::string_view> fields,
                                           std::int64_t id, std::string& out) const;

 private:
  const catalog::core::DatasetSpec& spec_;
  HeaderMapping mapping_;
};

}  // namespace vitrina::etl::core
