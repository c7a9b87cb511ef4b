// Cost of TokenVerifier::Verify on the request path: RS256 (production) and unsigned (emulator).
// Keys are generated here and served from memory, so no network is involved.
#include <chrono>
#include <memory>
#include <stdexcept>

#include <benchmark/benchmark.h>
#include <boost/json/serialize.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "vitrina/auth/caching_token_verifier.hpp"
#include "vitrina/auth/firebase_token_verifier.hpp"
#include "vitrina/auth/token_verifier_factory.hpp"
#include "vitrina/base/base64url.hpp"

namespace {

using vitrina::base::Base64UrlEncode;

constexpr const char* kProject = "demo-vitrina";

struct Key {
  std::shared_ptr<EVP_PKEY> pkey;
  std::string certificate_pem;
};

Key MakeKey() {
  Key key;
  key.pkey.reset(EVP_RSA_gen(2048), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.pkey.get());
  X509_sign(cert.get(), key.pkey.get(), EVP_sha256());
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  PEM_write_bio_X509(bio.get(), cert.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  key.certificate_pem.assign(data, static_cast<std::size_t>(size));
  return key;
}

std::string Claims() {
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return boost::json::serialize(
      boost::json::object{{"iss", std::string("https://securetoken.google.com/") + kProject},
                          {"aud", kProject},
                          {"sub", "bench-uid-0123456789abcdef"},
                          {"iat", now},
                          {"auth_time", now},
                          {"exp", now + 3600},
                          {"email", "bench@example.com"},
                          {"email_verified", false},
                          {"firebase", boost::json::object{{"sign_in_provider", "password"}}}});
}

std::string SignRs256(const Key& key) {
  const std::string input = Base64UrlEncode(R"({"alg":"RS256","kid":"bench","typ":"JWT"})") + "." +
                            Base64UrlEncode(Claims());
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.pkey.get());
  std::size_t size = 0;
  EVP_DigestSign(ctx.get(), nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()),
                 input.size());
  std::string signature(size, '\0');
  EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &size,
                 reinterpret_cast<const unsigned char*>(input.data()), input.size());
  signature.resize(size);
  return input + "." + Base64UrlEncode(signature);
}

class MemoryKeySource final : public vitrina::auth::SigningKeySource {
 public:
  explicit MemoryKeySource(std::string body) : body_(std::move(body)) {}
  vitrina::base::Result<vitrina::auth::SigningKeyDocument> Fetch() override {
    return vitrina::auth::SigningKeyDocument{body_, std::chrono::seconds(3600)};
  }

 private:
  std::string body_;
};

const Key& BenchKey() {
  static const Key key = MakeKey();
  return key;
}

std::unique_ptr<vitrina::auth::FirebaseTokenVerifier> StartRs256Verifier() {
  const auto document =
      boost::json::serialize(boost::json::object{{"bench", BenchKey().certificate_pem}});
  auto started = vitrina::auth::FirebaseTokenVerifier::Start(
      {kProject, std::chrono::seconds(60), {}}, std::make_unique<MemoryKeySource>(document));
  if (!started) throw std::runtime_error(started.error().detail);
  return std::move(*started);
}

void BM_VerifyRs256(benchmark::State& state) {
  static const std::string token = SignRs256(BenchKey());
  static auto verifier = StartRs256Verifier();
  for (auto _ : state) {
    auto identity = verifier->Verify(token);
    if (!identity) state.SkipWithError(identity.error().detail.c_str());
    benchmark::DoNotOptimize(identity);
  }
}
BENCHMARK(BM_VerifyRs256)->ThreadRange(1, 2)->UseRealTime();

// What a request pays with AUTH_TOKEN_CACHE_SECONDS > 0 once its token was verified.
void BM_VerifyRs256Remembered(benchmark::State& state) {
  static const std::string token = SignRs256(BenchKey());
  static const vitrina::auth::CachingTokenVerifier verifier(StartRs256Verifier(), 10'000,
                                                            std::chrono::seconds(300));
  for (auto _ : state) {
    auto identity = verifier.Verify(token);
    if (!identity) state.SkipWithError(identity.error().detail.c_str());
    benchmark::DoNotOptimize(identity);
  }
}
BENCHMARK(BM_VerifyRs256Remembered)->ThreadRange(1, 2)->UseRealTime();

void BM_VerifyEmulatorToken(benchmark::State& state) {
  static const std::string token =
      Base64UrlEncode(R"({"alg":"none","typ":"JWT"})") + "." + Base64UrlEncode(Claims()) + ".";
  static auto verifier = [] {
    vitrina::auth::FirebaseSettings settings;
    settings.environment = "development";
    settings.project_id = kProject;
    settings.emulator_host = "127.0.0.1:1";                  // never contacted by the verifier
    settings.token_cache_max_age = std::chrono::seconds(0);  // the parsing and checks themselves
    auto made = vitrina::auth::MakeTokenVerifier(settings);
    if (!made) throw std::runtime_error(made.error().message);
    return std::move(*made);
  }();
  for (auto _ : state) {
    auto identity = verifier->Verify(token);
    if (!identity) state.SkipWithError(identity.error().detail.c_str());
    benchmark::DoNotOptimize(identity);
  }
}
BENCHMARK(BM_VerifyEmulatorToken)->ThreadRange(1, 2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
