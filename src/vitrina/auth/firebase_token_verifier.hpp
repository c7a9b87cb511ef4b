#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/auth/core/jwt_key_refresh.hpp"
#include "vitrina/auth/core/token_verifier.hpp"
#include "vitrina/base/result.hpp"

namespace vitrina::auth {

inline constexpr std::string_view kGoogleSigningCertificatesUrl =
    "https://www.googleapis.com/robot/v1/metadata/x509/securetoken@system.gserviceaccount.com";

// A fetched certificate document: JSON {kid: PEM X.509 certificate} and its Cache-Control max-age.
struct SigningKeyDocument {
  std::string body;
  std::optional<std::chrono::seconds> max_age;
};

// Where the certificates come from (HTTP in production; tests and benchmarks may substitute).
class SigningKeySource {
 public:
  virtual ~SigningKeySource() = default;
  virtual base::Result<SigningKeyDocument> Fetch() = 0;
};

// Fetches `url` with libcurl (blocking; called from the verifier's background thread only).
std::unique_ptr<SigningKeySource> MakeHttpSigningKeySource(std::string url,
                                                           std::chrono::milliseconds timeout);

struct FirebaseTokenVerifierSettings {
  std::string project_id;
  std::chrono::seconds clock_skew{60};
  core::KeyRefreshPolicy key_refresh;
};

// Verifies production Firebase ID tokens: RS256 only, signature checked with the public key of
// the certificate named by the header's kid, then every claim (core::CheckFirebaseClaims).
// Keys are parsed once per fetch and shared read-only across threads. A background thread
// refreshes them at 3/4 of their max-age, and early when a token names an unknown kid (at most
// once per key_refresh.min_interval). Verify itself never touches the network: a token with an
// unknown kid is refused while the refresh runs.
class FirebaseTokenVerifier final : public core::TokenVerifier {
 public:
  // Performs the initial fetch (an error if it fails or yields no usable key) and starts the
  // refresher.
  static base::Result<std::unique_ptr<FirebaseTokenVerifier>> Start(
      FirebaseTokenVerifierSettings settings, std::unique_ptr<SigningKeySource> source);

  ~FirebaseTokenVerifier() override;
  FirebaseTokenVerifier(const FirebaseTokenVerifier&) = delete;
  FirebaseTokenVerifier& operator=(const FirebaseTokenVerifier&) = delete;

  base::Result<core::VerifiedIdentity> Verify(std::string_view token) const override;

  // How many fetches were attempted (start-up included): for tests and metrics.
  std::size_t fetch_count() const;

  struct State;

 private:
  explicit FirebaseTokenVerifier(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace vitrina::auth
