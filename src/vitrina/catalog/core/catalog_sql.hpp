#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/dataset_spec.hpp"
#include "vitrina/catalog/core/field_value.hpp"

namespace vitrina::catalog::core {

// Names of the server's prepared statements. Each is prepared once per connection under this
// name, and the name is what logs and metrics use to tell statements apart.
inline constexpr std::string_view kCatalogListStatement = "catalog_list";
inline constexpr std::string_view kCatalogStreamStatement = "catalog_stream";
inline constexpr std::string_view kCatalogGetStatement = "catalog_get";
inline constexpr std::string_view kCatalogInsertStatement = "catalog_insert";
inline constexpr std::string_view kCatalogReplaceStatement = "catalog_replace";
inline constexpr std::string_view kCatalogDeleteStatement = "catalog_delete";
inline constexpr std::string_view kCatalogFacetsStatement = "catalog_facets";
inline constexpr std::string_view kHealthPingStatement = "health_ping";
inline constexpr std::string_view kCacheOutboxDeleteStatement = "cache_outbox_delete";

struct SqlStatement {
  std::string_view name;
  std::string sql;
};

using SqlParams = std::vector<std::optional<std::string>>;  // text values, nullopt is NULL

// The SQL of every catalog statement, generated once from the spec. The text depends only on the
// spec (table and column names, quoted), never on a request: every value a client sends is a
// bound parameter, and an absent filter is a NULL parameter that switches its condition off.
//
// Result shapes (all JSON is built by PostgreSQL, so the server forwards bytes):
//   list:    item_count bigint, items text (JSON array), has_more boolean, last_item text (the
//            page's last item as a JSON object of id and the sort columns; NULL for an empty
//            page), total bigint (NULL unless asked for). The prepared `list` is the default
//            shape (order by id, every field); CatalogListSql builds the others.
//   get:     item text (JSON object), no row when absent
//   facets:  facets text: {"<category column>": {"values": [...], "complete": bool}, ...}, the
//            column's distinct values in ascending order, at most kMaxFacetValues of them
//   insert:  item text, outbox_id bigint
//   replace: old_item text, new_item text, outbox_id bigint (all NULL when absent)
//   delete:  old_item text, outbox_id bigint, no row when absent
//   outbox_delete: removes one cache_outbox row by id ($1), once its invalidation is confirmed
// Each write also inserts a cache_outbox row in the same statement (so in the same transaction)
// and returns its id as outbox_id: see cache/invalidation_outbox.hpp for the protocol.
struct CatalogStatements {
  SqlStatement list;
  SqlStatement get;
  SqlStatement insert;
  SqlStatement replace;
  SqlStatement remove;
  SqlStatement facets;
  SqlStatement ping;
  SqlStatement outbox_delete;

  std::vector<SqlStatement> All() const {
    return {list, get, insert, replace, remove, facets, ping, outbox_delete};
  }
};

// The most distinct values GET /catalog/facets lists per category column; a column with more
// answers the first ones and "complete": false (a client offers free input for it then).
inline constexpr int kMaxFacetValues = 100;

CatalogStatements BuildCatalogStatements(const DatasetSpec& spec);

// The list statement for a query's shape: its sort and its fields (the text depends on nothing
// else, and the default shape is the prepared `list`). Requests with another shape run it as an
// unnamed statement: the shapes are too many to prepare, and it is a miss's cost (a plan, well
// under a millisecond next to the query). Column names come from the spec, never from the request.
std::string CatalogListSql(const DatasetSpec& spec, const CatalogQuery& query);

// An unpaginated list read as a stream (a cursor over it, db::RowStream): one row per matching
// item, its JSON object as text, in the query's order, with the query's fields. Parameters:
// CatalogStreamParams. Not prepared (a cursor's query is planned at DECLARE).
std::string CatalogStreamSql(const DatasetSpec& spec, const CatalogQuery& query);
SqlParams CatalogStreamParams(const DatasetSpec& spec, const CatalogQuery& query);

// Whether the query has the prepared list statement's shape (order by id, every field).
inline bool HasDefaultListShape(const CatalogQuery& query) {
  return query.DefaultOrder() && !query.fields;
}

// Parameters of the list statement for a query, in the statement's order: per spec column, one
// array for a category column and min, max for a numeric one; then the cursor (one value per
// sort key, then the id), the limit, and whether to count the total.
SqlParams CatalogListParams(const DatasetSpec& spec, const CatalogQuery& query);

// Parameters of insert (the values in spec order) and replace (id first, then the values).
SqlParams CatalogInsertParams(const std::vector<FieldValue>& values);
SqlParams CatalogReplaceParams(std::int64_t id, const std::vector<FieldValue>& values);

// A PostgreSQL array literal ({"a","b\"c"}) whose elements are always quoted and escaped.
std::string TextArrayLiteral(const std::vector<FieldValue>& values);

}  // namespace vitrina::catalog::core
