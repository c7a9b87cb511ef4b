#include "vitrina/catalog/core/catalog_sql.hpp"

#include <gtest/gtest.h>

#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::catalog::core {
namespace {

const DatasetSpec& Diamonds() {
  static const DatasetSpec spec =
      catalog::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml").value();
  return spec;
}

TEST(CatalogStatements, HaveStableNamesAndQuoteIdentifiers) {
  const auto statements = BuildCatalogStatements(Diamonds());
  EXPECT_EQ(statements.list.name, "catalog_list");
  EXPECT_EQ(statements.get.name, "catalog_get");
  EXPECT_NE(statements.list.sql.find("\"table\""), std::string::npos);  // a reserved word
  EXPECT_NE(statements.list.sql.find("\"cut\" = ANY($3::text[])"), std::string::npos);
  EXPECT_NE(statements.list.sql.find("ORDER BY id"), std::string::npos);
  for (const auto& statement : statements.All()) EXPECT_FALSE(statement.sql.empty());
}

TEST(CatalogStatements, EveryWriteRecordsAnOutboxRowInItsOwnStatement) {
  const auto statements = BuildCatalogStatements(Diamonds());
  for (const auto* write : {&statements.insert, &statements.replace, &statements.remove}) {
    // In the same statement, hence the same transaction as the write, and only for written rows;
    // the row names the table, so servers of another dataset leave it to ours.
    EXPECT_NE(write->sql.find("INSERT INTO cache_outbox (created_at, catalog_table) SELECT now(), "
                              "'diamonds' FROM "),
              std::string::npos)
        << write->name;
    EXPECT_NE(write->sql.find("AS outbox_id"), std::string::npos) << write->name;
  }
  EXPECT_EQ(statements.outbox_delete.name, "cache_outbox_delete");
  EXPECT_EQ(statements.outbox_delete.sql, "DELETE FROM cache_outbox WHERE id = $1::bigint");
}

TEST(CatalogStatements, FacetsWalkEachCategoryColumnsIndexOneValueAtATime) {
  const auto facets = BuildCatalogStatements(Diamonds()).facets;
  EXPECT_EQ(facets.name, "catalog_facets");
  for (const char* column : {"cut", "color", "clarity"}) {
    const std::string name = std::string("\"") + column + "\"";
    EXPECT_NE(facets.sql.find("SELECT '" + std::string(column) + "' AS name"), std::string::npos);
    // The next value above the previous one: an index probe, never a scan for DISTINCT.
    EXPECT_NE(facets.sql.find("SELECT min(" + name + ") FROM \"diamonds\" WHERE " + name +
                              " > walk.value"),
              std::string::npos)
        << column;
  }
  EXPECT_EQ(facets.sql.find("\"price\""), std::string::npos);  // not a category
  EXPECT_EQ(facets.sql.find("DISTINCT"), std::string::npos);
  EXPECT_NE(facets.sql.find("step <= 100"), std::string::npos);  // kMaxFacetValues
}

TEST(CatalogStatements, FacetsOfASpecWithoutCategoriesAreAnEmptyObject) {
  DatasetSpec spec = Diamonds();
  for (auto& column : spec.columns) column.category = false;
  EXPECT_EQ(BuildCatalogStatements(spec).facets.sql, "SELECT '{}'::text AS facets");
}

TEST(CatalogListParams, AbsentFiltersAreNullAndValuesAreBound) {
  const auto query =
      CatalogQueryParser(Diamonds()).Parse("cut=Fair&cut=Very+Good&price_min=500").value();
  const auto params = CatalogListParams(Diamonds(), query);
  // carat (min,max), cut, color, clarity, depth (2), table (2), price (2), x, y, z (2 each),
  // cursor, limit, total.
  ASSERT_EQ(params.size(), 2u + 3u + 2u * 3u + 2u * 3u + 3u);
  EXPECT_FALSE(params[0]);
  EXPECT_EQ(params[2], std::optional<std::string>("{\"Fair\",\"Very Good\"}"));
  EXPECT_FALSE(params[3]);
  EXPECT_EQ(params[9], std::optional<std::string>("500"));
  EXPECT_FALSE(params[10]);
  EXPECT_FALSE(params[params.size() - 3]);                        // no cursor
  EXPECT_TRUE(params[params.size() - 2]);                         // the limit is always bound
  EXPECT_EQ(params.back(), std::optional<std::string>("false"));  // no limit: no total
}

TEST(CatalogListSql, TheDefaultShapeIsThePreparedStatement) {
  const auto query = CatalogQueryParser(Diamonds()).Parse("cut=Fair&limit=5&sort=id").value();
  EXPECT_TRUE(HasDefaultListShape(query));
  EXPECT_EQ(CatalogListSql(Diamonds(), query), BuildCatalogStatements(Diamonds()).list.sql);
  const auto params = CatalogListParams(Diamonds(), query);
  EXPECT_EQ(params.back(), std::optional<std::string>("true"));  // a limit: count the total
}

TEST(CatalogListSql, SortsByTheKeysThenIdAndContinuesAfterTheCursorsValues) {
  const auto query =
      CatalogQueryParser(Diamonds()).Parse("sort=cut,-price&fields=price&limit=3").value();
  EXPECT_FALSE(HasDefaultListShape(query));
  const auto sql = CatalogListSql(Diamonds(), query);
  EXPECT_NE(sql.find("ORDER BY \"cut\", \"price\" DESC, id LIMIT"), std::string::npos) << sql;
  // Keyset: after on cut, or tied on cut and after on price (descending), or tied on both.
  EXPECT_NE(sql.find("(\"cut\" > $18::text) OR (\"cut\" = $18::text AND \"price\" < "
                     "$19::bigint) OR (\"cut\" = $18::text AND \"price\" = $19::bigint AND id > "
                     "$20::bigint)"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("(SELECT item FROM (SELECT page.id, page.\"price\") AS item)"),
            std::string::npos);
  const auto params = CatalogListParams(Diamonds(), query);
  EXPECT_EQ(params.size(), 17u + 3u + 2u);  // filters, cursor (cut, price, id), limit, total
  EXPECT_FALSE(params[17]);                 // no cursor: every cursor parameter is NULL
  EXPECT_FALSE(params[19]);
}

TEST(CatalogListSql, NullableSortColumnsPlaceNullAfterEveryValue) {
  DatasetSpec spec = Diamonds();
  spec.columns[6].required = false;  // price
  const auto query = CatalogQueryParser(spec).Parse("sort=price").value();
  const auto sql = CatalogListSql(spec, query);
  EXPECT_NE(sql.find("(\"price\" > $18::bigint OR (\"price\" IS NULL AND $18::bigint IS NOT "
                     "NULL))"),
            std::string::npos)
      << sql;
  EXPECT_NE(sql.find("\"price\" IS NOT DISTINCT FROM $18::bigint AND id > $19::bigint"),
            std::string::npos);
}

TEST(CatalogStreamSql, OneItemPerRowInTheQuerysOrderWithOnlyTheFilterParameters) {
  const auto query =
      CatalogQueryParser(Diamonds()).Parse("cut=Fair&sort=-price&fields=price").value();
  const auto sql = CatalogStreamSql(Diamonds(), query);
  EXPECT_TRUE(
      sql.starts_with("SELECT row_to_json((SELECT item FROM (SELECT page.id, "
                      "page.\"price\") AS item))::text AS item FROM (SELECT id, "))
      << sql;
  EXPECT_TRUE(sql.ends_with(") AS page ORDER BY page.\"price\" DESC, page.id")) << sql;
  EXPECT_EQ(sql.find("LIMIT"), std::string::npos);
  EXPECT_EQ(sql.find("json_agg"), std::string::npos);  // nothing built whole
  const auto params = CatalogStreamParams(Diamonds(), query);
  ASSERT_EQ(params.size(), 17u);  // the filters only
  EXPECT_EQ(params[2], std::optional<std::string>("{\"Fair\"}"));
  EXPECT_EQ(sql.find("$18"), std::string::npos);
}

TEST(CatalogStreamSql, TheDefaultShapeStreamsEveryColumnById) {
  const auto query = CatalogQueryParser(Diamonds()).Parse("").value();
  const auto sql = CatalogStreamSql(Diamonds(), query);
  EXPECT_TRUE(sql.starts_with("SELECT row_to_json(page.*)::text AS item FROM")) << sql;
  EXPECT_TRUE(sql.ends_with("ORDER BY page.id")) << sql;
}

TEST(TextArrayLiteral, QuotesAndEscapesEveryElement) {
  EXPECT_EQ(TextArrayLiteral({std::string("a\"b"), std::string("c\\d"), std::string("{x,y}")}),
            "{\"a\\\"b\",\"c\\\\d\",\"{x,y}\"}");
  EXPECT_EQ(TextArrayLiteral({}), "{}");
  EXPECT_EQ(TextArrayLiteral({std::int64_t{3}}), "{\"3\"}");
}

TEST(CatalogWriteParams, ReplaceStartsWithTheId) {
  const std::vector<FieldValue> values = {1.5, std::string("Fair"), std::monostate{}};
  const auto params = CatalogReplaceParams(7, values);
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params[0], std::optional<std::string>("7"));
  EXPECT_EQ(params[1], std::optional<std::string>("1.5"));
  EXPECT_FALSE(params[3]);
  EXPECT_EQ(CatalogInsertParams(values).size(), 3u);
}

}  // namespace
}  // namespace vitrina::catalog::core
