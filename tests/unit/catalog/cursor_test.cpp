#include "vitrina/catalog/core/cursor.hpp"

#include <gtest/gtest.h>

#include "vitrina/base/base64url.hpp"

namespace vitrina::catalog::core {
namespace {

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

TEST(SortedCursor, RoundTripsWithNullsAndAnyText) {
  const std::vector<SortedCursor> cursors = {
      {"-price", {"500"}, 7},
      {"cut,-carat", {"Very Good", "0.23"}, 53940},
      {"cut", {std::nullopt}, 0},
      {"-id", {}, 12},
      {"cut", {"a \"quoted\" : value, with ] and \\ and \u00e9"}, 1},
  };
  for (const auto& cursor : cursors) {
    const auto text = EncodeSortedCursor(cursor);
    EXPECT_EQ(DecodeSortedCursor(text), cursor) << text;
    EXPECT_FALSE(DecodeCursor(text));  // not a v1 cursor
  }
  EXPECT_FALSE(DecodeSortedCursor(EncodeCursor(7)));
}

TEST(SortedCursor, RefusesEveryOtherSpelling) {
  const auto encode = [](std::string_view text) {
    return base::Base64UrlEncode(std::string(text));
  };
  EXPECT_TRUE(DecodeSortedCursor(encode(R"(v2:-price:["500",7])")));
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:[ "500",7])")));   // whitespace
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:["500",07])")));   // not JSON
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:["500",7.0])")));  // id not an integer
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:["500",-7])")));
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:["500","7"])")));
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:[500,7])")));       // values are strings
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:["\u0035",7])")));  // a needless escape
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price:[])")));
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v2:-price["500",7])")));
  EXPECT_FALSE(DecodeSortedCursor(encode(R"(v3:-price:["500",7])")));
  EXPECT_FALSE(DecodeSortedCursor(EncodeSortedCursor({"-price", {"500"}, 7}) + "="));
  EXPECT_FALSE(DecodeSortedCursor(std::string(kMaxCursorLength + 1, 'A')));
}

}  // namespace
}  // namespace vitrina::catalog::core
