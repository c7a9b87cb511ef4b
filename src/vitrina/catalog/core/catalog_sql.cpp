#include "vitrina/catalog/core/catalog_sql.hpp"

#include <limits>

#include "vitrina/catalog/core/catalog_schema.hpp"

namespace vitrina::catalog::core {
namespace {

std::string ParamRef(int number, std::string_view sql_type) {
  // Appended piecewise: `"$" + std::to_string(n)` trips a false -Wrestrict in g++ 12 at -O3.
  std::string reference = "$";
  reference += std::to_string(number);
  reference += "::";
  reference += sql_type;
  return reference;
}

// "id", "carat", "cut", ...: the columns every item carries, in output order.
std::string ItemColumns(const DatasetSpec& spec, std::string_view qualifier = {}) {
  std::string columns = std::string(qualifier) + "id";
  for (const auto& column : spec.columns) {
    columns += ", ";
    columns += qualifier;
    columns += QuoteIdent(column.name);
  }
  return columns;
}

// The filter conditions, numbered from $1 in spec order: per column an array for a category,
// low and high for a range. `next` ends past the last one.
std::string FilterConditions(const DatasetSpec& spec, int& next) {
  std::vector<std::string> conditions;
  for (const auto& column : spec.columns) {
    const std::string name = QuoteIdent(column.name);
    const std::string type(SqlTypeName(column.type));
    if (column.category) {
      const std::string values = ParamRef(next++, type + "[]");
      conditions.push_back(std::string("(")
                               .append(values)
                               .append(" IS NULL OR ")
                               .append(name)
                               .append(" = ANY(")
                               .append(values)
                               .append("))"));
    }
    if (column.HasRangeFilter()) {
      const std::string low = ParamRef(next++, type);
      const std::string high = ParamRef(next++, type);
      conditions.push_back(std::string("(")
                               .append(low)
                               .append(" IS NULL OR ")
                               .append(name)
                               .append(" >= ")
                               .append(low)
                               .append(")"));
      conditions.push_back(std::string("(")
                               .append(high)
                               .append(" IS NULL OR ")
                               .append(name)
                               .append(" <= ")
                               .append(high)
                               .append(")"));
    }
  }
  std::string where;
  for (const auto& condition : conditions) where += (where.empty() ? "" : " AND ") + condition;
  return where.empty() ? "true" : where;
}

// "price DESC, carat, id": the query's order. NULLs follow PostgreSQL's defaults (last
// ascending, first descending), which CompareSortValues mirrors. `reverse` flips every key.
std::string OrderBy(const CatalogQuery& query, std::string_view qualifier, bool reverse = false) {
  std::string order;
  for (const auto& key : query.sort) {
    order += std::string(qualifier) + QuoteIdent(key.column);
    if (key.descending != reverse) order += " DESC";
    order += ", ";
  }
  order += std::string(qualifier) + "id";
  if (query.id_descending != reverse) order += " DESC";
  return order;
}

// Whether a row lies after the cursor in the query's order: for keys k1..kn and id, the row is
// after when it ties on k1..k(i-1) and is after on ki, for some i. Sort values are $first..,
// the cursor's id is the next parameter; a NULL id means no cursor. A nullable column places
// NULL after every value (ascending), so its comparisons spell that out; NOT NULL columns keep
// plain comparisons the planner can use.
std::string KeysetCondition(const DatasetSpec& spec, const CatalogQuery& query, int& next) {
  std::string ties;  // "k1 = $a AND k2 = $b AND " for the keys so far
  std::string any_after;
  const auto add_branch = [&](const std::string& after) {
    any_after.append(any_after.empty() ? "(" : " OR (").append(ties).append(after).append(")");
  };
  for (const auto& key : query.sort) {
    const auto& column = spec.columns[key.column_index];
    const std::string name = QuoteIdent(column.name);
    const std::string value = ParamRef(next++, SqlTypeName(column.type));
    std::string after = name;
    after.append(key.descending ? " < " : " > ").append(value);
    std::string tie = name;
    tie.append(" = ").append(value);
    if (!column.required) {
      const std::string& later = key.descending ? value : name;  // the side that may be NULL
      const std::string& present = key.descending ? name : value;
      after = std::string("(")
                  .append(after)
                  .append(" OR (")
                  .append(later)
                  .append(" IS NULL AND ")
                  .append(present)
                  .append(" IS NOT NULL))");
      tie = name;
      tie.append(" IS NOT DISTINCT FROM ").append(value);
    }
    add_branch(after);
    ties.append(tie).append(" AND ");
  }
  const std::string id = ParamRef(next++, "bigint");
  add_branch(std::string("id").append(query.id_descending ? " < " : " > ").append(id));
  return std::string("(").append(id).append(" IS NULL OR ").append(any_after).append(")");
}

// The items of the page as JSON objects: every column, or id and the chosen fields (a row of a
// sub-select keeps its column names in JSON).
std::string ItemJson(const DatasetSpec& spec, const CatalogQuery& query) {
  if (!query.fields) return "page.*";
  std::string columns = "page.id";
  for (const auto index : *query.fields) {
    columns.append(", page.").append(QuoteIdent(spec.columns[index].name));
  }
  return "(SELECT item FROM (SELECT " + columns + ") AS item)";
}

// The last item's id and sort values, for the next cursor.
std::string LastItemColumns(const CatalogQuery& query) {
  std::string columns = "id";
  for (const auto& key : query.sort) columns += ", " + QuoteIdent(key.column);
  return columns;
}

}  // namespace

std::string CatalogListSql(const DatasetSpec& spec, const CatalogQuery& query) {
  int next = 1;
  const std::string filters = FilterConditions(spec, next);
  const std::string keyset = KeysetCondition(spec, query, next);
  const std::string limit = ParamRef(next++, "bigint");
  const std::string total = ParamRef(next++, "boolean");
  const std::string table = QuoteIdent(spec.table);
  // One row past the page tells whether another page exists without a second query. The total
  // is a separate count of the filters alone (no cursor, no limit), evaluated only when asked
  // for: a CASE that is false never runs its sub-select. docs/api.md, "Totals", says why not a
  // window count.
  return "WITH matched AS (SELECT " + ItemColumns(spec) + " FROM " + table + " WHERE " + filters +
         " AND " + keyset + " ORDER BY " + OrderBy(query, "") + " LIMIT " + limit + " + 1), " +
         "page AS (SELECT * FROM matched ORDER BY " + OrderBy(query, "") + " LIMIT " + limit +
         ") " +
         "SELECT (SELECT count(*) FROM page) AS item_count, "
         "(SELECT coalesce(json_agg(" +
         ItemJson(spec, query) + " ORDER BY " + OrderBy(query, "page.") +
         "), '[]'::json)::text FROM page) AS items, "
         "(SELECT count(*) FROM matched) > " +
         limit +
         " AS has_more, "
         "(SELECT row_to_json(last.*)::text FROM (SELECT " +
         LastItemColumns(query) + " FROM page ORDER BY " + OrderBy(query, "", true) +
         " LIMIT 1) AS last) AS last_item, "
         "CASE WHEN " +
         total + " THEN (SELECT count(*) FROM " + table + " WHERE " + filters + ") END AS total";
}

std::string CatalogStreamSql(const DatasetSpec& spec, const CatalogQuery& query) {
  int next = 1;
  const std::string filters = FilterConditions(spec, next);
  // The sub-select is flattened by the planner: ordered by id it is an index scan, which a
  // cursor prefers (cursor_tuple_fraction) because its first rows come at once.
  return "SELECT row_to_json(" + ItemJson(spec, query) + ")::text AS item FROM (SELECT " +
         ItemColumns(spec) + " FROM " + QuoteIdent(spec.table) + " WHERE " + filters +
         ") AS page ORDER BY " + OrderBy(query, "page.");
}

SqlParams CatalogStreamParams(const DatasetSpec& spec, const CatalogQuery& query) {
  SqlParams params = CatalogListParams(spec, query);
  // The list's parameters begin with the filters': drop the keyset, limit and total ones.
  params.resize(params.size() - query.sort.size() - 3);
  return params;
}

namespace {

std::string GetStatementSql(const DatasetSpec& spec) {
  return "SELECT row_to_json(item.*)::text AS item FROM (SELECT " + ItemColumns(spec) + " FROM " +
         QuoteIdent(spec.table) + " WHERE id = $1::bigint) AS item";
}

std::string ValueList(const DatasetSpec& spec, int first) {
  std::string values;
  int next = first;
  for (const auto& column : spec.columns) {
    if (!values.empty()) values += ", ";
    values += ParamRef(next++, SqlTypeName(column.type));
  }
  return values;
}

std::string ColumnList(const DatasetSpec& spec) {
  std::string names;
  for (const auto& column : spec.columns) {
    names += (names.empty() ? "" : ", ") + QuoteIdent(column.name);
  }
  return names;
}

// The durable record of a write whose cache invalidation is not confirmed yet: one cache_outbox
// row per changed item, inserted by the write's own statement, so it commits atomically with the
// write (and not at all when nothing was written). docs/cache.md, "Faults".
// The row names the table, so the servers of other datasets leave it alone.
std::string OutboxRowFor(const DatasetSpec& spec, std::string_view written) {
  return "outbox AS (INSERT INTO cache_outbox (created_at, catalog_table) SELECT now(), '" +
         spec.table + "' FROM " + std::string(written) + " RETURNING id)";
}

std::string InsertStatementSql(const DatasetSpec& spec) {
  return "WITH written AS (INSERT INTO " + QuoteIdent(spec.table) + " (" + ColumnList(spec) +
         ") VALUES (" + ValueList(spec, 1) + ") RETURNING " + ItemColumns(spec) + "), " +
         OutboxRowFor(spec, "written") +
         " SELECT row_to_json(written.*)::text AS item, (SELECT id FROM outbox) AS outbox_id "
         "FROM written";
}

std::string ReplaceStatementSql(const DatasetSpec& spec) {
  // The old version is read under a row lock in the same statement, so old and new are a
  // consistent pair for cache invalidation even with concurrent writers.
  const std::string table = QuoteIdent(spec.table);
  return "WITH old AS (SELECT " + ItemColumns(spec) + " FROM " + table +
         " WHERE id = $1::bigint FOR UPDATE), written AS (UPDATE " + table + " AS target SET (" +
         ColumnList(spec) + ") = ROW(" + ValueList(spec, 2) +
         ") FROM old WHERE target.id = old.id RETURNING " + ItemColumns(spec, "target.") + "), " +
         OutboxRowFor(spec, "written") +
         " SELECT (SELECT row_to_json(old.*)::text FROM old) AS old_item, "
         "(SELECT row_to_json(written.*)::text FROM written) AS new_item, "
         "(SELECT id FROM outbox) AS outbox_id";
}

std::string DeleteStatementSql(const DatasetSpec& spec) {
  return "WITH removed AS (DELETE FROM " + QuoteIdent(spec.table) +
         " WHERE id = $1::bigint RETURNING " + ItemColumns(spec) + "), " +
         OutboxRowFor(spec, "removed") +
         " SELECT row_to_json(removed.*)::text AS old_item, (SELECT id FROM outbox) AS outbox_id "
         "FROM removed";
}

// The distinct values of each category column by a loose index scan: each step of the recursion
// asks the column's index for the next value above the previous one, so listing a category costs
// one index probe per distinct value, not a scan of the table (SELECT DISTINCT would read all
// 53,940 diamonds to find 5 cuts). The walk stops after kMaxFacetValues + 1 values; the extra one
// only says that the list is incomplete.
std::string FacetSql(const DatasetSpec& spec, const ColumnSpec& column) {
  const std::string name = QuoteIdent(column.name);
  const std::string table = QuoteIdent(spec.table);
  const std::string most = std::to_string(kMaxFacetValues);
  return "SELECT '" + column.name +
         "' AS name, (SELECT json_build_object('values', "
         "coalesce(json_agg(value ORDER BY step) FILTER (WHERE step <= " +
         most + "), '[]'::json), 'complete', count(*) <= " + most +
         ") FROM (WITH RECURSIVE walk(value, step) AS (SELECT min(" + name + "), 1 FROM " + table +
         " UNION ALL SELECT (SELECT min(" + name + ") FROM " + table + " WHERE " + name +
         " > walk.value), step + 1 FROM walk WHERE walk.value IS NOT NULL AND step <= " + most +
         ") SELECT value, step FROM walk WHERE value IS NOT NULL) AS found) AS facet";
}

std::string FacetsStatementSql(const DatasetSpec& spec) {
  std::string facets;
  for (const auto& column : spec.columns) {
    if (!column.category) continue;
    facets += (facets.empty() ? "" : " UNION ALL ") + FacetSql(spec, column);
  }
  if (facets.empty()) return "SELECT '{}'::text AS facets";
  return "SELECT json_object_agg(name, facet)::text AS facets FROM (" + facets + ") AS facets";
}

std::optional<std::string> ParamText(const FieldValue& value) {
  if (std::holds_alternative<std::monostate>(value)) return std::nullopt;
  return FieldValueText(value);
}

}  // namespace

CatalogStatements BuildCatalogStatements(const DatasetSpec& spec) {
  return CatalogStatements{
      .list = {kCatalogListStatement, CatalogListSql(spec, CatalogQuery{})},
      .get = {kCatalogGetStatement, GetStatementSql(spec)},
      .insert = {kCatalogInsertStatement, InsertStatementSql(spec)},
      .replace = {kCatalogReplaceStatement, ReplaceStatementSql(spec)},
      .remove = {kCatalogDeleteStatement, DeleteStatementSql(spec)},
      .facets = {kCatalogFacetsStatement, FacetsStatementSql(spec)},
      .ping = {kHealthPingStatement, "SELECT 1"},
      .outbox_delete = {kCacheOutboxDeleteStatement,
                        "DELETE FROM cache_outbox WHERE id = $1::bigint"},
  };
}

std::string TextArrayLiteral(const std::vector<FieldValue>& values) {
  std::string literal = "{";
  for (const auto& value : values) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (const char c : FieldValueText(value)) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  literal += '}';
  return literal;
}

SqlParams CatalogListParams(const DatasetSpec& spec, const CatalogQuery& query) {
  SqlParams params;
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    const auto& column = spec.columns[i];
    if (column.category) {
      std::optional<std::string> values;
      for (const auto& filter : query.categories) {
        if (filter.column_index == i) values = TextArrayLiteral(filter.values);
      }
      params.push_back(std::move(values));
    }
    if (column.HasRangeFilter()) {
      std::optional<std::string> low;
      std::optional<std::string> high;
      for (const auto& filter : query.ranges) {
        if (filter.column_index != i) continue;
        if (filter.min) low = FieldValueText(*filter.min);
        if (filter.max) high = FieldValueText(*filter.max);
      }
      params.push_back(std::move(low));
      params.push_back(std::move(high));
    }
  }
  for (std::size_t i = 0; i < query.sort.size(); ++i) {
    params.push_back(i < query.after_values.size() ? ParamText(query.after_values[i])
                                                   : std::nullopt);
  }
  params.push_back(query.after_id ? std::optional(std::to_string(*query.after_id)) : std::nullopt);
  // Without pagination the page is everything; the +1 in the SQL must not overflow.
  const std::int64_t limit = query.limit.value_or(std::numeric_limits<std::int64_t>::max() - 1);
  params.push_back(std::to_string(limit));
  params.push_back(query.HasTotal() ? "true" : "false");
  return params;
}

SqlParams CatalogInsertParams(const std::vector<FieldValue>& values) {
  SqlParams params;
  params.reserve(values.size());
  for (const auto& value : values) params.push_back(ParamText(value));
  return params;
}

SqlParams CatalogReplaceParams(std::int64_t id, const std::vector<FieldValue>& values) {
  SqlParams params;
  params.reserve(values.size() + 1);
  params.push_back(std::to_string(id));
  for (const auto& value : values) params.push_back(ParamText(value));
  return params;
}

}  // namespace vitrina::catalog::core
