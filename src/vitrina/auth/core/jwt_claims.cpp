#include "vitrina/auth/core/jwt_claims.hpp"

#include <limits>

#include <boost/json/value.hpp>

#include "vitrina/auth/core/jwt.hpp"

namespace vitrina::auth::core {
namespace {

base::Error ClaimError(std::string detail) {
  return base::MakeError(base::ErrorCode::kUnauthenticated, std::string(kInvalidTokenMessage),
                         std::move(detail));
}

// NumericDate as an integer; fractional or out-of-range values are refused rather than rounded.
std::optional<std::int64_t> IntegerClaim(const boost::json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  if (value == nullptr) return std::nullopt;
  if (value->is_int64()) return value->as_int64();
  if (value->is_uint64() &&
      value->as_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return static_cast<std::int64_t>(value->as_uint64());
  }
  return std::nullopt;
}

const boost::json::string* StringClaim(const boost::json::object& claims, std::string_view name) {
  const auto* value = claims.if_contains(name);
  return value != nullptr && value->is_string() ? &value->as_string() : nullptr;
}

}  // namespace

std::string FirebaseIssuer(std::string_view project_id) {
  return "https://securetoken.google.com/" + std::string(project_id);
}

base::Result<VerifiedIdentity> CheckFirebaseClaims(const boost::json::object& claims,
                                                   std::string_view project_id,
                                                   std::chrono::system_clock::time_point now,
                                                   std::chrono::seconds skew) {
  if (project_id.empty()) return ClaimError("no project id configured");
  const std::int64_t now_s =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const std::int64_t latest_issue = now_s + skew.count();

  VerifiedIdentity identity;
  const auto exp = IntegerClaim(claims, "exp");
  if (!exp) return ClaimError("missing or non-integer 'exp'");
  if (now_s >= *exp) {
    return ClaimError("token expired at " + std::to_string(*exp) + " (now " +
                      std::to_string(now_s) + ")");
  }
  const auto iat = IntegerClaim(claims, "iat");
  if (!iat) return ClaimError("missing or non-integer 'iat'");
  if (*iat > latest_issue) {
    return ClaimError("'iat' " + std::to_string(*iat) + " is in the future (now " +
                      std::to_string(now_s) + ")");
  }
  const auto auth_time = IntegerClaim(claims, "auth_time");
  if (!auth_time) return ClaimError("missing or non-integer 'auth_time'");
  if (*auth_time > latest_issue) {
    return ClaimError("'auth_time' " + std::to_string(*auth_time) + " is in the future (now " +
                      std::to_string(now_s) + ")");
  }

  const auto* aud = StringClaim(claims, "aud");
  if (aud == nullptr) return ClaimError("missing or non-string 'aud'");
  if (*aud != project_id) return ClaimError("'aud' is '" + std::string(*aud) + "'");
  const auto* iss = StringClaim(claims, "iss");
  if (iss == nullptr) return ClaimError("missing or non-string 'iss'");
  if (*iss != FirebaseIssuer(project_id)) {
    return ClaimError("'iss' is '" + std::string(*iss) + "'");
  }
  const auto* sub = StringClaim(claims, "sub");
  if (sub == nullptr || sub->empty()) return ClaimError("missing or empty 'sub'");
  if (sub->size() > kMaxUidLength) return ClaimError("'sub' is longer than 128 characters");

  identity.uid = std::string(*sub);
  identity.expires_at = *exp;
  identity.issued_at = *iat;
  identity.auth_time = *auth_time;
  if (const auto* email = claims.if_contains("email")) {
    if (!email->is_string()) return ClaimError("'email' is not a string");
    identity.email = std::string(email->as_string());
  }
  if (const auto* verified = claims.if_contains("email_verified")) {
    if (!verified->is_bool()) return ClaimError("'email_verified' is not a boolean");
    identity.email_verified = verified->as_bool();
  }
  if (const auto* firebase = claims.if_contains("firebase")) {
    if (!firebase->is_object()) return ClaimError("'firebase' is not an object");
    if (const auto* provider = firebase->as_object().if_contains("sign_in_provider")) {
      if (!provider->is_string()) return ClaimError("'firebase.sign_in_provider' is not a string");
      identity.sign_in_provider = std::string(provider->as_string());
    }
  }
  return identity;
}

}  // namespace vitrina::auth::core
