#include "vitrina/api/core/openapi.hpp"

#include <algorithm>

#include <gtest/gtest.h>

#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::api::core {
namespace {

namespace json = boost::json;

const catalog::core::DatasetSpec& Diamonds() {
  static const catalog::core::DatasetSpec spec =
      catalog::LoadSpecFile(std::string(VITRINA_SOURCE_DIR) + "/datasets/diamonds.yaml").value();
  return spec;
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
                           "z_max", "limit", "cursor", "sort", "fields"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  }
  for (const auto& parameter : paths.at("/catalog").at("get").at("parameters").as_array()) {
    if (parameter.at("name") != "sort") continue;
    const std::string description(parameter.at("description").as_string());
    EXPECT_NE(description.find("Sortable: id, carat, cut, color, clarity, depth, table, price"),
              std::string::npos)
        << description;
  }
  EXPECT_TRUE(document.at("components")
                  .at("schemas")
                  .at("CatalogPage")
                  .at("properties")
                  .as_object()
                  .contains("total"));
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

TEST(OpenApi, SaysWhatDownstreamCachesMayKeep) {
  const auto document = BuildOpenApi(Diamonds());
  const auto& paths = document.at("paths");
  const auto cache_control = [&](const char* path, const char* method, const char* status) {
    return paths.at(path).at(method).at("responses").at(status).at("headers").at("Cache-Control");
  };
  const json::value reads = {{"$ref", "#/components/headers/CatalogCacheControl"}};
  const json::value no_store = {{"$ref", "#/components/headers/NoStore"}};
  EXPECT_EQ(cache_control("/catalog", "get", "200"), reads);
  EXPECT_EQ(cache_control("/catalog/{id}", "get", "200"), reads);
  EXPECT_EQ(cache_control("/catalog/facets", "get", "200"), reads);
  EXPECT_EQ(cache_control("/catalog", "post", "201"), no_store);
  EXPECT_EQ(cache_control("/login", "post", "200"), no_store);
  EXPECT_EQ(cache_control("/me", "get", "200"), no_store);
  EXPECT_EQ(
      document.at("components").at("responses").at("NotFound").at("headers").at("Cache-Control"),
      no_store);
  const auto& list = paths.at("/catalog").at("get").at("responses").at("200").at("headers");
  for (const char* header : {"ETag", "X-Cache", "X-Cache-Key"}) {
    EXPECT_TRUE(list.as_object().contains(header)) << header;
  }
  const std::string description(document.at("info").at("description").as_string());
  EXPECT_NE(description.find("CORS_ALLOWED_ORIGINS"), std::string::npos);
}

}  // namespace
}  // namespace vitrina::api::core
