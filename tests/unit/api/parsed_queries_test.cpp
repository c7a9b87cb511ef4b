// GET /catalog's parses kept by raw query string: found again, bounded.
#include "vitrina/api/core/parsed_queries.hpp"

#include <string>

#include <gtest/gtest.h>

#include "vitrina/cache/core/catalog_key.hpp"
#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::api::core {
namespace {

const catalog::core::DatasetSpec& Diamonds() {
  static const catalog::core::DatasetSpec spec =
      catalog::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml").value();
  return spec;
}

std::shared_ptr<const ParsedQueries::Parsed> Parse(std::string_view raw) {
  const catalog::core::CatalogQueryParser parser(Diamonds());
  auto query = parser.Parse(raw);
  EXPECT_TRUE(query.ok()) << raw;
  auto key = cache::core::CatalogCacheKey(*query);
  return std::make_shared<const ParsedQueries::Parsed>(
      ParsedQueries::Parsed{std::move(*query), std::move(key)});
}

TEST(ParsedQueries, FindsWhatWasKeptByItsExactQueryString) {
  ParsedQueries kept(8);
  EXPECT_EQ(kept.Find("cut=Fair"), nullptr);
  const auto fair = Parse("cut=Fair");
  kept.Keep("cut=Fair", fair);
  EXPECT_EQ(kept.Find("cut=Fair"), fair);
  EXPECT_EQ(kept.Find("cut=Fair")->key.str(), "catalog:cut=Fair");
  // Another spelling of the same query is parsed on its own (its key is still the same).
  EXPECT_EQ(kept.Find("cut=Fair&"), nullptr);
  EXPECT_EQ(kept.Find("cut=fair"), nullptr);
  EXPECT_EQ(kept.Find(""), nullptr);
}

TEST(ParsedQueries, StartsOverWhenFull) {
  ParsedQueries kept(2);
  kept.Keep("cut=Fair", Parse("cut=Fair"));
  kept.Keep("cut=Good", Parse("cut=Good"));
  EXPECT_NE(kept.Find("cut=Fair"), nullptr);
  kept.Keep("cut=Ideal", Parse("cut=Ideal"));
  EXPECT_EQ(kept.Find("cut=Fair"), nullptr);
  EXPECT_EQ(kept.Find("cut=Good"), nullptr);
  EXPECT_NE(kept.Find("cut=Ideal"), nullptr);
}

TEST(ParsedQueries, KeepingAQueryAgainReplacesIt) {
  ParsedQueries kept(1);
  kept.Keep("cut=Fair", Parse("cut=Fair"));
  const auto again = Parse("cut=Fair");
  kept.Keep("cut=Fair", again);
  EXPECT_EQ(kept.Find("cut=Fair"), again);
}

}  // namespace
}  // namespace vitrina::api::core
