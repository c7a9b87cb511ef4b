#include "vitrina/auth/core/jwt_claims.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "vitrina/auth/core/jwt.hpp"

namespace vitrina::auth::core {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::int64_t kNow = 1'800'000'000;
const system_clock::time_point kNowPoint{seconds(kNow)};

boost::json::object ValidClaims() {
  return boost::json::parse(R"({
    "iss": "https://securetoken.google.com/demo-vitrina",
    "aud": "demo-vitrina",
    "sub": "uid-123",
    "user_id": "uid-123",
    "iat": 1799999900,
    "auth_time": 1799999900,
    "exp": 1800003500,
    "email": "ada@example.com",
    "email_verified": true,
    "firebase": {"sign_in_provider": "password"}
  })")
      .as_object();
}

base::Result<VerifiedIdentity> Check(const boost::json::object& claims) {
  return CheckFirebaseClaims(claims, "demo-vitrina", kNowPoint);
}

void ExpectRefused(const boost::json::object& claims, std::string_view reason) {
  auto result = Check(claims);
  ASSERT_FALSE(result.ok()) << "expected refusal: " << reason;
  EXPECT_EQ(result.error().code, base::ErrorCode::kUnauthenticated);
  EXPECT_EQ(result.error().message, kInvalidTokenMessage);
  EXPECT_NE(result.error().detail.find(reason), std::string::npos) << result.error().detail;
}

TEST(CheckFirebaseClaims, AcceptsValidClaimsAndReturnsTheIdentity) {
  auto identity = Check(ValidClaims());
  ASSERT_TRUE(identity.ok()) << identity.error().detail;
  EXPECT_EQ(identity->uid, "uid-123");
  EXPECT_EQ(identity->email, "ada@example.com");
  EXPECT_TRUE(identity->email_verified);
  EXPECT_EQ(identity->sign_in_provider, "password");
  EXPECT_EQ(identity->expires_at, 1800003500);
  EXPECT_EQ(identity->issued_at, 1799999900);
}

TEST(CheckFirebaseClaims, EmailIsOptional) {
  auto claims = ValidClaims();
  claims.erase("email");
  claims.erase("email_verified");
  auto identity = Check(claims);
  ASSERT_TRUE(identity.ok());
  EXPECT_FALSE(identity->email);
  EXPECT_FALSE(identity->email_verified);
}

TEST(CheckFirebaseClaims, ExpiredTokensAreRefusedWithoutTolerance) {
  auto claims = ValidClaims();
  claims["exp"] = kNow;
  ExpectRefused(claims, "expired");
  claims["exp"] = kNow - 1;
  ExpectRefused(claims, "expired");
  claims["exp"] = kNow + 1;
  EXPECT_TRUE(Check(claims).ok());
}

TEST(CheckFirebaseClaims, MissingOrNonIntegerTimesAreRefused) {
  for (const auto* name : {"exp", "iat", "auth_time"}) {
    auto claims = ValidClaims();
    claims.erase(name);
    ExpectRefused(claims, name);
    claims[name] = "1800000000";
    ExpectRefused(claims, name);
    claims[name] = 1800000000.5;
    ExpectRefused(claims, name);
  }
}

TEST(CheckFirebaseClaims, IssuedInTheFutureBeyondTheSkewIsRefused) {
  auto claims = ValidClaims();
  claims["iat"] = kNow + 60;
  EXPECT_TRUE(Check(claims).ok());
  claims["iat"] = kNow + 61;
  ExpectRefused(claims, "'iat'");
}

TEST(CheckFirebaseClaims, AuthTimeInTheFutureBeyondTheSkewIsRefused) {
  auto claims = ValidClaims();
  claims["auth_time"] = kNow + 61;
  ExpectRefused(claims, "'auth_time'");
}

TEST(CheckFirebaseClaims, SkewIsConfigurable) {
  auto claims = ValidClaims();
  claims["iat"] = kNow + 5;
  EXPECT_FALSE(CheckFirebaseClaims(claims, "demo-vitrina", kNowPoint, seconds(0)).ok());
  EXPECT_TRUE(CheckFirebaseClaims(claims, "demo-vitrina", kNowPoint, seconds(5)).ok());
}

TEST(CheckFirebaseClaims, AudienceMustBeTheProject) {
  auto claims = ValidClaims();
  claims["aud"] = "other-project";
  ExpectRefused(claims, "'aud'");
  claims["aud"] = boost::json::array{"demo-vitrina"};
  ExpectRefused(claims, "'aud'");
  claims.erase("aud");
  ExpectRefused(claims, "'aud'");
}

TEST(CheckFirebaseClaims, IssuerMustBeSecureTokenForTheProject) {
  auto claims = ValidClaims();
  claims["iss"] = "https://securetoken.google.com/other-project";
  ExpectRefused(claims, "'iss'");
  claims["iss"] = "https://securetoken.google.com/demo-vitrina/";
  ExpectRefused(claims, "'iss'");
  claims["iss"] = "https://accounts.google.com";
  ExpectRefused(claims, "'iss'");
}

TEST(CheckFirebaseClaims, SubjectMustBeANonEmptyShortString) {
  auto claims = ValidClaims();
  claims["sub"] = "";
  ExpectRefused(claims, "'sub'");
  claims["sub"] = 42;
  ExpectRefused(claims, "'sub'");
  claims["sub"] = std::string(129, 'u');
  ExpectRefused(claims, "'sub'");
  claims["sub"] = std::string(128, 'u');
  EXPECT_TRUE(Check(claims).ok());
}

TEST(CheckFirebaseClaims, OptionalClaimsOfTheWrongTypeAreRefused) {
  auto claims = ValidClaims();
  claims["email"] = 1;
  ExpectRefused(claims, "'email'");
  claims = ValidClaims();
  claims["email_verified"] = "true";
  ExpectRefused(claims, "'email_verified'");
}

TEST(CheckFirebaseClaims, AnEmptyProjectIdRefusesEverything) {
  auto claims = ValidClaims();
  claims["aud"] = "";
  claims["iss"] = "https://securetoken.google.com/";
  EXPECT_FALSE(CheckFirebaseClaims(claims, "", kNowPoint).ok());
}

}  // namespace
}  // namespace vitrina::auth::core
