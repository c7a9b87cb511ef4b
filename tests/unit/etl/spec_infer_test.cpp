#include "vitrina/etl/core/spec_infer.hpp"

#include <gtest/gtest.h>

#include "vitrina/etl/core/csv_record_parser.hpp"

namespace vitrina::etl::core {
namespace {

using catalog::core::ColumnType;

SpecInferrer Infer(std::string_view csv, std::size_t sample = 0) {
  SpecInferrer inferrer("My Data-Set 2024", sample, ',');
  CsvRecordParser parser({}, inferrer);
  parser.Feed(csv);
  parser.Finish();
  return inferrer;
}

TEST(ProposeColumnName, SnakeCasesAndAvoidsReservedWords) {
  EXPECT_EQ(ProposeColumnName("Cost Total $"), "cost_total");
  EXPECT_EQ(ProposeColumnName("InPrint"), "in_print");
  EXPECT_EQ(ProposeColumnName("GDP per capita (USD)"), "gdp_per_capita_usd");
  EXPECT_EQ(ProposeColumnName("2nd Floor SF"), "c_2nd_floor_sf");
  EXPECT_EQ(ProposeColumnName("table"), "table_value");
  EXPECT_EQ(ProposeColumnName("Order"), "order_value");
  EXPECT_EQ(ProposeColumnName("ID"), "id_value");  // the API's own key
  EXPECT_EQ(ProposeColumnName("$"), "");
  EXPECT_LE(ProposeColumnName(std::string(100, 'a')).size(), 63u);
}

TEST(SpecInferrer, TypesEachColumnWithTheEtlsOwnRules) {
  const auto inferrer = Infer(
      ",Cost Total $,cost_total,Zip,Sold On,Listed,When,Rating,In Stock,Order,Notes\n"
      "1,12.50,3,02134,01/31/2024,31.01.2024,2024-01-31T12:00:00Z,NA,yes,1,hello\n"
      "2,N/A,4,10001,2/1/2024,01.02.2024,2024-01-31 13:00:00+02:00,4.5,no,2,-\n"
      "3,7,5,00501,12/31/2023,31.12.2023,,3,yes,3,\"with, comma\"\n");
  auto spec = inferrer.Spec();
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->name, "my_data_set_2024");
  ASSERT_EQ(spec->columns.size(), 11u);
  const auto& c = spec->columns;
  EXPECT_EQ(c[0].name, "column_1");  // an empty first header
  EXPECT_EQ(c[0].source, "");
  EXPECT_EQ(c[0].type, ColumnType::kInteger);
  EXPECT_TRUE(c[0].required);
  EXPECT_EQ(c[1].name, "cost_total");
  EXPECT_EQ(c[1].type, ColumnType::kNumber);
  EXPECT_FALSE(c[1].required);
  EXPECT_EQ(c[1].null_values, std::vector<std::string>{"N/A"});
  EXPECT_EQ(c[2].name, "cost_total_2");       // unique
  EXPECT_EQ(c[3].type, ColumnType::kString);  // leading zeros: a zip code, not a number
  EXPECT_EQ(c[4].type, ColumnType::kDate);
  EXPECT_EQ(c[4].format->pattern(), "%m/%d/%Y");
  EXPECT_EQ(c[5].format->pattern(), "%d.%m.%Y");
  EXPECT_EQ(c[6].type, ColumnType::kTimestamp);
  EXPECT_FALSE(c[6].format);
  EXPECT_FALSE(c[6].required);  // an empty field
  EXPECT_EQ(c[7].type, ColumnType::kNumber);
  EXPECT_EQ(c[7].null_values, std::vector<std::string>{"NA"});
  EXPECT_EQ(c[8].type, ColumnType::kBoolean);
  EXPECT_EQ(c[9].name, "order_value");
  EXPECT_EQ(c[10].type, ColumnType::kString);  // "-" beside text is a value
  EXPECT_TRUE(c[10].required);
  EXPECT_TRUE(c[10].null_values.empty());
}

TEST(SpecInferrer, LowCardinalityStringsAreCategoriesAndTheYamlSaysWhatWasSeen) {
  std::string csv = "Cut,Price\n";
  for (int i = 0; i < 40; ++i) {
    csv += std::string(i % 3 == 0   ? "Fair"
                       : i % 3 == 1 ? "Good"
                                    : "Ideal") +
           "," + std::to_string(300 + i) + "\n";
  }
  const auto inferrer = Infer(csv);
  auto spec = inferrer.Spec();
  ASSERT_TRUE(spec.ok());
  EXPECT_TRUE(spec->columns[0].category);
  EXPECT_EQ(spec->columns[0].max_length, 64u);
  EXPECT_FALSE(spec->columns[1].category);
  auto yaml = inferrer.Yaml();
  ASSERT_TRUE(yaml.ok());
  EXPECT_NE(yaml->find("# 40 values, 3 distinct, longest 5 bytes; e.g. Fair, Good, Ideal"),
            std::string::npos)
      << *yaml;
  EXPECT_NE(yaml->find("# 40 values, 40 distinct, min 300, max 339"), std::string::npos) << *yaml;
  EXPECT_NE(yaml->find("  - source: \"Cut\"\n    name: cut\n    type: string\n"),
            std::string::npos);
}

TEST(SpecInferrer, MinAndMaxCoverTheWholeSampleBeyondTheDistinctValuesTracked) {
  std::string csv = "n\n";
  for (int i = 1499; i >= 0; --i) csv += std::to_string(i) + "\n";
  auto yaml = Infer(csv).Yaml();
  ASSERT_TRUE(yaml.ok());
  EXPECT_NE(yaml->find("# 1500 values, more than 1000 distinct, min 0, max 1499"),
            std::string::npos)
      << *yaml;
}

TEST(SpecInferrer, StopsAtTheSampleAndRefusesAFileWithoutHeader) {
  std::string csv = "a\n";
  for (int i = 0; i < 100; ++i) csv += std::to_string(i) + "\n";
  const auto sampled = Infer(csv, 10);
  EXPECT_TRUE(sampled.Done());
  EXPECT_EQ(sampled.records_seen(), 10);
  EXPECT_FALSE(Infer("").Spec().ok());
}

}  // namespace
}  // namespace vitrina::etl::core
