#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::catalog::core {

// Validates a POST/PUT body: a JSON object with exactly the spec's columns, each of the column's
// JSON type and passing its rules (CheckFieldRules, the same rules as an ETL row). "id" is
// refused: the server assigns ids and PUT takes the id from the URL. On failure the error is
// kInvalidArgument and `field_errors` holds one reason per bad field (empty when the body is not
// a JSON object at all).
base::Result<std::vector<FieldValue>> ParseItemBody(const DatasetSpec& spec, std::string_view body,
                                                    base::FieldErrors& field_errors);

// Reads an item as PostgreSQL rendered it (row_to_json of id and the spec's columns) back into
// typed values, for the write hooks that need old and new versions. No rules are applied.
base::Result<CatalogItem> DecodeStoredItem(const DatasetSpec& spec, std::string_view json);

}  // namespace vitrina::catalog::core
