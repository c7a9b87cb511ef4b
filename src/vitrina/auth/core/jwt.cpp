#include "vitrina/auth/core/jwt.hpp"

#include <optional>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "vitrina/base/base64url.hpp"

namespace vitrina::auth::core {
namespace {

constexpr std::size_t kMaxKidLength = 128;

base::Error TokenError(std::string detail) {
  return base::MakeError(base::ErrorCode::kUnauthenticated, std::string(kInvalidTokenMessage),
                         std::move(detail));
}

std::optional<boost::json::object> DecodeJsonObject(std::string_view segment) {
  auto bytes = base::Base64UrlDecode(segment);
  if (!bytes) return std::nullopt;
  boost::system::error_code error;
  boost::json::value value = boost::json::parse(*bytes, error);
  if (error || !value.is_object()) return std::nullopt;
  return std::move(value.as_object());
}

}  // namespace

base::Result<JwtParts> ParseJwt(std::string_view token) {
  if (token.empty()) return TokenError("empty token");
  if (token.size() > kMaxJwtSize) {
    return TokenError("token of " + std::to_string(token.size()) + " bytes exceeds the limit");
  }
  const auto first_dot = token.find('.');
  if (first_dot == std::string_view::npos) return TokenError("token is not a JWT (no '.')");
  const auto second_dot = token.find('.', first_dot + 1);
  if (second_dot == std::string_view::npos) return TokenError("token has 2 segments, not 3");
  if (token.find('.', second_dot + 1) != std::string_view::npos) {
    return TokenError("token has more than 3 segments");
  }
  const auto header_text = token.substr(0, first_dot);
  const auto payload_text = token.substr(first_dot + 1, second_dot - first_dot - 1);
  const auto signature_text = token.substr(second_dot + 1);
  if (header_text.empty() || payload_text.empty()) return TokenError("empty header or payload");

  JwtParts parts;
  parts.signing_input = token.substr(0, second_dot);
  auto header = DecodeJsonObject(header_text);
  if (!header) return TokenError("header is not a base64url-encoded JSON object");
  auto payload = DecodeJsonObject(payload_text);
  if (!payload) return TokenError("payload is not a base64url-encoded JSON object");
  auto signature = base::Base64UrlDecode(signature_text);
  if (!signature) return TokenError("signature is not valid base64url");
  parts.header = std::move(*header);
  parts.payload = std::move(*payload);
  parts.signature = std::move(*signature);
  return parts;
}

base::Result<SignatureMode> SelectSignatureMode(std::string_view environment,
                                                bool emulator_requested) {
  if (!emulator_requested) return SignatureMode::kRs256;
  // VITRINA_ENV has two values (development | production); only the first allows the emulator.
  if (environment == "development") {
    return SignatureMode::kUnsignedEmulator;
  }
  return base::MakeError(base::ErrorCode::kInvalidArgument,
                         "refusing to accept unsigned Firebase emulator tokens in environment '" +
                             std::string(environment) +
                             "': unset FIREBASE_AUTH_EMULATOR_HOST, or set VITRINA_ENV=development "
                             "for local runs");
}

base::Result<JwtHeader> CheckJwtHeader(const JwtParts& parts, SignatureMode mode) {
  const auto* alg = parts.header.if_contains("alg");
  if (alg == nullptr || !alg->is_string()) return TokenError("header has no string 'alg'");
  if (parts.header.contains("crit")) return TokenError("header has unsupported 'crit'");
  JwtHeader header;
  header.alg = std::string(alg->as_string());
  if (mode == SignatureMode::kUnsignedEmulator) {
    if (header.alg != "none") {
      return TokenError("alg '" + header.alg + "' is not 'none' (emulator mode)");
    }
    if (!parts.signature.empty()) return TokenError("unsigned token carries a signature");
    return header;
  }
  if (header.alg != "RS256") return TokenError("alg '" + header.alg + "' is not RS256");
  const auto* kid = parts.header.if_contains("kid");
  if (kid == nullptr || !kid->is_string() || kid->as_string().empty()) {
    return TokenError("header has no 'kid'");
  }
  if (kid->as_string().size() > kMaxKidLength) return TokenError("header 'kid' is too long");
  header.kid = std::string(kid->as_string());
  return header;
}

}  // namespace vitrina::auth::core
