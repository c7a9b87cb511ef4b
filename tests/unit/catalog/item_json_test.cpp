#include "vitrina/catalog/core/item_json.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::catalog::core {
namespace {

const DatasetSpec& Diamonds() {
  static const DatasetSpec spec =
      catalog::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml").value();
  return spec;
}

constexpr const char* kGoodItem =
    R"({"carat":0.5,"cut":"Fair","color":"E","clarity":"SI1","depth":61,"table":55,)"
    R"("price":400,"x":4.1,"y":4.2,"z":2.5})";

TEST(ParseItemBody, AcceptsAValidItemInSpecOrder) {
  base::FieldErrors errors;
  const auto values = ParseItemBody(Diamonds(), kGoodItem, errors);
  ASSERT_TRUE(values.ok()) << values.error().message;
  ASSERT_EQ(values->size(), Diamonds().columns.size());
  EXPECT_EQ(std::get<double>((*values)[0]), 0.5);
  EXPECT_EQ(std::get<std::string>((*values)[1]), "Fair");
  EXPECT_EQ(std::get<double>((*values)[4]), 61.0);  // an integer literal in a number column
  EXPECT_EQ(std::get<std::int64_t>((*values)[6]), 400);
  EXPECT_TRUE(errors.empty());
}

TEST(ParseItemBody, ReportsEveryBadFieldWithTheSpecRules) {
  base::FieldErrors errors;
  const auto values = ParseItemBody(
      Diamonds(),
      R"({"carat":0,"cut":7,"color":"E","depth":61,"table":55,"price":1.5,"x":4,"y":4,"z":2,)"
      R"("id":3,"shine":true})",
      errors);
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(errors["carat"], "must be greater than 0");
  EXPECT_EQ(errors["cut"], "must be a string");
  EXPECT_EQ(errors["clarity"], "is required");
  EXPECT_EQ(errors["price"], "must be an integer");
  EXPECT_EQ(errors["shine"], "is not a field of this dataset");
  EXPECT_NE(errors["id"].find("must not be given"), std::string::npos);
  EXPECT_EQ(errors.size(), 6u);
}

TEST(ParseItemBody, RefusesNonObjects) {
  base::FieldErrors errors;
  EXPECT_FALSE(ParseItemBody(Diamonds(), "{not json", errors).ok());
  EXPECT_FALSE(ParseItemBody(Diamonds(), "[1,2]", errors).ok());
  EXPECT_TRUE(errors.empty());
}

TEST(DecodeStoredItem, ReadsPostgresRowJson) {
  const auto item = DecodeStoredItem(
      Diamonds(), R"({"id":9,"carat":0.23,"cut":"Ideal","color":"E","clarity":"SI2","depth":61.5,)"
                  R"("table":55,"price":326,"x":3.95,"y":3.98,"z":2.43})");
  ASSERT_TRUE(item.ok()) << item.error().message;
  EXPECT_EQ(item->id, 9);
  EXPECT_EQ(std::get<std::int64_t>(item->values[6]), 326);
  EXPECT_EQ(std::get<double>(item->values[5]), 55.0);
}

}  // namespace
}  // namespace vitrina::catalog::core
