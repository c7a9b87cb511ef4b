#include "vitrina/http/core/framing.hpp"

#include <gtest/gtest.h>

namespace vitrina::http::core {
namespace {

RequestFraming Http11(std::vector<std::string_view> codings, bool content_length, int hosts = 1) {
  return {.version = 11,
          .transfer_codings = std::move(codings),
          .has_content_length = content_length,
          .host_fields = hosts};
}

TEST(CheckFraming, AcceptsPlainChunkedAndContentLengthRequests) {
  EXPECT_FALSE(CheckFraming(Http11({}, false)));
  EXPECT_FALSE(CheckFraming(Http11({}, true)));
  EXPECT_FALSE(CheckFraming(Http11({"chunked"}, false)));
  EXPECT_FALSE(CheckFraming(Http11({" Chunked "}, false)));
}

TEST(CheckFraming, AnyOtherTransferCodingIsNotImplemented) {
  for (const std::string_view coding : {"xchunked", "identity", "gzip, chunked", "chunked, gzip"}) {
    const auto refusal = CheckFraming(Http11({coding}, false));
    ASSERT_TRUE(refusal) << coding;
    EXPECT_EQ(refusal->code, base::ErrorCode::kNotImplemented) << coding;
  }
  const auto two_fields = CheckFraming(Http11({"chunked", "chunked"}, false));
  ASSERT_TRUE(two_fields);
  EXPECT_EQ(two_fields->code, base::ErrorCode::kNotImplemented);
}

TEST(CheckFraming, TransferEncodingWithContentLengthIsRefused) {
  const auto refusal = CheckFraming(Http11({"chunked"}, true));
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code, base::ErrorCode::kInvalidArgument);
  // An unknown coding is the stronger refusal, whatever else is there.
  EXPECT_EQ(CheckFraming(Http11({"identity"}, true))->code, base::ErrorCode::kNotImplemented);
}

TEST(CheckFraming, Http11NeedsExactlyOneHost) {
  EXPECT_EQ(CheckFraming(Http11({}, false, 0))->code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(CheckFraming(Http11({}, false, 2))->code, base::ErrorCode::kInvalidArgument);
  RequestFraming http10 = Http11({}, false, 0);
  http10.version = 10;
  EXPECT_FALSE(CheckFraming(http10));
}

TEST(IfNoneMatch, ExactTagsListsAndTheWildcard) {
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("*", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\", \"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches(" \"x\" ,\"abc\" ", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("\"x\", \"y\"", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("", "\"abc\""));
}

TEST(IfNoneMatch, ComparisonIsWeak) {
  EXPECT_TRUE(IfNoneMatchMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", "W/\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("W/\"abd\"", "\"abc\""));
}

TEST(IfNoneMatch, MalformedMembersMatchNothing) {
  EXPECT_FALSE(IfNoneMatchMatches("abc", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("\"abc", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("W/", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("**", "\"abc\""));
}

}  // namespace
}  // namespace vitrina::http::core
