#pragma once

#include "vitrina/core/cache_key.hpp"
#include "vitrina/core/catalog_query.hpp"

namespace vitrina::core {

// The cache key of a validated GET /catalog query (docs/cache.md, "Keys"): every filter, limit and
// cursor as a core::CanonicalParam, values in their canonical text (FieldValueText), handed to
// CacheKey::ForCatalog. `?cut=Ideal&color=E` -> "catalog:color=E&cut=Ideal"; no parameters ->
// "catalog:all". Only a query that passed CatalogQueryParser::Parse can reach a key.
CacheKey CatalogCacheKey(const CatalogQuery& query);

}  // namespace vitrina::core
