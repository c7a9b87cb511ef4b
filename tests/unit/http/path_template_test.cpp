#include "vitrina/http/core/path_template.hpp"

#include <gtest/gtest.h>

namespace vitrina::http::core {
namespace {

TEST(PathTemplate, MatchesLiteralsAndCaptures) {
  const auto route = PathTemplate::Parse("/catalog/{id}").value();
  PathParams params;
  EXPECT_TRUE(route.Match("/catalog/12", params));
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0], (std::pair<std::string, std::string>("id", "12")));
  params.clear();
  EXPECT_FALSE(route.Match("/catalog/", params));
  EXPECT_FALSE(route.Match("/catalog", params));
  EXPECT_FALSE(route.Match("/catalog/1/2", params));
  EXPECT_TRUE(params.empty());
  EXPECT_TRUE(PathTemplate::Parse("/catalog")->Match("/catalog", params));
  EXPECT_FALSE(PathTemplate::Parse("/catalog")->Match("/catalog/", params));
  EXPECT_FALSE(PathTemplate::Parse("catalog"));
  EXPECT_FALSE(PathTemplate::Parse("/a/{b"));
  EXPECT_FALSE(PathTemplate::Parse("/a/x{b}"));
}

}  // namespace
}  // namespace vitrina::http::core
