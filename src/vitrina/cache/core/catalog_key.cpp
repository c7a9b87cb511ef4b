#include "vitrina/cache/core/catalog_key.hpp"

namespace vitrina::cache::core {

CacheKey CatalogCacheKey(const catalog::core::CatalogQuery& query) {
  std::vector<CanonicalParam> params;
  for (const auto& filter : query.categories) {
    CanonicalParam param{.name = filter.column, .values = {}};
    for (const auto& value : filter.values) {
      param.values.push_back(catalog::core::FieldValueText(value));
    }
    params.push_back(std::move(param));
  }
  for (const auto& filter : query.ranges) {
    if (filter.min) {
      params.push_back(
          {.name = filter.column + "_min", .values = {catalog::core::FieldValueText(*filter.min)}});
    }
    if (filter.max) {
      params.push_back(
          {.name = filter.column + "_max", .values = {catalog::core::FieldValueText(*filter.max)}});
    }
  }
  if (query.limit) params.push_back({.name = "limit", .values = {std::to_string(*query.limit)}});
  if (query.after_id) params.push_back({.name = "cursor", .values = {query.CursorText()}});
  // The order is the sort's meaning: its keys keep their place (ordered), unlike OR-ed values.
  if (!query.DefaultOrder()) {
    CanonicalParam sort{.name = "sort", .values = {}, .ordered = true};
    for (const auto& key : query.sort) {
      sort.values.push_back((key.descending ? "-" : "") + key.column);
    }
    if (query.id_descending) sort.values.emplace_back("-id");
    params.push_back(std::move(sort));
  }
  if (query.fields) params.push_back({.name = "fields", .values = query.field_names});
  return CacheKey::ForCatalog(std::move(params));
}

}  // namespace vitrina::cache::core
