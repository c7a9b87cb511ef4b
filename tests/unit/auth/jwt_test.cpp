#include "vitrina/auth/core/jwt.hpp"

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "vitrina/base/base64url.hpp"

namespace vitrina::auth::core {
namespace {

std::string Segment(std::string_view json) { return base::Base64UrlEncode(json); }

std::string Token(std::string_view header, std::string_view payload, std::string_view signature) {
  return Segment(header) + "." + Segment(payload) + "." + base::Base64UrlEncode(signature);
}

std::string DetailOf(const base::Result<JwtParts>& result) {
  return result.ok() ? "" : result.error().detail;
}

TEST(ParseJwt, SplitsAWellFormedToken) {
  const auto token = Token(R"({"alg":"RS256","kid":"k1"})", R"({"sub":"u1"})", "sig");
  auto parts = ParseJwt(token);
  ASSERT_TRUE(parts.ok()) << DetailOf(parts);
  EXPECT_EQ(parts->header.at("kid").as_string(), "k1");
  EXPECT_EQ(parts->payload.at("sub").as_string(), "u1");
  EXPECT_EQ(parts->signature, "sig");
  EXPECT_EQ(parts->signing_input, token.substr(0, token.rfind('.')));
}

TEST(ParseJwt, AcceptsAnEmptySignatureSegment) {
  auto parts = ParseJwt(Token(R"({"alg":"none"})", R"({})", ""));
  ASSERT_TRUE(parts.ok());
  EXPECT_TRUE(parts->signature.empty());
}

TEST(ParseJwt, RefusesAnythingButExactlyThreeSegments) {
  const auto h = Segment(R"({"alg":"none"})");
  const auto p = Segment(R"({})");
  for (const auto& token :
       {std::string(), h, h + "." + p, h + "." + p + "..", h + "." + p + ".a.b"}) {
    auto parts = ParseJwt(token);
    ASSERT_FALSE(parts.ok()) << token;
    EXPECT_EQ(parts.error().code, base::ErrorCode::kUnauthenticated);
    EXPECT_EQ(parts.error().message, kInvalidTokenMessage);
  }
}

TEST(ParseJwt, RefusesEmptyHeaderOrPayload) {
  EXPECT_FALSE(ParseJwt("." + Segment("{}") + ".").ok());
  EXPECT_FALSE(ParseJwt(Segment("{}") + "..").ok());
}

TEST(ParseJwt, RefusesInvalidBase64UrlInAnySegment) {
  const auto h = Segment(R"({"alg":"none"})");
  const auto p = Segment(R"({})");
  EXPECT_FALSE(ParseJwt(h + "=." + p + ".").ok());
  EXPECT_FALSE(ParseJwt(h + "." + p + "+.").ok());
  EXPECT_FALSE(ParseJwt(h + "." + p + ".a/b").ok());
}

TEST(ParseJwt, RefusesJsonThatIsNotAnObject) {
  EXPECT_FALSE(ParseJwt(Token(R"(["alg"])", "{}", "")).ok());
  EXPECT_FALSE(ParseJwt(Token(R"({"alg":"none"})", "42", "")).ok());
  EXPECT_FALSE(ParseJwt(Token(R"({"alg":)", "{}", "")).ok());
  EXPECT_FALSE(ParseJwt(Token(R"({"alg":"none"} trailing)", "{}", "")).ok());
}

TEST(ParseJwt, RefusesOversizedTokensBeforeDecoding) {
  const std::string payload = R"({"pad":")" + std::string(kMaxJwtSize, 'x') + R"("})";
  auto parts = ParseJwt(Token(R"({"alg":"none"})", payload, ""));
  ASSERT_FALSE(parts.ok());
  EXPECT_NE(parts.error().detail.find("exceeds the limit"), std::string::npos);
}

TEST(SelectSignatureMode, ProductionAlwaysVerifiesSignatures) {
  EXPECT_EQ(SelectSignatureMode("production", false).value(), SignatureMode::kRs256);
  EXPECT_EQ(SelectSignatureMode("development", false).value(), SignatureMode::kRs256);
}

TEST(SelectSignatureMode, EmulatorIsAllowedOnlyInDevelopment) {
  EXPECT_EQ(SelectSignatureMode("development", true).value(), SignatureMode::kUnsignedEmulator);
  EXPECT_FALSE(SelectSignatureMode("test", true).ok());  // not one of VITRINA_ENV's values
}

TEST(SelectSignatureMode, EmulatorInProductionIsRefusedWithAClearMessage) {
  for (const auto* environment : {"production", "staging", ""}) {
    auto mode = SelectSignatureMode(environment, true);
    ASSERT_FALSE(mode.ok()) << environment;
    EXPECT_EQ(mode.error().code, base::ErrorCode::kInvalidArgument);
    EXPECT_NE(mode.error().message.find("refusing to accept unsigned"), std::string::npos);
    EXPECT_NE(mode.error().message.find("FIREBASE_AUTH_EMULATOR_HOST"), std::string::npos);
  }
}

base::Result<JwtHeader> HeaderCheck(std::string_view header, std::string_view signature,
                                    SignatureMode mode) {
  static std::string token;  // signing_input views it
  token = Token(header, "{}", signature);
  auto parts = ParseJwt(token);
  EXPECT_TRUE(parts.ok());
  return CheckJwtHeader(*parts, mode);
}

TEST(CheckJwtHeader, ProductionAcceptsRs256WithAKid) {
  auto header =
      HeaderCheck(R"({"alg":"RS256","kid":"abc","typ":"JWT"})", "sig", SignatureMode::kRs256);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->kid, "abc");
}

TEST(CheckJwtHeader, ProductionRefusesOtherAlgorithms) {
  for (const auto* alg : {"none", "None", "HS256", "RS384", "ES256", "PS256", "rs256", ""}) {
    const auto header = std::string(R"({"alg":")") + alg + R"(","kid":"abc"})";
    auto result = HeaderCheck(header, "sig", SignatureMode::kRs256);
    ASSERT_FALSE(result.ok()) << alg;
    EXPECT_EQ(result.error().message, kInvalidTokenMessage);
  }
  EXPECT_FALSE(HeaderCheck(R"({"kid":"abc"})", "sig", SignatureMode::kRs256).ok());
  EXPECT_FALSE(HeaderCheck(R"({"alg":["RS256"],"kid":"abc"})", "sig", SignatureMode::kRs256).ok());
}

TEST(CheckJwtHeader, ProductionRequiresAShortStringKid) {
  EXPECT_FALSE(HeaderCheck(R"({"alg":"RS256"})", "sig", SignatureMode::kRs256).ok());
  EXPECT_FALSE(HeaderCheck(R"({"alg":"RS256","kid":""})", "sig", SignatureMode::kRs256).ok());
  EXPECT_FALSE(HeaderCheck(R"({"alg":"RS256","kid":7})", "sig", SignatureMode::kRs256).ok());
  const auto long_kid = R"({"alg":"RS256","kid":")" + std::string(129, 'k') + R"("})";
  EXPECT_FALSE(HeaderCheck(long_kid, "sig", SignatureMode::kRs256).ok());
}

TEST(CheckJwtHeader, CritIsRefusedInEveryMode) {
  EXPECT_FALSE(
      HeaderCheck(R"({"alg":"RS256","kid":"k","crit":["b64"]})", "s", SignatureMode::kRs256).ok());
  EXPECT_FALSE(
      HeaderCheck(R"({"alg":"none","crit":["b64"]})", "", SignatureMode::kUnsignedEmulator).ok());
}

TEST(CheckJwtHeader, EmulatorModeAcceptsOnlyUnsignedNoneTokens) {
  EXPECT_TRUE(
      HeaderCheck(R"({"alg":"none","typ":"JWT"})", "", SignatureMode::kUnsignedEmulator).ok());
  EXPECT_FALSE(HeaderCheck(R"({"alg":"none"})", "sig", SignatureMode::kUnsignedEmulator).ok());
  EXPECT_FALSE(
      HeaderCheck(R"({"alg":"RS256","kid":"k"})", "sig", SignatureMode::kUnsignedEmulator).ok());
  EXPECT_FALSE(HeaderCheck(R"({"alg":"HS256"})", "", SignatureMode::kUnsignedEmulator).ok());
}

}  // namespace
}  // namespace vitrina::auth::core
