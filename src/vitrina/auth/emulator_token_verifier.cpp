#include "vitrina/auth/emulator_token_verifier.hpp"

#include "vitrina/auth/core/jwt.hpp"

namespace vitrina::auth {

base::Result<core::VerifiedIdentity> EmulatorTokenVerifier::Verify(std::string_view token) const {
  auto parts = core::ParseJwt(token);
  if (!parts) return parts.error();
  if (auto header = core::CheckJwtHeader(*parts, core::SignatureMode::kUnsignedEmulator); !header) {
    return header.error();
  }
  return core::CheckFirebaseClaims(parts->payload, project_id_, std::chrono::system_clock::now(),
                                   clock_skew_);
}

base::Result<std::unique_ptr<core::TokenVerifier>> MakeEmulatorTokenVerifier(
    std::string project_id, std::chrono::seconds clock_skew) {
  if (project_id.empty()) {
    return base::MakeError(base::ErrorCode::kInvalidArgument, "FIREBASE_PROJECT_ID is required");
  }
  return std::unique_ptr<core::TokenVerifier>(
      new EmulatorTokenVerifier(std::move(project_id), clock_skew));
}

}  // namespace vitrina::auth
