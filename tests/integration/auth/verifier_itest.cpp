// The production verification path (RS256 with published X.509 certificates), end to end over
// HTTP against a local certificate server with keys generated at test time.
#include <thread>

#include <gtest/gtest.h>

#include "auth/auth_test_support.hpp"
#include "vitrina/auth/caching_token_verifier.hpp"
#include "vitrina/auth/core/jwt.hpp"
#include "vitrina/auth/firebase_token_verifier.hpp"
#include "vitrina/auth/token_verifier_factory.hpp"

namespace vitrina::auth {
namespace {

using namespace std::chrono_literals;
using testing::CertificateServer;
using testing::MakeTestKey;
using testing::SignRs256;
using testing::TestKey;
using testing::ValidClaims;

constexpr const char* kProject = "demo-vitrina";

const TestKey& KeyA() {
  static const TestKey key = MakeTestKey();
  return key;
}
const TestKey& KeyB() {
  static const TestKey key = MakeTestKey();
  return key;
}

boost::json::object Rs256Header(const std::string& kid) {
  return {{"alg", "RS256"}, {"kid", kid}, {"typ", "JWT"}};
}

class FirebaseVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Publish({{"kid-a", KeyA().certificate_pem}}, 3600);
    FirebaseTokenVerifierSettings settings{kProject, 60s, {}};
    settings.key_refresh.min_interval = 1s;
    auto verifier =
        FirebaseTokenVerifier::Start(settings, MakeHttpSigningKeySource(server_.url(), 2s));
    ASSERT_TRUE(verifier.ok()) << verifier.error().detail;
    verifier_ = std::move(*verifier);
  }

  void ExpectRefused(const std::string& token, std::string_view reason) {
    auto identity = verifier_->Verify(token);
    ASSERT_FALSE(identity.ok()) << "accepted a token that should fail: " << reason;
    EXPECT_EQ(identity.error().code, base::ErrorCode::kUnauthenticated);
    EXPECT_EQ(identity.error().message, core::kInvalidTokenMessage);
    EXPECT_NE(identity.error().detail.find(reason), std::string::npos) << identity.error().detail;
  }

  std::string Valid(const boost::json::object& claims) {
    return SignRs256(KeyA(), Rs256Header("kid-a"), claims);
  }

  CertificateServer server_;
  std::unique_ptr<FirebaseTokenVerifier> verifier_;
};

TEST_F(FirebaseVerifierTest, AValidTokenPasses) {
  auto identity = verifier_->Verify(Valid(ValidClaims(kProject, "uid-1")));
  ASSERT_TRUE(identity.ok()) << identity.error().detail;
  EXPECT_EQ(identity->uid, "uid-1");
  EXPECT_EQ(identity->email, "ada@example.com");
  EXPECT_EQ(server_.requests(), 1);  // the start-up fetch only
}

TEST_F(FirebaseVerifierTest, ATamperedPayloadFails) {
  const auto token = Valid(ValidClaims(kProject, "uid-1"));
  const auto first_dot = token.find('.');
  const auto second_dot = token.find('.', first_dot + 1);
  auto claims = ValidClaims(kProject, "admin-uid");
  const auto forged = token.substr(0, first_dot + 1) +
                      base::Base64UrlEncode(boost::json::serialize(claims)) +
                      token.substr(second_dot);
  ExpectRefused(forged, "bad RS256 signature");
}

TEST_F(FirebaseVerifierTest, ATokenSignedByAnotherKeyFails) {
  ExpectRefused(SignRs256(KeyB(), Rs256Header("kid-a"), ValidClaims(kProject, "uid-1")),
                "bad RS256 signature");
}

TEST_F(FirebaseVerifierTest, AlgNoneFails) {
  ExpectRefused(testing::Unsigned({{"alg", "none"}, {"kid", "kid-a"}}, ValidClaims(kProject, "u")),
                "alg 'none'");
}

TEST_F(FirebaseVerifierTest, Hs256WithThePublicKeyAsSecretFails) {
  for (const auto& secret : {KeyA().public_key_pem, KeyA().certificate_pem}) {
    ExpectRefused(testing::SignHs256(secret, {{"alg", "HS256"}, {"kid", "kid-a"}},
                                     ValidClaims(kProject, "u")),
                  "alg 'HS256'");
  }
}

TEST_F(FirebaseVerifierTest, AnExpiredTokenFails) {
  auto claims = ValidClaims(kProject, "u");
  claims["exp"] = claims["iat"].as_int64() - 1;
  ExpectRefused(Valid(claims), "expired");
}

TEST_F(FirebaseVerifierTest, ATokenIssuedInTheFutureFails) {
  auto claims = ValidClaims(kProject, "u");
  claims["iat"] = claims["exp"].as_int64();
  ExpectRefused(Valid(claims), "'iat'");
}

TEST_F(FirebaseVerifierTest, ATokenForAnotherProjectFails) {
  auto claims = ValidClaims(kProject, "u");
  claims["aud"] = "someone-else";
  ExpectRefused(Valid(claims), "'aud'");
  claims = ValidClaims("someone-else", "u");
  claims["aud"] = kProject;
  ExpectRefused(Valid(claims), "'iss'");
}

TEST_F(FirebaseVerifierTest, AnEmptySubjectFails) {
  ExpectRefused(Valid(ValidClaims(kProject, "")), "'sub'");
}

TEST_F(FirebaseVerifierTest, AnUnknownKidTriggersOneRateLimitedRefetch) {
  std::this_thread::sleep_for(1100ms);  // past min_interval since the start-up fetch
  // Google rotates: kid-b appears in the published document.
  server_.Publish({{"kid-a", KeyA().certificate_pem}, {"kid-b", KeyB().certificate_pem}}, 3600);
  const auto rotated = SignRs256(KeyB(), Rs256Header("kid-b"), ValidClaims(kProject, "uid-2"));
  // The first one starts a fetch in the background and is refused without waiting for it. The
  // next ones may arrive before or after that fetch lands (refused, or accepted): either way they
  // start no fetch of their own.
  ExpectRefused(rotated, "unknown signing key");
  for (int i = 0; i < 19; ++i) (void)verifier_->Verify(rotated);
  for (int i = 0; i < 100 && verifier_->fetch_count() < 2; ++i) std::this_thread::sleep_for(20ms);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(server_.requests(), 2);  // 20 unknown-kid tokens, one fetch
  EXPECT_TRUE(verifier_->Verify(rotated).ok());

  // Within min_interval of that fetch, more unknown kids fetch nothing.
  const auto unknown = SignRs256(KeyB(), Rs256Header("kid-z"), ValidClaims(kProject, "u"));
  for (int i = 0; i < 20; ++i) ExpectRefused(unknown, "unknown signing key");
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(server_.requests(), 2);
}

TEST(FirebaseVerifierRefresh, KeysAreRefreshedInTheBackgroundBeforeTheyExpire) {
  CertificateServer server;
  server.Publish({{"kid-a", KeyA().certificate_pem}}, 2);
  FirebaseTokenVerifierSettings settings{kProject, 60s, {}};
  settings.key_refresh.min_interval = 1s;
  settings.key_refresh.min_max_age = 1s;
  auto verifier =
      FirebaseTokenVerifier::Start(settings, MakeHttpSigningKeySource(server.url(), 2s));
  ASSERT_TRUE(verifier.ok());
  const auto token = SignRs256(KeyA(), Rs256Header("kid-a"), ValidClaims(kProject, "u"));
  for (int i = 0; i < 30; ++i) {  // 3 s of traffic: no request waits for a fetch
    ASSERT_TRUE((*verifier)->Verify(token).ok());
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_GE(server.requests(), 2);  // refreshed at 3/4 of max-age=2 s, in the background
  EXPECT_LE(server.requests(), 4);  // at 0 s, 1.5 s and maybe 3 s
}

TEST(FirebaseVerifierStart, FailsWhenTheCertificatesCannotBeFetched) {
  auto verifier = FirebaseTokenVerifier::Start(
      {kProject, 60s, {}}, MakeHttpSigningKeySource("http://127.0.0.1:28599/certs", 500ms));
  ASSERT_FALSE(verifier.ok());
  EXPECT_EQ(verifier.error().code, base::ErrorCode::kUnavailable);
}

TEST(FirebaseVerifierStart, RefusesShortRsaKeys) {
  CertificateServer server;
  server.Publish({{"weak", MakeTestKey(1024).certificate_pem}}, 3600);
  auto verifier =
      FirebaseTokenVerifier::Start({kProject, 60s, {}}, MakeHttpSigningKeySource(server.url(), 2s));
  EXPECT_FALSE(verifier.ok());
}

TEST(MakeTokenVerifier, RefusesTheEmulatorInProduction) {
  FirebaseSettings settings;
  settings.environment = "production";
  settings.project_id = kProject;
  settings.emulator_host = "127.0.0.1:28503";
  auto verifier = MakeTokenVerifier(settings);
  ASSERT_FALSE(verifier.ok());
  EXPECT_NE(verifier.error().message.find("refusing to accept unsigned"), std::string::npos);
}

// Production mode against `server`, which publishes KeyA as "kid-a".
FirebaseSettings ProductionSettings(CertificateServer& server) {
  server.Publish({{"kid-a", KeyA().certificate_pem}}, 3600);
  FirebaseSettings settings;
  settings.environment = "production";
  settings.project_id = kProject;
  settings.certificates_url = server.url();
  return settings;
}

TEST(MakeTokenVerifier, ProductionModeVerifiesSignaturesFromTheConfiguredUrl) {
  CertificateServer server;
  auto settings = ProductionSettings(server);
  auto verifier = MakeTokenVerifier(settings);
  ASSERT_TRUE(verifier.ok()) << verifier.error().message;
  EXPECT_TRUE((*verifier)
                  ->Verify(SignRs256(KeyA(), Rs256Header("kid-a"), ValidClaims(kProject, "u")))
                  .ok());
  EXPECT_FALSE(
      (*verifier)->Verify(testing::Unsigned({{"alg", "none"}}, ValidClaims(kProject, "u"))).ok());
}

// Counts the calls that reach the real (RS256) verifier behind the cache.
class CountingVerifier final : public core::TokenVerifier {
 public:
  explicit CountingVerifier(const core::TokenVerifier& inner, int& calls)
      : inner_(inner), calls_(calls) {}
  base::Result<core::VerifiedIdentity> Verify(std::string_view token) const override {
    ++calls_;
    return inner_.Verify(token);
  }

 private:
  const core::TokenVerifier& inner_;
  int& calls_;
};

TEST_F(FirebaseVerifierTest, TheCacheChecksAGoodTokenOnceAndABadOneEveryTime) {
  int calls = 0;
  const CachingTokenVerifier cached(std::make_unique<CountingVerifier>(*verifier_, calls), 100,
                                    300s);
  const auto good = Valid(ValidClaims(kProject, "uid-1"));
  for (int i = 0; i < 5; ++i) {
    const auto identity = cached.Verify(good);
    ASSERT_TRUE(identity.ok()) << identity.error().detail;
    EXPECT_EQ(identity->uid, "uid-1");
  }
  EXPECT_EQ(calls, 1);
  auto tampered = good;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(cached.Verify(tampered).ok());
  EXPECT_EQ(calls, 4);  // refusals are never cached
  auto expired = ValidClaims(kProject, "uid-2");
  expired["exp"] = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count() -
                   10;
  EXPECT_FALSE(cached.Verify(Valid(expired)).ok());
}

TEST(MakeTokenVerifier, CachesVerifiedTokensUnlessTurnedOff) {
  CertificateServer server;
  auto settings = ProductionSettings(server);
  auto cached = MakeTokenVerifier(settings);
  ASSERT_TRUE(cached.ok()) << cached.error().message;
  EXPECT_NE(dynamic_cast<CachingTokenVerifier*>(cached->get()), nullptr);
  settings.token_cache_max_age = 0s;
  auto uncached = MakeTokenVerifier(settings);
  ASSERT_TRUE(uncached.ok()) << uncached.error().message;
  EXPECT_EQ(dynamic_cast<CachingTokenVerifier*>(uncached->get()), nullptr);
}

}  // namespace
}  // namespace vitrina::auth
