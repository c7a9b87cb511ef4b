#include "vitrina/cache/core/registry.hpp"

#include <random>

#include <gtest/gtest.h>

#include "small_spec.hpp"
#include "vitrina/base/text.hpp"

namespace vitrina::cache::core {
namespace {

// The shared four columns and a boolean category (the registry indexes it like a string).
catalog::core::DatasetSpec Spec() {
  auto spec = testing::DiamondsLikeSpec();
  testing::AddColumn(spec, "certified", catalog::core::ColumnType::kBoolean, true);
  return spec;
}

std::vector<RegistryEntry> EntriesOf(std::string_view key) {
  return RegistryEntriesForKey(Spec(), ParseCatalogKey(key).value());
}

ItemValues Item(std::string cut, std::int64_t price, double carat = 0.5) {
  return {{"carat", carat},
          {"cut", std::move(cut)},
          {"color", std::string("E")},
          {"price", price},
          {"certified", true}};
}

// Whether the reads of a write of `item` reach where `key` is registered.
bool Reached(std::string_view key, const ItemValues& item) {
  const auto reads = RegistryReadsForItem(Spec(), item);
  if (!reads) return true;  // the writer reads everything
  for (const auto& entry : EntriesOf(key)) {
    for (const auto& read : *reads) {
      if (read.kind != entry.kind || read.index != entry.index) continue;
      if (read.everything) return true;
      if (entry.kind == RegistryEntry::Kind::kLowerBound && entry.score <= read.value) return true;
      if (entry.kind == RegistryEntry::Kind::kUpperBound && entry.score >= read.value) return true;
    }
  }
  return false;
}

TEST(RegistryEntriesForKey, TheFirstCategoryColumnGivesOneSetPerValue) {
  const auto entries = EntriesOf("catalog:color=E&cut=Fair,Very%20Good&price_min=500");
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].index, "c:cut=Fair");  // cut comes before color in the spec
  EXPECT_EQ(entries[1].index, "c:cut=Very%20Good");
  EXPECT_EQ(entries[0].kind, RegistryEntry::Kind::kSet);
}

TEST(RegistryEntriesForKey, WithoutCategoriesTheFirstRangeColumnGivesAScoredEntry) {
  const auto lower = EntriesOf("catalog:limit=1&price_min=500,700");
  ASSERT_EQ(lower.size(), 1u);
  EXPECT_EQ(lower[0].kind, RegistryEntry::Kind::kLowerBound);
  EXPECT_EQ(lower[0].index, "min:price");
  EXPECT_EQ(lower[0].score, 700);  // both bounds hold: the larger is the one that matters
  const auto both = EntriesOf("catalog:carat_max=2&price_min=1");
  EXPECT_EQ(both[0].index, "max:carat");  // carat comes first; it has only an upper bound
  EXPECT_EQ(both[0].score, 2);
}

TEST(RegistryEntriesForKey, EverythingElseIsGeneral) {
  EXPECT_EQ(EntriesOf("catalog:all")[0].index, "*");
  EXPECT_EQ(EntriesOf("catalog:cursor=abc&limit=10")[0].index, "*");
}

TEST(RegistryReadsForItem, ReadsTheGeneralSetItsCategoriesAndBothRangeSides) {
  const auto reads = RegistryReadsForItem(Spec(), Item("Fair", 900));
  ASSERT_TRUE(reads);
  std::vector<std::string> names;
  for (const auto& read : *reads) names.push_back(read.index);
  EXPECT_EQ(names,
            (std::vector<std::string>{"*", "min:carat", "max:carat", "c:cut=Fair", "c:color=E",
                                      "min:price", "max:price", "c:certified=true"}));
}

TEST(RegistryReadsForItem, NullSkipsAColumnAndAnUnplaceableItemReadsEverything) {
  auto item = Item("Fair", 900);
  item["cut"] = std::monostate{};
  const auto reads = RegistryReadsForItem(Spec(), item);
  ASSERT_TRUE(reads);
  for (const auto& read : *reads) {
    EXPECT_NE(read.index.rfind("c:cut=", 0), 0u) << read.index;
  }
  item.erase("price");
  EXPECT_FALSE(RegistryReadsForItem(Spec(), item));
  item = Item("Fair", 900);
  item["cut"] = std::int64_t{3};
  EXPECT_FALSE(RegistryReadsForItem(Spec(), item));
}

TEST(Registry, JunkOnOtherCategoriesAndFarPricesIsNotReached) {
  const auto fair = Item("Fair", 900);
  EXPECT_FALSE(Reached("catalog:cut=Ideal&limit=1&price_min=1", fair));
  EXPECT_FALSE(Reached("catalog:limit=1&price_min=99999", fair));
  EXPECT_FALSE(Reached("catalog:limit=1&price_max=10", fair));
  EXPECT_TRUE(Reached("catalog:cut=Fair", fair));
  EXPECT_TRUE(Reached("catalog:price_min=900", fair));  // inclusive
  EXPECT_TRUE(Reached("catalog:price_max=900", fair));
  EXPECT_TRUE(Reached("catalog:all", fair));
}

// The property the writer relies on: whatever may change is found.
TEST(Registry, EveryKeyAWriteMayAffectIsReached) {
  std::mt19937 random(20261204);
  const std::vector<std::string> cuts = {"Fair", "Good", "Ideal", "Very Good"};
  const auto pick = [&random](const auto& options) {
    return options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(random)];
  };
  const auto number = [&random](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  int affected = 0;
  for (int round = 0; round < 20000; ++round) {
    KeyParams key;
    if (number(0, 2) == 0) key["cut"] = {pick(cuts)};
    if (number(0, 3) == 0) key["cut"].push_back(pick(cuts));
    if (number(0, 3) == 0) key["color"] = {pick(std::vector<std::string>{"D", "E", "F"})};
    if (number(0, 2) == 0) key["price_min"] = {std::to_string(number(-100, 1100))};
    if (number(0, 4) == 0) key["price_min"].push_back(std::to_string(number(0, 1000)));
    if (number(0, 2) == 0) key["price_max"] = {std::to_string(number(0, 1200))};
    if (number(0, 3) == 0) key["carat_min"] = {base::FormatNumber(number(0, 30) / 10.0)};
    if (number(0, 3) == 0) key["carat_max"] = {base::FormatNumber(number(0, 30) / 10.0)};
    if (number(0, 3) == 0) key["certified"] = {pick(std::vector<std::string>{"true", "false"})};
    if (number(0, 3) == 0) key["limit"] = {"5"};
    ItemValues item = Item(pick(cuts), number(0, 1100), number(0, 30) / 10.0);
    if (number(0, 9) == 0) item["price"] = std::monostate{};
    if (number(0, 9) == 0) item["cut"] = std::monostate{};
    const auto entries = RegistryEntriesForKey(Spec(), key);
    const auto reads = RegistryReadsForItem(Spec(), item);
    ASSERT_FALSE(entries.empty());
    if (!ItemMayAffectKey(Spec(), key, item)) continue;
    ++affected;
    bool reached = !reads;
    for (const auto& entry : entries) {
      for (const auto& read : reads.value_or(std::vector<RegistryRead>{})) {
        if (read.kind != entry.kind || read.index != entry.index) continue;
        reached = reached || read.everything ||
                  (entry.kind == RegistryEntry::Kind::kLowerBound && entry.score <= read.value) ||
                  (entry.kind == RegistryEntry::Kind::kUpperBound && entry.score >= read.value);
      }
    }
    ASSERT_TRUE(reached) << "round " << round;
  }
  EXPECT_GT(affected, 2000);  // the generator does produce affected keys
}

}  // namespace
}  // namespace vitrina::cache::core
