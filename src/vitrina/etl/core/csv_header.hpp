#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::etl::core {

// Where each spec column's value sits in a CSV record, found by header name, so the CSV's column
// order does not matter.
struct HeaderMapping {
  std::size_t field_count = 0;             // fields every record must have
  std::vector<std::size_t> column_fields;  // spec.columns[i] is read from field column_fields[i]
};

// The header must name every source and skipped column of the spec exactly once and nothing
// else (names are compared after trimming spaces); otherwise the error lists what is missing,
// unexpected or duplicated, so a wrong file is refused before anything is loaded.
base::Result<HeaderMapping> MapHeader(const catalog::core::DatasetSpec& spec,
                                      std::span<const std::string_view> header);

}  // namespace vitrina::etl::core
