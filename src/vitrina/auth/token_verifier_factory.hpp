#pragma once

#include <memory>

#include "vitrina/auth/auth_settings.hpp"
#include "vitrina/auth/core/token_verifier.hpp"

namespace vitrina::auth {

// The only way to build a TokenVerifier. Production signature checks unless the emulator is
// configured, and never unsigned tokens when settings.environment is "production": that
// combination is an error naming the variables, so the service refuses to start.
// In RS256 mode the first certificate fetch happens here (an error if it fails).
base::Result<std::unique_ptr<core::TokenVerifier>> MakeTokenVerifier(
    const FirebaseSettings& settings);

}  // namespace vitrina::auth
