#include "vitrina/catalog/core/cursor.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vitrina::catalog::core
