#pragma once

#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"

namespace vitrina::cache::core {

// The cache key of a validated GET /catalog query (docs/cache.md, "Keys"): every filter, limit and
// cursor as a CanonicalParam, values in their canonical text (FieldValueText), handed to
// CacheKey::ForCatalog. `?cut=Ideal&color=E` -> "catalog:color=E&cut=Ideal"; no parameters ->
// "catalog:all". Only a query that passed CatalogQueryParser::Parse can reach a key.
CacheKey CatalogCacheKey(const catalog::core::CatalogQuery& query);

}  // namespace vitrina::cache::core
