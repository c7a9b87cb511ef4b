// Dates, timestamps and missing values: parsing (ISO 8601 and spec layouts), their canonical text,
// null markers in CSV fields, range filters on them, and the spec keys that declare them.
#include "vitrina/catalog/core/date_time.hpp"

#include <gtest/gtest.h>

#include "vitrina/catalog/core/catalog_query.hpp"
#include "vitrina/catalog/core/field_value.hpp"
#include "vitrina/catalog/core/reload_notice.hpp"
#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::catalog::core {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;

TEST(IsoDate, ParsesRealDatesOnly) {
  EXPECT_EQ(ParseIsoDate("1970-01-01")->days, 0);
  EXPECT_EQ(ParseIsoDate("2024-01-31")->days, 19753);
  EXPECT_EQ(ParseIsoDate("1969-12-31")->days, -1);
  EXPECT_TRUE(ParseIsoDate("2024-02-29"));
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-1-31", "24-01-31",
                          "0000-01-01", "2024-01-31T00:00", "2024/01/31", ""}) {
    EXPECT_FALSE(ParseIsoDate(bad)) << bad;
  }
  EXPECT_EQ(FormatDate(*ParseIsoDate("0001-01-01")), "0001-01-01");
  EXPECT_EQ(FormatDate(*ParseIsoDate("9999-12-31")), "9999-12-31");
}

TEST(IsoTimestamp, AppliesOffsetsAndReadsNoOffsetAsUtc) {
  const auto utc = ParseIsoTimestamp("2024-01-31T12:00:00Z");
  ASSERT_TRUE(utc);
  EXPECT_EQ(utc->micros, (19753 * 86'400 + 12 * 3'600) * kMicrosPerSecond);
  EXPECT_EQ(ParseIsoTimestamp("2024-01-31 12:00"), utc);
  EXPECT_EQ(ParseIsoTimestamp("2024-01-31T14:00:00+02:00"), utc);
  EXPECT_EQ(ParseIsoTimestamp("2024-01-31T14:00:00+0200"), utc);
  EXPECT_EQ(ParseIsoTimestamp("2024-01-31T07:00-05"), utc);
  EXPECT_EQ(FormatTimestamp(*ParseIsoTimestamp("2024-01-31T12:00:00.5+01:00")),
            "2024-01-31T11:00:00.5Z");
  EXPECT_EQ(FormatTimestamp(*ParseIsoTimestamp("2024-01-31T12:00:00.123456Z")),
            "2024-01-31T12:00:00.123456Z");
  for (const char* bad : {"2024-01-31T24:00:00Z", "2024-01-31T12:60Z", "2024-01-31T12:00:00+15:00",
                          "2024-01-31T12", "2024-01-31T12:00:00.1234567Z", "noon"}) {
    EXPECT_FALSE(ParseIsoTimestamp(bad)) << bad;
  }
}

TEST(DateFormat, ReadsTheLayoutsKaggleFilesUse) {
  auto us = DateFormat::Compile("%m/%d/%Y", false);
  ASSERT_TRUE(us.ok());
  const auto civil = us->Read("1/5/2024");
  ASSERT_TRUE(civil);
  EXPECT_EQ(DateOf(*civil), *ParseIsoDate("2024-01-05"));
  EXPECT_FALSE(us->Read("2024-01-05"));

  auto compact = DateFormat::Compile("%Y%m%d", false);
  ASSERT_TRUE(compact.ok());
  EXPECT_EQ(DateOf(*compact->Read("20240105")), *ParseIsoDate("2024-01-05"));

  auto two_digit = DateFormat::Compile("%d.%m.%y %H:%M", true);
  ASSERT_TRUE(two_digit.ok());
  EXPECT_EQ(TimestampOf(*two_digit->Read("31.01.24 12:05")),
            *ParseIsoTimestamp("2024-01-31T12:05:00Z"));
  EXPECT_EQ(two_digit->Read("31.01.99 12:05")->year, 1999);  // POSIX strptime's pivot

  EXPECT_FALSE(DateFormat::Compile("%m/%Y", false).ok());        // no day
  EXPECT_FALSE(DateFormat::Compile("%Y-%m-%d", true).ok());      // a timestamp needs a time
  EXPECT_FALSE(DateFormat::Compile("%Y-%m-%d %Z", false).ok());  // unknown directive
}

ColumnSpec Column(ColumnType type, bool required, std::vector<std::string> null_values = {}) {
  ColumnSpec column;
  column.name = "c";
  column.type = type;
  column.required = required;
  column.null_values = std::move(null_values);
  return column;
}

TEST(NullMarkers, LoadAsNullInOptionalColumnsAndAreNamedInRequiredOnes) {
  const auto optional = Column(ColumnType::kNumber, false, {"NA", "N/A"});
  for (const char* missing : {"", "  ", "NA", " N/A "}) {
    const auto result = ParseTextField(optional, missing);
    ASSERT_TRUE(std::holds_alternative<FieldValue>(result)) << missing;
    EXPECT_TRUE(std::holds_alternative<std::monostate>(std::get<FieldValue>(result))) << missing;
  }
  // Markers match exactly (after trimming): "na" is not "NA", and is no number.
  EXPECT_EQ(std::get<std::string>(ParseTextField(optional, "na")), "must be a number");

  const auto required = Column(ColumnType::kInteger, true, {"NA"});
  EXPECT_EQ(std::get<std::string>(ParseTextField(required, "")), "is required");
  EXPECT_EQ(std::get<std::string>(ParseTextField(required, "NA")),
            "is required (found the missing-value marker 'NA')");
}

TEST(TemporalFields, FollowTheColumnsFormatOrIso) {
  auto date = Column(ColumnType::kDate, true);
  EXPECT_EQ(std::get<Date>(std::get<FieldValue>(ParseTextField(date, " 2024-01-31 "))),
            *ParseIsoDate("2024-01-31"));
  EXPECT_EQ(std::get<std::string>(ParseTextField(date, "01/31/2024")),
            "must be a date in the form YYYY-MM-DD");
  date.format = DateFormat::Compile("%m/%d/%Y", false).value();
  EXPECT_EQ(std::get<Date>(std::get<FieldValue>(ParseTextField(date, "01/31/2024"))),
            *ParseIsoDate("2024-01-31"));
  EXPECT_EQ(std::get<std::string>(ParseTextField(date, "02/30/2024")),
            "must be a date in the form %m/%d/%Y");
}

DatasetSpec SalesSpec() {
  return catalog::ParseSpecYaml(R"(
name: sales
null_values: ["", "NA"]
columns:
  - {source: Sold On, name: sold_on, type: date, format: "%m/%d/%Y"}
  - {source: Listed At, name: listed_at, type: timestamp, required: false}
  - {source: Price, name: price, type: integer, required: false, null_values: ["-"]}
)",
                                "sales.yaml")
      .value();
}

TEST(SpecFile, DeclaresFormatsAndNullValuesPerSpecAndColumn) {
  const auto spec = SalesSpec();
  ASSERT_EQ(spec.columns.size(), 3u);
  EXPECT_EQ(spec.columns[0].format->pattern(), "%m/%d/%Y");
  EXPECT_EQ(spec.columns[0].null_values, (std::vector<std::string>{"", "NA"}));
  EXPECT_EQ(spec.columns[2].null_values, std::vector<std::string>{"-"});  // its own list wins
  EXPECT_TRUE(spec.columns[1].HasRangeFilter());

  const auto bad_format = catalog::ParseSpecYaml(
      "name: a\ncolumns:\n  - {source: x, type: integer, format: \"%Y\"}\n", "a.yaml");
  ASSERT_FALSE(bad_format.ok());
  EXPECT_NE(bad_format.error().message.find("format applies only to date or timestamp"),
            std::string::npos)
      << bad_format.error().message;
  EXPECT_FALSE(catalog::ParseSpecYaml(
                   "name: a\ncolumns:\n  - {source: x, type: date, format: \"%Q\"}\n", "a.yaml")
                   .ok());
}

TEST(TemporalRanges, AreValidatedAndCanonicalInTheCacheKey) {
  const auto spec = SalesSpec();
  const CatalogQueryParser parser(spec);
  // An offset's + is %2B in a query string; the key holds the instant in UTC.
  auto query = parser.Parse("listed_at_min=2024-01-31T14:00:00%2B02:00&sold_on_max=2024-02-01");
  ASSERT_TRUE(query.ok()) << query.error().message;
  EXPECT_EQ(query->CanonicalString(),
            "listed_at_min=2024-01-31T12%3A00%3A00Z&sold_on_max=2024-02-01");
  // A bare date bounds a timestamp at midnight UTC.
  EXPECT_EQ(parser.Parse("listed_at_min=2024-01-31")->CanonicalString(),
            parser.Parse("listed_at_min=2024-01-31T00:00:00Z")->CanonicalString());
  const auto bad = parser.Parse("sold_on_min=01/31/2024");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("sold_on_min"), std::string::npos);
  EXPECT_FALSE(parser.Parse("listed_at_max=yesterday").ok());

  // Bounds are inclusive and never match NULL.
  CatalogItem item{1, {FieldValue{*ParseIsoDate("2024-02-01")}, FieldValue{}, FieldValue{}}};
  EXPECT_TRUE(parser.Parse("sold_on_max=2024-02-01")->Matches(item));
  EXPECT_FALSE(parser.Parse("sold_on_min=2024-02-02")->Matches(item));
  EXPECT_FALSE(parser.Parse("listed_at_min=1970-01-01")->Matches(item));
}

TEST(ReloadNotice, NamesTheTableAndOnlyThatTableFlushes) {
  EXPECT_EQ(ReloadPayload("books", 42), "books:42");
  EXPECT_TRUE(ReloadConcernsTable("books:42", "books"));
  EXPECT_FALSE(ReloadConcernsTable("books:42", "diamonds"));
  // An older release's bare run id, or anything unreadable, concerns every table.
  EXPECT_TRUE(ReloadConcernsTable("42", "diamonds"));
  EXPECT_TRUE(ReloadConcernsTable("", "diamonds"));
  EXPECT_TRUE(ReloadConcernsTable("Not A Table!:1", "diamonds"));
}

}  // namespace
}  // namespace vitrina::catalog::core
