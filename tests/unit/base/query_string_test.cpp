#include "vitrina/base/query_string.hpp"

#include <gtest/gtest.h>

namespace vitrina::base {
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

}  // namespace
}  // namespace vitrina::base
