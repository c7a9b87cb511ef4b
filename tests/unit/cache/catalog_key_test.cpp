#include "vitrina/cache/core/catalog_key.hpp"

#include <gtest/gtest.h>

#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::cache::core {
namespace {

const catalog::core::DatasetSpec& Diamonds() {
  static const catalog::core::DatasetSpec spec =
      catalog::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml").value();
  return spec;
}

std::string KeyOf(std::string_view raw) {
  auto query = catalog::core::CatalogQueryParser(Diamonds()).Parse(raw);
  EXPECT_TRUE(query.ok()) << raw;
  return query.ok() ? CatalogCacheKey(*query).str() : std::string();
}

TEST(CatalogCacheKey, FollowsTheDocumentedContract) {
  EXPECT_EQ(KeyOf(""), "catalog:all");
  EXPECT_EQ(KeyOf("cut=Fair"), "catalog:cut=Fair");
  EXPECT_EQ(KeyOf("cut=Ideal&color=E"), "catalog:color=E&cut=Ideal");
  EXPECT_EQ(KeyOf("price_min=500"), "catalog:price_min=500");
  EXPECT_EQ(KeyOf("carat_min=0.50"), "catalog:carat_min=0.5");
  EXPECT_EQ(KeyOf("cut=Very%20Good&cut=Fair"), "catalog:cut=Fair,Very%20Good");
  EXPECT_EQ(KeyOf("carat_max=0.50&limit=50"), "catalog:carat_max=0.5&limit=50");
}

TEST(CatalogCacheKey, EqualQueriesShareAKey) {
  EXPECT_EQ(KeyOf("cut=Good&cut=Fair&cut=Good"), KeyOf("cut=Fair&cut=Good"));
  EXPECT_EQ(KeyOf("price_min=500&color=E"), KeyOf("color=E&price_min=500"));
}

// price is an integer column: a whole number written as a decimal is the same question, with the
// same key; a fractional one is refused (400) and never reaches a key.
TEST(CatalogCacheKey, AWholeDecimalOnAnIntegerColumnHasTheCanonicalKey) {
  EXPECT_EQ(KeyOf("price_min=500.0"), "catalog:price_min=500");
  EXPECT_EQ(KeyOf("price_max=5e2"), "catalog:price_max=500");
  EXPECT_FALSE(catalog::core::CatalogQueryParser(Diamonds()).Parse("price_min=500.5").ok());
}

TEST(CatalogCacheKey, TheCursorIsPartOfTheKey) {
  const auto first = KeyOf("limit=2");
  auto query = catalog::core::CatalogQueryParser(Diamonds()).Parse("limit=2").value();
  query.after_id = 7;
  const auto next = CatalogCacheKey(query).str();
  EXPECT_NE(first, next);
  EXPECT_NE(next.find("cursor="), std::string::npos);
}

TEST(CatalogCacheKey, TheSortKeepsItsOrderAndTheDefaultOrderAddsNothing) {
  EXPECT_EQ(KeyOf("sort=-price,carat"), "catalog:sort=-price,carat");
  EXPECT_EQ(KeyOf("sort=carat,-price"), "catalog:sort=carat,-price");
  EXPECT_EQ(KeyOf("sort=id&cut=Fair"), "catalog:cut=Fair");
  EXPECT_EQ(KeyOf("sort=price,id"), KeyOf("sort=price"));
  EXPECT_EQ(KeyOf("sort=-id"), "catalog:sort=-id");
  EXPECT_EQ(KeyOf("limit=5&sort=cut,-id"), "catalog:limit=5&sort=cut,-id");
  // Read back, the sort keeps its order (the matcher ignores it, but a reader must not be misled).
  EXPECT_EQ(ParseCatalogKey(KeyOf("sort=-price,carat"))->at("sort"),
            (std::vector<std::string>{"-price", "carat"}));
}

TEST(CatalogCacheKey, FieldsAreSortedDeduplicatedAndIncludeId) {
  EXPECT_EQ(KeyOf("fields=price,carat,price"), "catalog:fields=carat,id,price");
  EXPECT_EQ(KeyOf("fields=id,carat,price"), KeyOf("fields=price,carat"));
  EXPECT_EQ(KeyOf("fields=id"), "catalog:fields=id");
  EXPECT_EQ(KeyOf("fields=carat,cut,color,clarity,depth,table,price,x,y,z"), "catalog:all");
  EXPECT_EQ(KeyOf("cut=Fair&fields=price&limit=2&sort=-price"),
            "catalog:cut=Fair&fields=id,price&limit=2&sort=-price");
}

TEST(CatalogCacheKey, ASortedCursorIsCanonical) {
  auto first = catalog::core::CatalogQueryParser(Diamonds()).Parse("sort=-price&limit=2").value();
  catalog::core::CatalogItem last;
  last.id = 9;
  last.values.assign(Diamonds().columns.size(), catalog::core::FieldValue{});
  last.values[6] = std::int64_t{700};
  const auto cursor = catalog::core::CursorAfter(first, last);
  const auto next = KeyOf("limit=2&sort=-price&cursor=" + cursor);
  EXPECT_EQ(next, "catalog:cursor=" + cursor + "&limit=2&sort=-price");
  EXPECT_EQ(next, KeyOf("cursor=" + cursor + "&sort=-price&limit=2"));
}

}  // namespace
}  // namespace vitrina::cache::core
