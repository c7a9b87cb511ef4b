#include "vitrina/catalog/core/catalog_query.hpp"

#include <random>

#include <gtest/gtest.h>

#include "vitrina/catalog/core/catalog_sql.hpp"
#include "vitrina/catalog/core/cursor.hpp"
#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::catalog::core {
namespace {

const DatasetSpec& Diamonds() {
  static const DatasetSpec spec =
      catalog::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml").value();
  return spec;
}

CatalogQuery Parse(std::string_view raw) {
  auto query = CatalogQueryParser(Diamonds()).Parse(raw);
  EXPECT_TRUE(query.ok()) << raw << ": " << (query.ok() ? "" : query.error().message);
  return query.ok() ? *query : CatalogQuery{};
}

std::string ErrorOf(std::string_view raw) {
  auto query = CatalogQueryParser(Diamonds()).Parse(raw);
  EXPECT_FALSE(query.ok()) << raw;
  if (query.ok()) return {};
  EXPECT_EQ(query.error().code, base::ErrorCode::kInvalidArgument);
  return query.error().message;
}

CatalogItem Diamond(std::int64_t id, std::string cut, std::int64_t price, double carat = 0.5) {
  CatalogItem item;
  item.id = id;
  // carat, cut, color, clarity, depth, table, price, x, y, z
  item.values = {
      carat, std::move(cut), std::string("E"), std::string("SI1"), 61.0, 55.0, price, 4.0, 4.0,
      2.5};
  return item;
}

TEST(ParseCatalogQuery, EmptyQueryIsTheWholeCatalog) {
  const auto query = Parse("");
  EXPECT_TRUE(query.categories.empty());
  EXPECT_TRUE(query.ranges.empty());
  EXPECT_FALSE(query.limit);
  EXPECT_FALSE(query.after_id);
  EXPECT_EQ(query.CanonicalString(), "");
}

TEST(ParseCatalogQuery, RepeatedCategoryValuesAreSortedAndDeduplicated) {
  const auto query = Parse("cut=Good&cut=Fair&cut=Good");
  ASSERT_EQ(query.categories.size(), 1u);
  EXPECT_EQ(query.categories[0].column, "cut");
  EXPECT_EQ(query.categories[0].values, (std::vector<FieldValue>{"Fair", "Good"}));
}

TEST(ParseCatalogQuery, PlusAndPercentTwentyBothMeanSpace) {
  EXPECT_EQ(Parse("cut=Very+Good"), Parse("cut=Very%20Good"));
  EXPECT_EQ(std::get<std::string>(Parse("cut=Very+Good").categories[0].values[0]), "Very Good");
}

TEST(ParseCatalogQuery, RangesAreTypedPerColumn) {
  const auto query = Parse("price_min=500&price_max=1000&carat_min=0.5");
  ASSERT_EQ(query.ranges.size(), 2u);
  EXPECT_EQ(query.ranges[0].column, "carat");
  EXPECT_EQ(std::get<double>(*query.ranges[0].min), 0.5);
  EXPECT_EQ(query.ranges[1].column, "price");
  EXPECT_EQ(std::get<std::int64_t>(*query.ranges[1].min), 500);
  EXPECT_EQ(std::get<std::int64_t>(*query.ranges[1].max), 1000);
}

TEST(ParseCatalogQuery, CanonicalStringIgnoresOrderAndSpelling) {
  const auto a = Parse("price_max=1000&cut=Good&cut=Fair&price_min=0500&limit=10");
  const auto b = Parse("limit=10&cut=Fair&price_min=500&cut=Good&price_max=1000");
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.CanonicalString(), "cut=Fair&cut=Good&limit=10&price_max=1000&price_min=500");
  EXPECT_EQ(Parse("cut=Very+Good").CanonicalString(), "cut=Very%20Good");
}

TEST(ParseCatalogQuery, UnknownParameterIsNamedWithTheAllowedOnes) {
  const auto message = ErrorOf("colour=D");
  EXPECT_NE(message.find("'colour'"), std::string::npos) << message;
  EXPECT_NE(message.find("allowed: carat_max, carat_min, clarity, color, cursor, cut"),
            std::string::npos)
      << message;
}

TEST(ParseCatalogQuery, OneParserServesManyQueriesLikeAFreshOne) {
  const CatalogQueryParser parser(Diamonds());
  EXPECT_EQ(parser.parameters(), CatalogQueryParser(Diamonds()).parameters());
  for (const std::string_view raw :
       {"", "cut=Fair", "cut=Ideal&color=E&cut=Fair", "price_min=500&price_max=600&limit=5",
        "colour=D", "price_min=abc", "limit=0", "cut=Fair&limit=2&limit=3"}) {
    const auto once = parser.Parse(raw);
    const auto fresh = CatalogQueryParser(Diamonds()).Parse(raw);
    ASSERT_EQ(once.ok(), fresh.ok()) << raw;
    if (once.ok()) {
      EXPECT_EQ(*once, *fresh) << raw;
    } else {
      EXPECT_EQ(once.error().message, fresh.error().message) << raw;
    }
  }
}

TEST(ParseCatalogQuery, BadValuesNameTheParameter) {
  EXPECT_NE(ErrorOf("price_min=abc").find("'price_min' must be an integer"), std::string::npos);
  EXPECT_NE(ErrorOf("price_min=1.5").find("'price_min'"), std::string::npos);
  EXPECT_NE(ErrorOf("carat_max=nan").find("'carat_max' must be a number"), std::string::npos);
  EXPECT_NE(ErrorOf("limit=0").find("'limit'"), std::string::npos);
  EXPECT_NE(ErrorOf("limit=10001").find("'limit'"), std::string::npos);
  EXPECT_NE(ErrorOf("limit=ten").find("'limit'"), std::string::npos);
  EXPECT_NE(ErrorOf("cursor=zzz").find("'cursor'"), std::string::npos);
  EXPECT_NE(ErrorOf("limit=5&limit=6").find("at most once"), std::string::npos);
  EXPECT_NE(ErrorOf("price_min=1&price_min=2").find("at most once"), std::string::npos);
}

TEST(ParseCatalogQuery, BrokenEncodingIsRefused) {
  ErrorOf("cut=%zz");
  ErrorOf("cut=%4");
  ErrorOf("cut=%ff%fe");    // not UTF-8
  ErrorOf("cut=%C0%AF");    // overlong
  ErrorOf("cut=a%00b");     // NUL
  ErrorOf("c%75t=%E2%82");  // truncated sequence
}

TEST(ParseCatalogQuery, UnknownCategoryValueIsValid) {
  EXPECT_EQ(Parse("cut=Excellent").categories[0].values.size(), 1u);
}

TEST(ParseCatalogQuery, CursorRoundTrips) {
  const auto query = Parse("limit=2&cursor=" + EncodeCursor(42));
  EXPECT_EQ(query.after_id, 42);
  EXPECT_EQ(query.limit, 2);
}

TEST(CatalogQueryMatches, AppliesCategoriesRangesAndCursor) {
  const auto query = Parse("cut=Fair&cut=Good&price_min=500&price_max=1000");
  EXPECT_TRUE(query.Matches(Diamond(1, "Fair", 500)));
  EXPECT_TRUE(query.Matches(Diamond(1, "Good", 1000)));
  EXPECT_FALSE(query.Matches(Diamond(1, "Ideal", 700)));
  EXPECT_FALSE(query.Matches(Diamond(1, "Fair", 1001)));
  EXPECT_FALSE(query.Matches(Diamond(1, "Fair", 499)));
  const auto after = Parse("cursor=" + EncodeCursor(10));
  EXPECT_FALSE(after.Matches(Diamond(10, "Fair", 1)));
  EXPECT_TRUE(after.Matches(Diamond(11, "Fair", 1)));
  EXPECT_TRUE(Parse("carat_max=1").Matches(Diamond(1, "Fair", 1, 1.0)));
  EXPECT_FALSE(Parse("carat_max=1").Matches(Diamond(1, "Fair", 1, 1.01)));
}

// --- Sorting, fields, totals (issue #17)

TEST(ParseCatalogQuery, SortKeysKeepTheirOrderAndDirection) {
  const auto query = Parse("sort=-price,carat");
  ASSERT_EQ(query.sort.size(), 2u);
  EXPECT_EQ(query.sort[0], (SortKey{"price", 6, true}));
  EXPECT_EQ(query.sort[1], (SortKey{"carat", 0, false}));
  EXPECT_FALSE(query.id_descending);
  EXPECT_EQ(query.SortText(), "-price,carat");
  EXPECT_EQ(query.CanonicalString(), "sort=-price%2Ccarat");
}

TEST(ParseCatalogQuery, OneOrderHasOneCanonicalSort) {
  EXPECT_EQ(Parse("sort=id"), Parse(""));                        // the default order
  EXPECT_EQ(Parse("sort=price,id"), Parse("sort=price"));        // ties are broken by id anyway
  EXPECT_EQ(Parse("sort=price,id,carat"), Parse("sort=price"));  // nothing after a unique key
  EXPECT_EQ(Parse("sort=price,-price"), Parse("sort=price"));    // the first place counts
  EXPECT_EQ(Parse("sort=-id").SortText(), "-id");
  EXPECT_EQ(Parse("sort=cut,-id,price").SortText(), "cut,-id");
  EXPECT_NE(Parse("sort=price,carat"), Parse("sort=carat,price"));
}

TEST(ParseCatalogQuery, UnsortableOrUnknownSortColumnsNameTheSortableOnes) {
  const std::string sortable =
      "sortable: id, carat, cut, color, clarity, depth, table, price, x, y, z";
  EXPECT_NE(ErrorOf("sort=weight").find("cannot sort by 'weight'; " + sortable), std::string::npos);
  EXPECT_NE(ErrorOf("sort=price,,cut").find(sortable), std::string::npos);
  EXPECT_NE(ErrorOf("sort=").find(sortable), std::string::npos);
  EXPECT_NE(ErrorOf("sort=-").find("'sort'"), std::string::npos);
  EXPECT_NE(ErrorOf("sort=price&sort=carat").find("at most once"), std::string::npos);
  // A spec decides per column: sortable: false removes one, sortable: true adds any other.
  DatasetSpec spec = Diamonds();
  spec.columns[6].sortable = false;  // price
  const auto refused = CatalogQueryParser(spec).Parse("sort=price");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("sortable: id, carat, cut, color, clarity, depth, "
                                         "table, x, y, z"),
            std::string::npos)
      << refused.error().message;
}

TEST(ParseCatalogQuery, FieldsAreCanonicalAndAlwaysIncludeId) {
  const auto query = Parse("fields=price,carat,price");
  ASSERT_TRUE(query.fields);
  EXPECT_EQ(*query.fields, (std::vector<std::size_t>{0, 6}));  // spec order
  EXPECT_EQ(query.field_names, (std::vector<std::string>{"carat", "id", "price"}));
  EXPECT_EQ(query, Parse("fields=carat,id,price"));
  EXPECT_EQ(query.CanonicalString(), "fields=carat%2Cid%2Cprice");
  const auto only_id = Parse("fields=id");
  ASSERT_TRUE(only_id.fields);
  EXPECT_TRUE(only_id.fields->empty());
  // Naming every column is the whole item: the same answer as no list.
  EXPECT_EQ(Parse("fields=carat,cut,color,clarity,depth,table,price,x,y,z"), Parse(""));
  EXPECT_NE(ErrorOf("fields=carat,weight")
                .find("unknown column 'weight'; allowed: id, carat, "
                      "cut"),
            std::string::npos);
  EXPECT_FALSE(CatalogQueryParser(Diamonds()).Parse("fields=").ok());
}

TEST(ParseCatalogQuery, ASortedCursorContinuesOnlyItsOwnSort) {
  const std::string cursor = EncodeSortedCursor({"-price,carat", {"500", "0.5"}, 42});
  const auto query = Parse("sort=-price,carat&limit=5&cursor=" + cursor);
  EXPECT_EQ(query.after_id, 42);
  EXPECT_EQ(query.after_values, (std::vector<FieldValue>{std::int64_t{500}, 0.5}));
  EXPECT_EQ(query.CursorText(), cursor);
  // The cursor may come before the sort in the query string.
  EXPECT_EQ(Parse("cursor=" + cursor + "&limit=5&sort=-price,carat"), query);
  EXPECT_NE(ErrorOf("sort=price&cursor=" + cursor).find("cannot continue sort=price"),
            std::string::npos);
  EXPECT_NE(ErrorOf("cursor=" + cursor).find("sorted listing"), std::string::npos);
  EXPECT_NE(ErrorOf("sort=price&cursor=" + EncodeCursor(5)).find("by id"), std::string::npos);
  // Other spellings of the same position, and values that do not fit the column, are refused.
  for (const auto& other : {EncodeSortedCursor({"-price,carat", {"500", "0.50"}, 42}),
                            EncodeSortedCursor({"-price,carat", {"500.0", "0.5"}, 42}),
                            EncodeSortedCursor({"-price,carat", {"cheap", "0.5"}, 42}),
                            EncodeSortedCursor({"-price,carat", {std::nullopt, "0.5"}, 42}),
                            EncodeSortedCursor({"-price,carat", {"500"}, 42})}) {
    EXPECT_FALSE(CatalogQueryParser(Diamonds()).Parse("sort=-price,carat&cursor=" + other).ok())
        << other;
  }
}

TEST(CursorAfter, CarriesTheLastItemsSortValues) {
  const auto sorted = Parse("sort=cut,-price&limit=2");
  const auto next = CursorAfter(sorted, Diamond(9, "Good", 700));
  EXPECT_EQ(DecodeSortedCursor(next),
            (SortedCursor{"cut,-price", {std::string("Good"), std::string("700")}, 9}));
  const auto continued = Parse("sort=cut,-price&limit=2&cursor=" + next);
  EXPECT_EQ(continued.after_values,
            (std::vector<FieldValue>{std::string("Good"), std::int64_t{700}}));
  EXPECT_EQ(CursorAfter(Parse("limit=2"), Diamond(9, "Good", 700)), EncodeCursor(9));
}

TEST(CatalogQueryMatches, APaginatedAnswerChangesWithAnyMatchingItemBecauseOfItsTotal) {
  // limit given: the total counts items before the cursor too, so they change this page.
  const auto page = Parse("cut=Fair&limit=10&cursor=" + EncodeCursor(10));
  EXPECT_TRUE(page.Matches(Diamond(3, "Fair", 1)));
  EXPECT_TRUE(page.Matches(Diamond(30, "Fair", 1)));
  EXPECT_FALSE(page.Matches(Diamond(3, "Good", 1)));  // another filter set stays
}

TEST(CatalogQueryMatches, WithoutALimitTheCursorNarrowsInTheSortOrder) {
  const auto after = CursorAfter(Parse("sort=cut,-price"), Diamond(50, "Good", 700));
  const auto query = Parse("sort=cut,-price&cursor=" + after);
  EXPECT_TRUE(query.Matches(Diamond(1, "Fair", 100)));    // texts: the collation decides
  EXPECT_FALSE(query.Matches(Diamond(1, "Good", 800)));   // price above (descending: before)
  EXPECT_FALSE(query.Matches(Diamond(50, "Good", 700)));  // the cursor's own item
  EXPECT_FALSE(query.Matches(Diamond(49, "Good", 700)));  // a tie, broken by id
  EXPECT_TRUE(query.Matches(Diamond(51, "Good", 700)));
  EXPECT_TRUE(query.Matches(Diamond(1, "Good", 600)));
  EXPECT_TRUE(query.Matches(Diamond(1, "Ideal", 900)));
  const auto by_price =
      Parse("sort=-price&cursor=" + CursorAfter(Parse("sort=-price"), Diamond(50, "Good", 700)));
  EXPECT_FALSE(by_price.Matches(Diamond(1, "Good", 701)));
  EXPECT_TRUE(by_price.Matches(Diamond(1, "Good", 699)));
  const auto by_id_down =
      Parse("sort=-id&cursor=" + CursorAfter(Parse("sort=-id"), Diamond(50, "Good", 700)));
  EXPECT_TRUE(by_id_down.Matches(Diamond(49, "Good", 1)));
  EXPECT_FALSE(by_id_down.Matches(Diamond(51, "Good", 1)));
}

TEST(CompareSortValues, NullSortsLastAndNumbersCompareAcrossTypes) {
  EXPECT_EQ(CompareSortValues(FieldValue{}, FieldValue{std::int64_t{5}}), 1);
  EXPECT_EQ(CompareSortValues(FieldValue{std::int64_t{5}}, FieldValue{}), -1);
  EXPECT_EQ(CompareSortValues(FieldValue{}, FieldValue{}), 0);
  EXPECT_EQ(CompareSortValues(FieldValue{std::int64_t{5}}, FieldValue{5.5}), -1);
  EXPECT_EQ(CompareSortValues(FieldValue{std::string("b")}, FieldValue{std::string("a")}), 1);
  EXPECT_FALSE(CompareSortValues(FieldValue{std::string("b")}, FieldValue{1.0}));
}

// --- Randomized: arbitrary query strings never crash the parser, and values only ever reach
// PostgreSQL as bound parameters.

std::string RandomQuery(std::mt19937_64& random) {
  static const std::vector<std::string> names = {
      "cut",       "color", "clarity", "price_min", "price_max", "carat_min",
      "carat_max", "limit", "cursor",  "depth_max", "x_min",     "id",
      "table",     "Cut",   "",        "cut%20",    "%",         "c%75t",
      "&",         "=",     "sort",    "fields",    "sort",      "fields"};
  static const std::vector<std::string> values = {"Fair",
                                                  "Very+Good",
                                                  "Very%20Good",
                                                  "500",
                                                  "-1",
                                                  "0",
                                                  "10000",
                                                  "10001",
                                                  "1e3",
                                                  "abc",
                                                  "",
                                                  "%",
                                                  "%2",
                                                  "%zz",
                                                  "%00",
                                                  "%C3%A9",
                                                  "%E2%82%AC",
                                                  "%ff",
                                                  "'; DROP TABLE diamonds; --",
                                                  "\"quoted\"",
                                                  "{a,b}",
                                                  "back\\slash",
                                                  "+",
                                                  "%2B",
                                                  "0.5",
                                                  "nan",
                                                  "inf",
                                                  "dj8xMA",
                                                  "price",
                                                  "-price,carat",
                                                  "cut,-carat,id,price",
                                                  "-id",
                                                  "carat,cut,price",
                                                  "x%2Cy",
                                                  "-",
                                                  "price,,cut",
                                                  EncodeCursor(7),
                                                  EncodeSortedCursor({"-price", {"500"}, 7})};
  std::string query;
  const int pairs = static_cast<int>(random() % 6);
  for (int i = 0; i < pairs; ++i) {
    if (i > 0) query += random() % 10 == 0 ? "&&" : "&";
    switch (random() % 4) {
      case 0: {  // raw random bytes
        const int length = static_cast<int>(random() % 12);
        for (int j = 0; j < length; ++j) query += static_cast<char>(random() % 256);
        break;
      }
      default:
        query += names[random() % names.size()];
        if (random() % 8 != 0) query += '=';
        query += values[random() % values.size()];
        if (random() % 5 == 0) query += values[random() % values.size()];
    }
  }
  return query;
}

TEST(ParseCatalogQueryRandomized, AnyStringGivesAQueryOrAnInvalidArgument) {
  std::mt19937_64 random(20240601);
  const auto statements = BuildCatalogStatements(Diamonds());
  int valid = 0;
  for (int i = 0; i < 50'000; ++i) {
    const std::string raw = RandomQuery(random);
    auto query = CatalogQueryParser(Diamonds()).Parse(raw);
    if (!query.ok()) {
      ASSERT_EQ(query.error().code, base::ErrorCode::kInvalidArgument) << raw;
      ASSERT_FALSE(query.error().message.empty()) << raw;
      continue;
    }
    ++valid;
    // The canonical form is a fixed point: parsing it gives the same query.
    auto again = CatalogQueryParser(Diamonds()).Parse(query->CanonicalString());
    ASSERT_TRUE(again.ok()) << raw << " -> " << query->CanonicalString();
    ASSERT_EQ(*again, *query) << raw;
    // Every value is a parameter; the statement text depends only on the sort and the fields.
    const auto params = CatalogListParams(Diamonds(), *query);
    const auto sql = CatalogListSql(Diamonds(), *query);
    if (HasDefaultListShape(*query)) {
      ASSERT_EQ(sql, statements.list.sql);
    }
    for (const auto& filter : query->categories) {
      for (const auto& value : filter.values) {
        const auto text = FieldValueText(value);
        // (A value that is also a column's name, cut=price, is in the text as that name.)
        if (text.size() >= 4 && Diamonds().FindColumn(text) == nullptr) {
          ASSERT_EQ(sql.find(text), std::string::npos) << raw;
        }
      }
    }
    std::size_t placeholders = 0;
    for (std::size_t n = 1; sql.find("$" + std::to_string(n) + "::") != std::string::npos; ++n) {
      placeholders = n;
    }
    ASSERT_EQ(params.size(), placeholders);
  }
  EXPECT_GT(valid, 1000);  // the generator reaches the valid space too
}

}  // namespace
}  // namespace vitrina::catalog::core
