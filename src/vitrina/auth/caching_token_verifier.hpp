#pragma once

#include <memory>

#include "vitrina/auth/core/token_verifier.hpp"
#include "vitrina/auth/core/verified_token_cache.hpp"

namespace vitrina::auth {

// A TokenVerifier that asks `inner` only for tokens it has not verified recently
// (core::VerifiedTokenCache: never past the token's exp, at most max_age after the check).
// Failures always go to `inner`, so a bad token costs what it did before.
class CachingTokenVerifier final : public core::TokenVerifier {
 public:
  CachingTokenVerifier(std::unique_ptr<core::TokenVerifier> inner, std::size_t max_entries,
                       std::chrono::seconds max_age)
      : inner_(std::move(inner)), cache_(max_entries, max_age) {}

  base::Result<core::VerifiedIdentity> Verify(std::string_view token) const override {
    const auto now = core::VerifiedTokenCache::Clock::now();
    if (auto known = cache_.Find(token, now)) return std::move(*known);
    auto verified = inner_->Verify(token);
    if (verified) cache_.Put(token, *verified, now);
    return verified;
  }

 private:
  std::unique_ptr<core::TokenVerifier> inner_;
  mutable core::VerifiedTokenCache cache_;
};

}  // namespace vitrina::auth
