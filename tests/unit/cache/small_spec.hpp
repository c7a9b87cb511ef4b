#pragma once
// A four-column diamonds-like spec for the cache's matching and registry tests: two categories
// (cut, color) and two ranges (carat, price), enough to reach every kind of index.
#include <string>
#include <utility>

#include "vitrina/catalog/core/dataset_spec.hpp"

namespace vitrina::cache::core::testing {

inline void AddColumn(catalog::core::DatasetSpec& spec, std::string name,
                      catalog::core::ColumnType type, bool category) {
  catalog::core::ColumnSpec column;
  column.name = std::move(name);
  column.type = type;
  column.category = category;
  spec.columns.push_back(column);
}

inline catalog::core::DatasetSpec DiamondsLikeSpec() {
  catalog::core::DatasetSpec spec;
  spec.name = "diamonds";
  spec.table = "diamonds";
  AddColumn(spec, "carat", catalog::core::ColumnType::kNumber, false);
  AddColumn(spec, "cut", catalog::core::ColumnType::kString, true);
  AddColumn(spec, "color", catalog::core::ColumnType::kString, true);
  AddColumn(spec, "price", catalog::core::ColumnType::kInteger, false);
  return spec;
}

}  // namespace vitrina::cache::core::testing
