// The status line and header section the server writes for every response.
#include "vitrina/http/core/response_head.hpp"

#include <gtest/gtest.h>

namespace vitrina::http::core {
namespace {

std::string HeadOf(const Response& response, const ResponseFraming& framing) {
  std::string out = "left as it was|";
  AppendResponseHead(out, response, framing);
  EXPECT_TRUE(out.starts_with("left as it was|")) << "appends, never replaces";
  return out.substr(std::string_view("left as it was|").size());
}

TEST(ResponseHead, WritesStatusFieldsInOrderThenTheFraming) {
  Response response = Response::Json(200, std::string("{}"));
  response.headers = {{"ETag", "\"abc\""}, {"X-Cache", "HIT"}};
  const Headers shared = {{"Access-Control-Allow-Origin", "https://app.example"}};
  response.shared_headers = &shared;
  EXPECT_EQ(HeadOf(response, {.version = 11, .keep_alive = true, .content_length = 2}),
            "HTTP/1.1 200 OK\r\n"
            "Content-Type: application/json\r\n"
            "ETag: \"abc\"\r\n"
            "X-Cache: HIT\r\n"
            "Access-Control-Allow-Origin: https://app.example\r\n"
            "Content-Length: 2\r\n"
            "\r\n");
}

TEST(ResponseHead, SaysConnectionOnlyWhereTheVersionsDefaultDiffers) {
  const Response response = Response::Json(404, std::string("{}"));
  // HTTP/1.1 is persistent by default, HTTP/1.0 is not (RFC 9112 section 9.3).
  EXPECT_EQ(HeadOf(response, {.version = 11, .keep_alive = false, .content_length = 2}),
            "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nConnection: "
            "close\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(HeadOf(response, {.version = 10, .keep_alive = true, .content_length = 2}),
            "HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\nConnection: "
            "keep-alive\r\nContent-Length: 2\r\n\r\n");
  EXPECT_EQ(HeadOf(response, {.version = 10, .keep_alive = false, .content_length = 2}),
            "HTTP/1.0 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: "
            "2\r\n\r\n");
}

TEST(ResponseHead, AStreamIsChunkedWithoutLength) {
  Response response;
  response.content_type = "application/x-ndjson";
  EXPECT_EQ(
      HeadOf(response,
             {.version = 11, .keep_alive = true, .content_length = std::nullopt, .chunked = true}),
      "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: "
      "chunked\r\n\r\n");
}

TEST(ResponseHead, AnEmpty204HasNoContentType) {
  Response response;
  response.status = 204;
  EXPECT_EQ(HeadOf(response, {.version = 11, .keep_alive = true, .content_length = std::nullopt}),
            "HTTP/1.1 204 No Content\r\n\r\n");
}

TEST(ResponseHead, ReasonPhrases) {
  EXPECT_EQ(ReasonPhrase(304), "Not Modified");
  EXPECT_EQ(ReasonPhrase(413), "Content Too Large");
  EXPECT_EQ(ReasonPhrase(429), "Too Many Requests");
  EXPECT_EQ(ReasonPhrase(503), "Service Unavailable");
  Response odd;
  odd.status = 299;  // not listed: an empty reason phrase, which RFC 9112 allows
  EXPECT_TRUE(ReasonPhrase(299).empty());
  EXPECT_EQ(HeadOf(odd, {.version = 11, .keep_alive = true, .content_length = 0}),
            "HTTP/1.1 299 \r\nContent-Type: application/json\r\nContent-Length: 0\r\n\r\n");
}

}  // namespace
}  // namespace vitrina::http::core
