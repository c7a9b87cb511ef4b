#include "vitrina/etl/core/adf_pipeline.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

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
