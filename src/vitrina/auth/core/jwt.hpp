#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

// Firebase ID tokens are about 1 KB; anything far larger is refused before any decoding work.
inline constexpr std::size_t kMaxJwtSize = std::size_t{8} * 1024;

// The one message a client sees for every token problem; the precise reason goes to Error::detail
// (logs only), so a caller probing tokens learns nothing about which check failed.
inline constexpr std::string_view kInvalidTokenMessage = "invalid or expired token";

// A JWS compact serialization split and decoded, nothing verified yet.
struct JwtParts {
  std::string_view signing_input;  // "<header>.<payload>" as sent: what the signature covers
  boost::json::object header;
  boost::json::object payload;
  std::string signature;  // raw bytes (empty for an unsigned token)
};

// Strict split: exactly three dot-separated segments, header and payload non-empty, each valid
// unpadded base64url, header and payload JSON objects, total size <= kMaxJwtSize. The returned
// signing_input views `token`, which must outlive the result.
base::Result<JwtParts> ParseJwt(std::string_view token);

// How signatures are checked is decided by our configuration, never by the token's "alg".
enum class SignatureMode {
  kRs256,             // production: RS256 with Google's published keys
  kUnsignedEmulator,  // the Firebase Auth emulator's unsigned tokens (alg "none")
};

// Picks the signature mode for an environment. Refuses emulator mode when the environment is
// "production" (or anything but development/test): Google's Admin SDKs accept unsigned tokens
// whenever FIREBASE_AUTH_EMULATOR_HOST is set, and one stray variable must not turn off
// signature checks in production.
base::Result<SignatureMode> SelectSignatureMode(std::string_view environment,
                                                bool emulator_requested);

struct JwtHeader {
  std::string alg;
  std::string kid;  // empty for unsigned emulator tokens
};

// Header rules. kRs256: alg must be exactly "RS256" and kid a non-empty string (<= 128 chars).
// kUnsignedEmulator: alg must be exactly "none" and the signature empty. In both modes a "crit"
// header is refused (we implement no extensions, RFC 7515 §4.1.11).
base::Result<JwtHeader> CheckJwtHeader(const JwtParts& parts, SignatureMode mode);

}  // namespace vitrina::auth::core
