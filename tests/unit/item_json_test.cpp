#include "vitrina/core/item_json.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "vitrina/core/openapi.hpp"
#include "vitrina/spec/spec_file.hpp"

namespace vitrina::core {
namespace {

const DatasetSpec& Diamonds() {
  static const DatasetSpec spec =
      spec::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml").value();
  return spec;
}

constexpr const char* kGoodItem =
    R"({"carat":0.5,"cut":"Fair","color":"E","clarity":"SI1","depth":61,"table":55,)"
    R"("price":400,"x":4.1,"y":4.2,"z":2.5})";

TEST(ParseItemBody, AcceptsAValidItemInSpecOrder) {
  FieldErrors errors;
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
  FieldErrors errors;
  const auto values = ParseItemBody(
      Diamonds(),
      R"({"carat":0,"cut":7,"color":"E","depth":61,"table":55,"price":1.5,"x":4,"y":4,"z":2,)"
      R"("id":3,"shine":true})",
      errors);
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(errors["carat"], "must be greater than 0");
  EXPECT_EQ(errors["cut"], "must be a string");
  EXPECT_EQ(errors["clarity"], "is required");
  EXPECT_EQ(errors["price"], "must be an integer");
  EXPECT_EQ(errors["shine"], "is not a field of this dataset");
  EXPECT_NE(errors["id"].find("must not be given"), std::string::npos);
  EXPECT_EQ(errors.size(), 6u);
}

TEST(ParseItemBody, RefusesNonObjects) {
  FieldErrors errors;
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

TEST(OpenApi, DescribesTheSpecFiltersSchemasAndSecurity) {
  const auto document = BuildOpenApi(Diamonds());
  EXPECT_EQ(document.at("openapi").as_string(), "3.1.0");
  const auto& paths = document.at("paths").as_object();
  for (const char* path :
       {"/catalog", "/catalog/{id}", "/healthz", "/readyz", "/openapi.json", "/docs", "/signup",
        "/login", "/token/refresh", "/me", "/users", "/users/{uid}"}) {
    EXPECT_TRUE(paths.contains(path)) << path;
  }
  std::vector<std::string> names;
  for (const auto& parameter : paths.at("/catalog").at("get").at("parameters").as_array()) {
    names.emplace_back(parameter.at("name").as_string());
  }
  for (const char* name : {"cut", "color", "clarity", "price_min", "price_max", "carat_min",
                           "z_max", "limit", "cursor"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  EXPECT_EQ(std::find(names.begin(), names.end(), "cut_min"), names.end());
  const auto& carat =
      document.at("components").at("schemas").at("Item").at("properties").at("carat");
  EXPECT_EQ(carat.at("exclusiveMinimum").to_number<double>(), 0.0);
  EXPECT_EQ(document.at("components").at("securitySchemes").at("bearerAuth").at("scheme"),
            "bearer");
  // Swagger UI's Authorize form logs in with the password grant against /login.
  EXPECT_EQ(document.at("components")
                .at("securitySchemes")
                .at("passwordLogin")
                .at("flows")
                .at("password")
                .at("tokenUrl"),
            "/login");
  EXPECT_EQ(paths.at("/catalog").at("post").at("security").as_array().size(), 2u);
  EXPECT_TRUE(paths.at("/catalog").at("post").as_object().contains("security"));
  EXPECT_FALSE(paths.at("/catalog").at("get").as_object().contains("security"));
}

}  // namespace
}  // namespace vitrina::core
