#include "vitrina/http/core/content_coding.hpp"

#include <gtest/gtest.h>

namespace vitrina::http::core {
namespace {

ContentCoding Best(std::optional<std::string_view> header) {
  return ParseAcceptEncoding(header).best;
}

TEST(ParseAcceptEncoding, NoHeaderOrAnEmptyOneMeansIdentity) {
  EXPECT_EQ(Best(std::nullopt), ContentCoding::kIdentity);
  EXPECT_TRUE(ParseAcceptEncoding(std::nullopt).identity_acceptable);
  EXPECT_EQ(Best(""), ContentCoding::kIdentity);
  EXPECT_EQ(Best("  ,  "), ContentCoding::kIdentity);
  EXPECT_TRUE(ParseAcceptEncoding("").identity_acceptable);
}

TEST(ParseAcceptEncoding, PicksTheCodingsTheServerHas) {
  EXPECT_EQ(Best("gzip"), ContentCoding::kGzip);
  EXPECT_EQ(Best("br"), ContentCoding::kBrotli);
  EXPECT_EQ(Best("deflate"), ContentCoding::kIdentity);
  EXPECT_EQ(Best("zstd, deflate, gzip"), ContentCoding::kGzip);
  EXPECT_EQ(Best("compress, identity"), ContentCoding::kIdentity);
}

TEST(ParseAcceptEncoding, TiesPreferBrotliThenGzip) {
  EXPECT_EQ(Best("gzip, deflate, br"), ContentCoding::kBrotli);  // what browsers send
  EXPECT_EQ(Best("gzip, br"), ContentCoding::kBrotli);
  EXPECT_EQ(Best("br;q=0.5, gzip;q=0.5"), ContentCoding::kBrotli);
  EXPECT_EQ(Best("gzip, identity"), ContentCoding::kGzip);
  EXPECT_EQ(Best("*"), ContentCoding::kBrotli);
}

TEST(ParseAcceptEncoding, HonoursQValues) {
  EXPECT_EQ(Best("br;q=0.5, gzip"), ContentCoding::kGzip);
  EXPECT_EQ(Best("br;q=0.8, gzip;q=0.9"), ContentCoding::kGzip);
  // Identity not listed yields to any listed coding, however low its q.
  EXPECT_EQ(Best("br;q=0.001, gzip;q=0"), ContentCoding::kBrotli);
  EXPECT_EQ(Best("br;q=0.001, gzip;q=0, identity;q=0"), ContentCoding::kBrotli);
  EXPECT_EQ(Best("gzip;q=0.5, identity"), ContentCoding::kIdentity);
  EXPECT_EQ(Best("br;q=0, gzip;q=0"), ContentCoding::kIdentity);
  EXPECT_EQ(Best("gzip;q=1.0"), ContentCoding::kGzip);
  EXPECT_EQ(Best("gzip;q=1.000, br;q=0.999"), ContentCoding::kGzip);
}

TEST(ParseAcceptEncoding, WildcardCoversUnlistedCodingsOnly) {
  EXPECT_EQ(Best("gzip;q=0.2, *;q=0.5"), ContentCoding::kBrotli);  // br from *, 0.5
  EXPECT_EQ(Best("br;q=0, *"), ContentCoding::kGzip);
  EXPECT_EQ(Best("*;q=0, gzip"), ContentCoding::kGzip);
  const auto star_zero = ParseAcceptEncoding("*;q=0");
  EXPECT_EQ(star_zero.best, ContentCoding::kIdentity);
  EXPECT_FALSE(star_zero.identity_acceptable);
  const auto star_zero_identity = ParseAcceptEncoding("*;q=0, identity");
  EXPECT_EQ(star_zero_identity.best, ContentCoding::kIdentity);
  EXPECT_TRUE(star_zero_identity.identity_acceptable);
}

TEST(ParseAcceptEncoding, IdentityCanBeRefused) {
  const auto refused = ParseAcceptEncoding("identity;q=0");
  EXPECT_FALSE(refused.identity_acceptable);
  EXPECT_EQ(refused.best, ContentCoding::kIdentity);  // nothing acceptable: identity anyway
  const auto gzip_only = ParseAcceptEncoding("gzip, identity;q=0");
  EXPECT_FALSE(gzip_only.identity_acceptable);
  EXPECT_EQ(gzip_only.best, ContentCoding::kGzip);
}

TEST(ParseAcceptEncoding, SpellingIsLenientWhereTheGrammarAllows) {
  EXPECT_EQ(Best("GZIP"), ContentCoding::kGzip);
  EXPECT_EQ(Best("x-gzip"), ContentCoding::kGzip);
  EXPECT_EQ(Best(" br ; Q=0.7 , gzip ; q=0.6 "), ContentCoding::kBrotli);
  EXPECT_EQ(Best("gzip;level=9"), ContentCoding::kGzip);  // other parameters do not weigh
  // The same coding twice keeps its best weight.
  EXPECT_EQ(Best("gzip;q=0, gzip;q=0.5, br;q=0.4"), ContentCoding::kGzip);
}

TEST(ParseAcceptEncoding, MalformedQValuesIgnoreTheirMember) {
  for (const std::string_view header :
       {"br;q=2, gzip", "br;q=1.5, gzip", "br;q=0.5000, gzip", "br;q=, gzip", "br;q=abc, gzip",
        "br;q=-1, gzip", "br;q=.5, gzip"}) {
    EXPECT_EQ(Best(header), ContentCoding::kGzip) << header;
  }
}

TEST(ChooseContentCoding, SmallBodiesStayIdentityUnlessIdentityIsRefused) {
  const auto gzip = ParseAcceptEncoding("gzip");
  EXPECT_EQ(ChooseContentCoding(gzip, kCompressMinBytes - 1), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding(gzip, kCompressMinBytes), ContentCoding::kGzip);
  const auto gzip_only = ParseAcceptEncoding("gzip, identity;q=0");
  EXPECT_EQ(ChooseContentCoding(gzip_only, 10), ContentCoding::kGzip);
  EXPECT_EQ(ChooseContentCoding(ParseAcceptEncoding("identity;q=0"), 10), ContentCoding::kIdentity);
  EXPECT_EQ(ChooseContentCoding(ParseAcceptEncoding(std::nullopt), 1 << 20),
            ContentCoding::kIdentity);
}

TEST(ContentCodingName, IsTheHeaderToken) {
  EXPECT_EQ(ContentCodingName(ContentCoding::kIdentity), "identity");
  EXPECT_EQ(ContentCodingName(ContentCoding::kGzip), "gzip");
  EXPECT_EQ(ContentCodingName(ContentCoding::kBrotli), "br");
}

}  // namespace
}  // namespace vitrina::http::core
