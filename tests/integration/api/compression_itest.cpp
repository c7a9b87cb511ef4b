// Compressed catalog answers over real HTTP (issue #17): the real `vitrina serve`, PostgreSQL and
// a Redis of the suite's own. Negotiation, Vary, ETags per coding and 304, bodies that decode to
// the identity bytes, hits that cost no compression (the server's own counters), invalidation of
// every variant, HEAD, small answers, the background recompression and the static files.
#include <chrono>
#include <regex>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/api_harness.hpp"
#include "support/own_redis_api_suite.hpp"
#include "support/test_env.hpp"
#include "vitrina/http/compression.hpp"

namespace vitrina::itest {
namespace {

using namespace std::chrono_literals;
using http::core::ContentCoding;

constexpr const char* kToken = "itest-compression-admin-token";

class CompressionApi : public OwnRedisApiSuite<CompressionApi> {
 protected:
  // Fast level only: the variant a test sees first stays the stored one (its ETag is stable).
  static void SetUpTestSuite() {
    StartSuite("vitrina_api_itest_compression", 400, /*append_only=*/false, kToken,
               {{"CACHE_RECOMPRESS_MIN_BYTES", "0"}});
  }

  static HttpReply Get(const std::string& target, const std::string& accept_encoding,
                       const ServerProcess* server = nullptr, const HeaderList& more = {}) {
    HeaderList headers = more;
    if (!accept_encoding.empty()) headers.emplace_back("Accept-Encoding", accept_encoding);
    return Fetch((server != nullptr ? server : server_)->port(), "GET", target, {}, headers);
  }
  static HttpReply Head(const std::string& target, const std::string& accept_encoding) {
    HttpClient client(server_->port());
    return client.Send("HEAD", target, {}, {{"Accept-Encoding", accept_encoding}});
  }
  // The body as the client reads it after undoing Content-Encoding.
  static std::string Decoded(const HttpReply& reply) {
    const auto coding = reply.Header("content-encoding");
    if (coding.empty()) return reply.body;
    const auto which = coding == "br" ? ContentCoding::kBrotli : ContentCoding::kGzip;
    EXPECT_TRUE(coding == "br" || coding == "gzip") << coding;
    auto decoded = http::Decompress(which, reply.body);
    EXPECT_TRUE(decoded.ok()) << "the " << coding << " body does not decode";
    return decoded.ok() ? *decoded : std::string();
  }
  // A measure of vitrina_cache_compression from /metrics (-1 when absent).
  static double Compression(const std::string& measure, const ServerProcess* server = nullptr) {
    const auto metrics =
        Fetch((server != nullptr ? server : server_)->port(), "GET", "/metrics").body;
    const std::regex line("vitrina_cache_compression\\{measure=\"" + measure + "\"\\} ([0-9.e+]+)");
    std::smatch match;
    return std::regex_search(metrics, match, line) ? std::stod(match[1]) : -1;
  }
};

TEST_F(CompressionApi, NegotiatesTheCodingAndEveryBodyDecodesToTheIdentityBytes) {
  const auto identity = Get("/catalog?cut=Fair", "");
  ASSERT_EQ(identity.status, 200u);
  ASSERT_GE(identity.body.size(), 1024u) << "the answer must be large enough to compress";
  EXPECT_EQ(identity.Header("content-encoding"), "");
  struct Case {
    std::string accept;
    std::string coding;  // expected Content-Encoding, empty for identity
  };
  const Case cases[] = {
      {"gzip", "gzip"},
      {"br", "br"},
      {"gzip, deflate, br", "br"},  // ties: br first
      {"br;q=0.5, gzip", "gzip"},
      {"gzip;q=0.2, br;q=0.9", "br"},
      {"*", "br"},
      {"br;q=0, *;q=0.5", "gzip"},
      {"identity", ""},
      {"deflate, compress", ""},
      {"gzip;q=0, br;q=0", ""},
      {"identity;q=0", ""},  // nothing acceptable: identity anyway (RFC 9110 12.5.3), not 406
      {"*;q=0", ""},
      {"GZIP", "gzip"},
  };
  for (const auto& [accept, coding] : cases) {
    // Twice: the first makes (or finds) the variant, the second is served as stored.
    for (int round = 0; round < 2; ++round) {
      const auto reply = Get("/catalog?cut=Fair", accept);
      ASSERT_EQ(reply.status, 200u) << accept;
      EXPECT_EQ(reply.Header("content-encoding"), coding) << accept;
      EXPECT_EQ(reply.Header("vary"), "Accept-Encoding") << accept;
      EXPECT_EQ(reply.Header("x-cache-key"), "catalog:cut=Fair") << accept;
      if (!coding.empty()) {
        EXPECT_LT(reply.body.size(), identity.body.size() / 2) << accept;
      }
      EXPECT_TRUE(Decoded(reply) == identity.body) << accept << ": decoded body differs";
      if (round == 1) {
        EXPECT_EQ(reply.Header("x-cache"), "HIT") << accept;
      }
    }
  }
}

TEST_F(CompressionApi, EachCodingHasItsOwnEtagAndRevalidatesTo304) {
  const std::string target = "/catalog?cut=Ideal";
  const auto identity = Get(target, "");
  const auto gzip = Get(target, "gzip");
  const auto br = Get(target, "br");
  ASSERT_EQ(gzip.Header("content-encoding"), "gzip");
  ASSERT_EQ(br.Header("content-encoding"), "br");
  const auto identity_tag = identity.Header("etag");
  const auto gzip_tag = gzip.Header("etag");
  const auto br_tag = br.Header("etag");
  EXPECT_NE(identity_tag, gzip_tag);
  EXPECT_NE(identity_tag, br_tag);
  EXPECT_NE(gzip_tag, br_tag);
  const std::pair<std::string, std::string> pairs[] = {
      {"", identity_tag}, {"gzip", gzip_tag}, {"br", br_tag}};
  for (const auto& [accept, tag] : pairs) {
    const auto again = Get(target, accept, nullptr, {{"If-None-Match", tag}});
    EXPECT_EQ(again.status, 304u) << accept;
    EXPECT_EQ(again.Header("etag"), tag) << accept;
    EXPECT_EQ(again.Header("vary"), "Accept-Encoding") << accept;
    EXPECT_TRUE(again.body.empty()) << accept;
  }
  // A tag of another coding is another representation: the full answer.
  const auto other = Get(target, "br", nullptr, {{"If-None-Match", gzip_tag}});
  EXPECT_EQ(other.status, 200u);
  EXPECT_EQ(other.Header("etag"), br_tag);
}

TEST_F(CompressionApi, ACachedCompressedAnswerIsSentWithoutCompressingAgain) {
  const double before = Compression("compressions");
  ASSERT_GE(before, 0) << "vitrina_cache_compression is missing from /metrics";
  const auto first = Get("/catalog?color=E", "gzip");
  ASSERT_EQ(first.Header("content-encoding"), "gzip");
  EXPECT_EQ(first.Header("x-cache"), "MISS");
  EXPECT_EQ(Compression("compressions"), before + 1);
  const double hits_before = Compression("variant_hits");
  for (int i = 0; i < 5; ++i) {
    const auto hit = Get("/catalog?color=E", "gzip");
    EXPECT_EQ(hit.Header("x-cache"), "HIT");
    EXPECT_EQ(hit.Header("etag"), first.Header("etag"));
    EXPECT_TRUE(hit.body == first.body);
  }
  EXPECT_EQ(Compression("compressions"), before + 1) << "a HIT compressed the body again";
  EXPECT_EQ(Compression("variant_hits"), hits_before + 5);
  // Another coding of the same entry is made once too.
  ASSERT_EQ(Get("/catalog?color=E", "br").Header("x-cache"), "MISS");
  ASSERT_EQ(Get("/catalog?color=E", "br").Header("x-cache"), "HIT");
  EXPECT_EQ(Compression("compressions"), before + 2);
}

TEST_F(CompressionApi, AWriteRemovesEveryVariantAndEachCodingIsFreshAfterwards) {
  const std::string target = "/catalog?cut=Fair";
  for (const std::string accept : {"", "gzip", "br"}) {
    Get(target, accept);
    ASSERT_EQ(Get(target, accept).Header("x-cache"), "HIT") << accept;
  }
  const auto before = Get(target, "").Json().at("count").as_int64();
  EXPECT_EQ(redis_->Exists("{catalog:cut=Fair}:gzip"), "1");
  EXPECT_EQ(redis_->Exists("{catalog:cut=Fair}:br"), "1");

  const auto created = Fetch(
      server_->port(), "POST", "/catalog",
      R"({"carat":1.1,"cut":"Fair","color":"E","clarity":"VS1","depth":61.7,)"
      R"("table":56,"price":900,"x":6.9,"y":6.95,"z":4.28})",
      {{"Authorization", std::string("Bearer ") + kToken}, {"Content-Type", "application/json"}});
  ASSERT_EQ(created.status, 201u) << created.body;
  const auto id = created.Json().at("id").as_int64();
  EXPECT_EQ(redis_->Exists("catalog:cut=Fair"), "0");
  EXPECT_EQ(redis_->Exists("{catalog:cut=Fair}:gzip"), "0");
  EXPECT_EQ(redis_->Exists("{catalog:cut=Fair}:br"), "0");

  // Identity first: a compressed request would store the entry it is made from.
  std::string identity;
  for (const std::string accept : {"", "br", "gzip"}) {
    const auto reply = Get(target, accept);
    EXPECT_EQ(reply.Header("x-cache"), "MISS") << accept;
    const auto body = Decoded(reply);
    const auto json = boost::json::parse(body);
    EXPECT_EQ(json.at("count").as_int64(), before + 1) << accept;
    EXPECT_NE(body.find("\"id\":" + std::to_string(id)), std::string::npos) << accept;
    if (accept.empty()) identity = body;
  }
  for (const std::string accept : {"br", "gzip"}) {
    const auto hit = Get(target, accept);
    EXPECT_EQ(hit.Header("x-cache"), "HIT") << accept;
    EXPECT_TRUE(Decoded(hit) == identity) << accept;
  }
}

TEST_F(CompressionApi, HeadAnnouncesTheCompressedAnswer) {
  const auto get = Get("/catalog?cut=Good", "gzip");
  ASSERT_EQ(get.Header("content-encoding"), "gzip");
  const auto head = Head("/catalog?cut=Good", "gzip");
  EXPECT_EQ(head.status, 200u);
  EXPECT_EQ(head.Header("content-encoding"), "gzip");
  EXPECT_EQ(head.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(head.Header("etag"), get.Header("etag"));
  EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
  EXPECT_TRUE(head.body.empty());
}

TEST_F(CompressionApi, SmallAnswersAreNotCompressed) {
  const auto small = Get("/catalog?limit=1", "gzip, br");
  ASSERT_EQ(small.status, 200u);
  ASSERT_LT(small.body.size(), 1024u);
  EXPECT_EQ(small.Header("content-encoding"), "");
  EXPECT_EQ(small.Header("vary"), "Accept-Encoding");
  EXPECT_EQ(Get("/catalog?limit=1", "gzip, br").Header("x-cache"), "HIT");
  EXPECT_EQ(redis_->Exists("{catalog:limit=1}:br"), "0");
  // A client refusing identity gets its coding even for a small answer.
  const auto forced = Get("/catalog?limit=1", "gzip, identity;q=0");
  EXPECT_EQ(forced.Header("content-encoding"), "gzip");
  EXPECT_TRUE(Decoded(forced) == small.body);
}

TEST_F(CompressionApi, ALargeAnswersFastVariantIsReplacedByASmallerOneInTheBackground) {
  ServerProcess recompressing(Env({{"CACHE_RECOMPRESS_MIN_BYTES", "1"}}), FreePort());
  const auto identity = Get("/catalog", "", &recompressing);
  const auto fast = Get("/catalog", "br", &recompressing);
  ASSERT_EQ(fast.Header("content-encoding"), "br");
  ASSERT_TRUE(WaitUntil([&] { return Compression("recompressions", &recompressing) >= 1; }, 30s))
      << "no background recompression";
  const auto smaller = Get("/catalog", "br", &recompressing);
  EXPECT_EQ(smaller.Header("x-cache"), "HIT");
  EXPECT_NE(smaller.Header("etag"), fast.Header("etag"));
  EXPECT_LT(smaller.body.size(), fast.body.size());
  EXPECT_TRUE(Decoded(smaller) == identity.body);
  EXPECT_EQ(Compression("compressions", &recompressing), 1);
}

TEST_F(CompressionApi, StaticFilesAreServedPrecompressed) {
  // The Swagger page is under 1 KiB: nothing made for it, identity whatever is asked.
  for (const std::string accept : {"gzip, deflate", "gzip, deflate, br", "*", "br"}) {
    const auto page = Get("/docs", accept);
    ASSERT_EQ(page.status, 200u) << accept;
    EXPECT_EQ(page.Header("content-encoding"), "") << accept;
    EXPECT_NE(page.body.find("swagger-ui"), std::string::npos) << accept;
  }
  for (const std::string path : {"/", "/docs/swagger-ui-bundle.js", "/openapi.json"}) {
    const auto plain = Get(path, "");
    ASSERT_EQ(plain.status, 200u) << path;
    EXPECT_EQ(plain.Header("vary"), "Accept-Encoding") << path;
    for (const std::string coding : {"gzip", "br"}) {
      const auto reply = Get(path, coding);
      EXPECT_EQ(reply.Header("content-encoding"), coding) << path;
      EXPECT_LT(reply.body.size(), plain.body.size()) << path;
      EXPECT_TRUE(Decoded(reply) == plain.body) << path << " " << coding;
    }
  }
}

}  // namespace
}  // namespace vitrina::itest
