#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "vitrina/auth/core/token_verifier.hpp"

namespace vitrina::auth {

// Accepts the Firebase Auth emulator's unsigned tokens (alg "none", empty signature) and checks
// every claim exactly as in production. It proves nothing about who made the token, so it is only
// constructed by MakeTokenVerifier, which refuses it in production.
class EmulatorTokenVerifier final : public core::TokenVerifier {
 public:
  base::Result<core::VerifiedIdentity> Verify(std::string_view token) const override;

 private:
  friend base::Result<std::unique_ptr<core::TokenVerifier>> MakeEmulatorTokenVerifier(
      std::string project_id, std::chrono::seconds clock_skew);
  EmulatorTokenVerifier(std::string project_id, std::chrono::seconds clock_skew)
      : project_id_(std::move(project_id)), clock_skew_(clock_skew) {}

  std::string project_id_;
  std::chrono::seconds clock_skew_;
};

// Internal to the factory (token_verifier_factory.cpp); use MakeTokenVerifier.
base::Result<std::unique_ptr<core::TokenVerifier>> MakeEmulatorTokenVerifier(
    std::string project_id, std::chrono::seconds clock_skew);

}  // namespace vitrina::auth
