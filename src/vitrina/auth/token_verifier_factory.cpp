#include "vitrina/auth/token_verifier_factory.hpp"

#include "vitrina/auth/caching_token_verifier.hpp"
#include "vitrina/auth/core/jwt.hpp"
#include "vitrina/auth/emulator_token_verifier.hpp"
#include "vitrina/auth/firebase_token_verifier.hpp"

namespace vitrina::auth {

namespace {

base::Result<std::unique_ptr<core::TokenVerifier>> MakeUncachedTokenVerifier(
    const FirebaseSettings& settings) {
  auto mode = core::SelectSignatureMode(settings.environment, settings.emulator_host.has_value());
  if (!mode) return mode.error();
  if (*mode == core::SignatureMode::kUnsignedEmulator) {
    return MakeEmulatorTokenVerifier(settings.project_id, settings.clock_skew);
  }
  FirebaseTokenVerifierSettings verifier_settings{settings.project_id, settings.clock_skew,
                                                  settings.key_refresh};
  auto verifier = FirebaseTokenVerifier::Start(
      std::move(verifier_settings),
      MakeHttpSigningKeySource(settings.certificates_url, settings.http_timeout));
  if (!verifier) return verifier.error();
  return std::unique_ptr<core::TokenVerifier>(std::move(*verifier));
}

}  // namespace

base::Result<std::unique_ptr<core::TokenVerifier>> MakeTokenVerifier(
    const FirebaseSettings& settings) {
  auto verifier = MakeUncachedTokenVerifier(settings);
  if (!verifier || settings.token_cache_max_age.count() == 0) return verifier;
  return std::unique_ptr<core::TokenVerifier>(std::make_unique<CachingTokenVerifier>(
      std::move(*verifier), settings.token_cache_entries, settings.token_cache_max_age));
}

}  // namespace vitrina::auth
