#include <gtest/gtest.h>

#include "vitrina/base/base64url.hpp"

namespace vitrina::base {
namespace {

TEST(Base64Url, EncodesWithoutPaddingInTheUrlSafeAlphabet) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("foob"), "Zm9vYg");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff\xbf"), "-_-_");
}

TEST(Base64Url, DecodesWhatItEncodes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t n = 0; n <= all.size(); n += 17) {
    const auto input = all.substr(0, n);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(input)), input);
  }
}

TEST(Base64Url, RefusesPaddingStandardAlphabetAndWhitespace) {
  EXPECT_FALSE(Base64UrlDecode("Zg=="));
  EXPECT_FALSE(Base64UrlDecode("+/+/"));
  EXPECT_FALSE(Base64UrlDecode("Zm9v Yg"));
  EXPECT_FALSE(Base64UrlDecode("Zm9v\n"));
}

TEST(Base64Url, RefusesImpossibleLengthsAndNonCanonicalTrailingBits) {
  EXPECT_FALSE(Base64UrlDecode("Z"));
  EXPECT_FALSE(Base64UrlDecode("Zm9vY"));
  EXPECT_TRUE(Base64UrlDecode("Zg"));
  EXPECT_FALSE(Base64UrlDecode("Zh"));  // same byte as "Zg" with a stray low bit
  EXPECT_FALSE(Base64UrlDecode("Zm9"));
  EXPECT_TRUE(Base64UrlDecode("Zm8"));
}

}  // namespace
}  // namespace vitrina::base
