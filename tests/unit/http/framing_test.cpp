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

TEST(ChunkedCoding, TheSizeLineIsLowerCaseHexWithoutLeadingZeros) {
  EXPECT_EQ(ChunkSizeLine(1), "1\r\n");
  EXPECT_EQ(ChunkSizeLine(10), "a\r\n");
  EXPECT_EQ(ChunkSizeLine(255), "ff\r\n");
  EXPECT_EQ(ChunkSizeLine(4096), "1000\r\n");
  EXPECT_EQ(ChunkSizeLine(std::size_t{0x12345678abcdef}), "12345678abcdef\r\n");
}

TEST(ChunkedCoding, AChunkIsItsSizeLineItsBytesAndACrlf) {
  EXPECT_EQ(EncodeChunk("hello, world"), "c\r\nhello, world\r\n");
  // An empty chunk would be read as the last one: nothing is written for no bytes.
  EXPECT_EQ(EncodeChunk(""), "");
  EXPECT_EQ(kLastChunk, "0\r\n\r\n");
  const std::string body = EncodeChunk("{\"items\":[") + EncodeChunk("1,2") +
                           EncodeChunk("],\"count\":2}") + std::string(kLastChunk);
  EXPECT_EQ(body, "a\r\n{\"items\":[\r\n3\r\n1,2\r\nc\r\n],\"count\":2}\r\n0\r\n\r\n");
}

}  // namespace
}  // namespace vitrina::http::core
