#include "vitrina/etl/core/adf_pipeline.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "vitrina/catalog/spec_file.hpp"

namespace vitrina::etl::core {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AdfPipeline, CommittedResourcesMatchTheDiamondsSpec) {
  auto spec = catalog::LoadSpecFile(VITRINA_SOURCE_DIR "/datasets/diamonds.yaml");
  ASSERT_TRUE(spec.ok());
  for (const auto& file : BuildAdfResources(*spec, AdfOptions{})) {
    EXPECT_EQ(ReadFile(VITRINA_SOURCE_DIR "/deploy/adf/" + file.path), file.content)
        << file.path << " is stale: run `vitrina adf export`";
  }
}

const GeneratedFile& FindFile(const std::vector<GeneratedFile>& files, const std::string& path) {
  const auto found = std::find_if(files.begin(), files.end(),
                                  [&](const GeneratedFile& file) { return file.path == path; });
  if (found == files.end()) throw std::runtime_error(path + " was not generated");
  return *found;
}

TEST(AdfPipeline, PostgresLinkedServiceIsVersion2WithItsPasswordInKeyVault) {
  auto spec = catalog::LoadSpecFile(VITRINA_SOURCE_DIR "/datasets/diamonds.yaml");
  ASSERT_TRUE(spec.ok());
  const auto files = BuildAdfResources(*spec, AdfOptions{});
  const auto postgres =
      boost::json::parse(FindFile(files, "linkedService/VitrinaPostgres.json").content);
  const auto& properties = postgres.at("properties");
  EXPECT_EQ(properties.at("type").as_string(), "AzurePostgreSql");
  EXPECT_EQ(properties.at("version").as_string(), "2.0");
  const auto& type_properties = properties.at("typeProperties").as_object();
  // Version 2.0 has discrete properties; 1.0's connection string must be gone.
  EXPECT_FALSE(type_properties.contains("connectionString"));
  EXPECT_EQ(type_properties.at("port").as_int64(), 5432);
  EXPECT_EQ(type_properties.at("database").as_string(), "vitrina");
  EXPECT_EQ(type_properties.at("sslMode").as_int64(), 3) << "require, like the API's sslmode";
  EXPECT_EQ(type_properties.at("authenticationType").as_string(), "Basic");
  const auto& password = type_properties.at("password");
  EXPECT_EQ(password.at("type").as_string(), "AzureKeyVaultSecret");
  EXPECT_EQ(password.at("store").at("referenceName").as_string(), "VitrinaKeyVault");
  EXPECT_EQ(password.at("secretName").as_string(), kAdfPostgresPasswordSecret);

  const auto blob =
      boost::json::parse(FindFile(files, "linkedService/VitrinaBlobStorage.json").content);
  const auto& connection = blob.at("properties").at("typeProperties").at("connectionString");
  EXPECT_EQ(connection.at("type").as_string(), "AzureKeyVaultSecret");
  EXPECT_EQ(connection.at("secretName").as_string(), kAdfStorageConnectionSecret);

  const auto vault =
      boost::json::parse(FindFile(files, "linkedService/VitrinaKeyVault.json").content);
  EXPECT_EQ(vault.at("properties").at("type").as_string(), "AzureKeyVault");
}

TEST(AdfPipeline, MapsEverySpecColumnByHeaderNameAndSkipsTheRest) {
  auto spec = catalog::ParseSpecYaml(R"(
name: books
columns:
  - {source: "#", skip: true}
  - {source: Title, name: title, type: string}
  - {source: Pages, name: pages, type: integer}
)",
                                     "books.yaml");
  ASSERT_TRUE(spec.ok());
  const auto files = BuildAdfResources(*spec, AdfOptions{});
  const auto pipeline = std::find_if(files.begin(), files.end(), [](const GeneratedFile& file) {
    return file.path == "pipeline/LoadBooks.json";
  });
  ASSERT_NE(pipeline, files.end());
  const auto json = boost::json::parse(pipeline->content);
  const auto& activities = json.at("properties").at("activities").as_array();
  ASSERT_EQ(activities.size(), 3U);
  const auto& mappings =
      activities[1].at("typeProperties").at("translator").at("mappings").as_array();
  ASSERT_EQ(mappings.size(), 2U);
  EXPECT_EQ(mappings[0].at("source").at("name").as_string(), "Title");
  EXPECT_EQ(mappings[0].at("sink").at("name").as_string(), "title");
  EXPECT_EQ(mappings[1].at("sink").at("name").as_string(), "pages");
}

}  // namespace
}  // namespace vitrina::etl::core
