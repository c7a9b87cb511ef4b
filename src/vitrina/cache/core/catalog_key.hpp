#pragma once

#include "vitrina/cache/core/cache_key.hpp"
#include "vitrina/catalog/core/catalog_query.hpp"

namespace vitrina::cache::core {

// The cache key of a validated GET /catalog query (docs/cache.md, "Keys"): every filter, limit,
// cursor, sort and field list as a CanonicalParam, values in their canonical text
// (FieldValueText), handed to CacheKey::ForCatalog. The default order (no sort, ?sort=id) adds
// nothing; ?sort=-price,carat adds "sort=-price,carat" in its order; ?fields=price,carat adds
// "fields=carat,id,price" (sorted, id included). `?cut=Ideal&color=E` ->
// "catalog:color=E&cut=Ideal"; no parameters -> "catalog:all". Only a query that passed
// CatalogQueryParser::Parse can reach a key.
CacheKey CatalogCacheKey(const catalog::core::CatalogQuery& query);

}  // namespace vitrina::cache::core
