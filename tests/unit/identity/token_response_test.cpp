#include "vitrina/identity/core/token_response.hpp"

#include <gtest/gtest.h>

#include "vitrina/base/base64url.hpp"

namespace vitrina::identity::core {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const Clock::time_point kNow = Clock::time_point(std::chrono::seconds(1'700'000'000));

std::string Jwt(const std::string& claims) {
  return base::Base64UrlEncode(R"({"alg":"RS256","typ":"JWT"})") + "." +
         base::Base64UrlEncode(claims) + ".c2lnbmF0dXJl";
}

TEST(TokenRequestUrl, CarriesTheApiVersionAndTheEncodedResource) {
  EXPECT_EQ(TokenRequestUrl("http://localhost:42356/msi/token", "https://storage.azure.com/", ""),
            "http://localhost:42356/msi/token?api-version=2019-08-01&resource="
            "https%3A%2F%2Fstorage.azure.com%2F");
  EXPECT_EQ(TokenRequestUrl("http://h/token?x=1", "https://redis.azure.com", "1234-ab"),
            "http://h/token?x=1&api-version=2019-08-01&resource=https%3A%2F%2Fredis.azure.com"
            "&client_id=1234-ab");
}

TEST(TokenResponse, ExpiresOnIsEpochSecondsAsAString) {
  const auto token = Jwt(R"({"aud":"https://redis.azure.com","oid":"5f1c-oid"})");
  auto parsed = ParseTokenResponse(
      R"({"access_token":")" + token +
          R"(","expires_on":"1700003600","resource":"https://redis.azure.com","token_type":"Bearer"})",
      kNow);
  ASSERT_TRUE(parsed.ok()) << parsed.error().detail;
  EXPECT_EQ(parsed->value, token);
  EXPECT_EQ(parsed->expires_on, kNow + 1h);
  EXPECT_EQ(parsed->object_id, "5f1c-oid");
}

TEST(TokenResponse, NumbersAndExpiresInAreAcceptedToo) {
  auto number = ParseTokenResponse(R"({"access_token":"opaque","expires_on":1700000600})", kNow);
  ASSERT_TRUE(number.ok());
  EXPECT_EQ(number->expires_on, kNow + 10min);
  EXPECT_TRUE(number->object_id.empty());  // not a JWT: no object id, no error
  auto relative = ParseTokenResponse(R"({"access_token":"opaque","expires_in":"3599"})", kNow);
  ASSERT_TRUE(relative.ok());
  EXPECT_EQ(relative->expires_on, kNow + 3599s);
}

TEST(TokenResponse, UnusableAnswersAreErrorsThatSayWhy) {
  const std::pair<const char*, const char*> cases[] = {
      {"not json", "not JSON"},
      {R"({"expires_on":"1700003600"})", "no access_token"},
      {R"({"access_token":"t"})", "neither expires_on nor expires_in"},
      {R"({"access_token":"t","expires_on":"soon"})", "neither expires_on nor expires_in"},
      {R"({"access_token":"t","expires_on":"1699999999"})", "expired"},
  };
  for (const auto& [body, reason] : cases) {
    auto parsed = ParseTokenResponse(body, kNow);
    ASSERT_FALSE(parsed.ok()) << body;
    EXPECT_EQ(parsed.error().code, base::ErrorCode::kUnavailable);
    EXPECT_NE(parsed.error().detail.find(reason), std::string::npos)
        << body << ": " << parsed.error().detail;
  }
}

TEST(TokenObjectId, ReadsTheOidClaimOfAJwtOnly) {
  EXPECT_EQ(TokenObjectId(Jwt(R"({"oid":"abc"})")), "abc");
  EXPECT_EQ(TokenObjectId(Jwt(R"({"sub":"abc"})")), "");
  EXPECT_EQ(TokenObjectId(Jwt(R"({"oid":42})")), "");
  EXPECT_EQ(TokenObjectId("opaque"), "");
  EXPECT_EQ(TokenObjectId("a.%%%.c"), "");
}

}  // namespace
}  // namespace vitrina::identity::core
