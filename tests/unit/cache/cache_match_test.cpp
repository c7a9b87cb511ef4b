#include "vitrina/cache/core/cache_match.hpp"

#include <gtest/gtest.h>

#include "small_spec.hpp"

namespace vitrina::cache::core {
namespace {

using testing::DiamondsLikeSpec;

ItemValues FairItem(std::int64_t price = 900) {
  return {
      {"carat", 0.5}, {"cut", std::string("Fair")}, {"color", std::string("E")}, {"price", price}};
}

bool Affects(std::string_view key, const ItemValues& item) {
  const auto params = ParseCatalogKey(key);
  EXPECT_TRUE(params) << key;
  return ItemMayAffectKey(DiamondsLikeSpec(), *params, item);
}

TEST(ItemMayAffectKey, EqualityOnCategories) {
  EXPECT_TRUE(Affects("catalog:all", FairItem()));
  EXPECT_TRUE(Affects("catalog:cut=Fair", FairItem()));
  EXPECT_FALSE(Affects("catalog:cut=Ideal", FairItem()));
  EXPECT_TRUE(Affects("catalog:cut=Fair,Ideal", FairItem()));
  EXPECT_TRUE(Affects("catalog:color=E&cut=Fair", FairItem()));
  EXPECT_FALSE(Affects("catalog:color=F&cut=Fair", FairItem()));
}

TEST(ItemMayAffectKey, InclusiveRanges) {
  EXPECT_TRUE(Affects("catalog:price_max=1000", FairItem(900)));
  EXPECT_TRUE(Affects("catalog:price_max=1000", FairItem(1000)));
  EXPECT_FALSE(Affects("catalog:price_max=1000", FairItem(1001)));
  EXPECT_FALSE(Affects("catalog:price_min=99999", FairItem(900)));
  EXPECT_TRUE(Affects("catalog:price_max=900&price_min=900", FairItem(900)));
  EXPECT_TRUE(Affects("catalog:carat_min=0.5", FairItem()));
  EXPECT_FALSE(Affects("catalog:carat_min=0.51", FairItem()));
}

TEST(ItemMayAffectKey, PaginationAndUnknownParametersDoNotNarrow) {
  EXPECT_TRUE(Affects("catalog:cursor=xyz&cut=Fair&limit=10", FairItem()));
  EXPECT_FALSE(Affects("catalog:cursor=xyz&cut=Ideal&limit=10", FairItem()));
  EXPECT_TRUE(Affects("catalog:sort=price", FairItem()));
}

// A paginated answer carries the total of its filter set, and a sort moves items between pages:
// every page (any cursor, sort or field list) of a matching filter set is affected, and only
// those.
TEST(ItemMayAffectKey, EveryPageOfAMatchingFilterSetWhateverItsSortFieldsOrCursor) {
  EXPECT_TRUE(Affects("catalog:cursor=djI6LXByaWNlOlsiNTAwIiw3XQ&cut=Fair&limit=2&sort=-price",
                      FairItem(100)));
  EXPECT_TRUE(Affects("catalog:cut=Fair&fields=id,price&limit=2&sort=carat,-price", FairItem()));
  EXPECT_TRUE(Affects("catalog:fields=id&limit=2", FairItem()));
  EXPECT_FALSE(Affects("catalog:cut=Ideal&fields=id,price&limit=2&sort=-price", FairItem()));
  EXPECT_FALSE(Affects("catalog:limit=2&price_min=1000&sort=-price", FairItem(900)));
}

TEST(ItemMayAffectKey, NullMatchesNoFilterAndMissingValuesAreConservative) {
  ItemValues item = FairItem();
  item["color"] = std::monostate{};
  EXPECT_FALSE(Affects("catalog:color=E", item));
  item.erase("color");
  EXPECT_TRUE(Affects("catalog:color=E", item));
  item["price"] = std::monostate{};
  EXPECT_FALSE(Affects("catalog:price_min=1", item));
}

TEST(ItemMayAffectKey, IntegerCategoriesCompareAsNumbers) {
  catalog::core::DatasetSpec spec = DiamondsLikeSpec();
  catalog::core::ColumnSpec year;
  year.name = "year";
  year.type = catalog::core::ColumnType::kInteger;
  year.category = true;
  spec.columns.push_back(year);
  ItemValues item{{"year", std::int64_t{2020}}};
  EXPECT_TRUE(ItemMayAffectKey(spec, *ParseCatalogKey("catalog:year=2019,2020"), item));
  EXPECT_FALSE(ItemMayAffectKey(spec, *ParseCatalogKey("catalog:year=2019"), item));
}

}  // namespace
}  // namespace vitrina::cache::core
