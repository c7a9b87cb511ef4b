#include "vitrina/core/query_string.hpp"

#include <gtest/gtest.h>

#include "vitrina/core/cursor.hpp"
#include "vitrina/core/path_template.hpp"

namespace vitrina::core {
namespace {

TEST(ParseQueryString, DecodesPairsInOrder) {
  const auto params = ParseQueryString("a=1&b=x+y&c=%41%2b&&d&e=").value();
  ASSERT_EQ(params.size(), 5u);
  EXPECT_EQ(params[0].name, "a");
  EXPECT_EQ(params[1].value, "x y");
  EXPECT_EQ(params[2].value, "A+");
  EXPECT_EQ(params[3].name, "d");
  EXPECT_EQ(params[3].value, "");
  EXPECT_EQ(params[4].value, "");
}

TEST(ParseQueryString, RefusesBrokenPercentEncodingNulAndBadUtf8) {
  for (const char* raw : {"a=%", "a=%4", "a=%G1", "%zz=1", "a=%00", "a=%80", "a=\xff"}) {
    const auto params = ParseQueryString(raw);
    EXPECT_FALSE(params.ok()) << raw;
    if (!params.ok()) {
      EXPECT_EQ(params.error().code, ErrorCode::kInvalidArgument);
    }
  }
  EXPECT_TRUE(ParseQueryString("a=%C3%A9").ok());
}

TEST(PercentEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(PercentEncode("Very Good/+é"), "Very%20Good%2F%2B%C3%A9");
  EXPECT_EQ(PercentEncode("a-b_c.d~"), "a-b_c.d~");
}

TEST(Cursor, RoundTripsAndRefusesOtherSpellings) {
  for (const std::int64_t id : {0L, 1L, 42L, 53940L, 9223372036854775807L}) {
    EXPECT_EQ(DecodeCursor(EncodeCursor(id)), id);
  }
  EXPECT_FALSE(DecodeCursor(""));
  EXPECT_FALSE(DecodeCursor("abc!"));
  EXPECT_FALSE(DecodeCursor("NDI"));       // "42" without the version prefix
  EXPECT_FALSE(DecodeCursor("djE6LTE"));   // "v1:-1"
  EXPECT_FALSE(DecodeCursor("djE6MDQy"));  // "v1:042"
  EXPECT_FALSE(DecodeCursor(EncodeCursor(42) + "="));
}

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
}  // namespace vitrina::core
