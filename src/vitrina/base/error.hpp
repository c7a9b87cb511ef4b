#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace vitrina::base {

// One protocol-neutral error vocabulary for the whole service. The HTTP layer maps it to status
// codes in exactly one place (http/core/error_response.cpp); the CLI maps it to exit codes.
enum class ErrorCode {
  kInvalidArgument,   // the caller sent something malformed or out of range
  kUnauthenticated,   // no credentials, or credentials we cannot verify
  kPermissionDenied,  // credentials are fine, the action is not allowed
  kNotFound,          // the addressed thing does not exist
  kConflict,          // the request collides with existing state (e.g. email exists)
  kPayloadTooLarge,   // the body exceeds the configured limit
  kTooManyRequests,   // rate limited
  kNotImplemented,    // a protocol feature we do not offer (e.g. a transfer coding)
  kUnavailable,       // a dependency is down; retrying later may help
  kInternal,          // a bug or an unexpected failure; details are logged, not sent
};

// Stable machine-readable name, used as the "code" field of error bodies.
std::string_view ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  // Safe to show to the client. Never contains SQL, stack traces or secrets.
  std::string message;
  // For logs and telemetry only (e.g. the libpq error text).
  std::string detail;
  // When retrying makes sense after a known wait (rate limits): the Retry-After value.
  std::chrono::seconds retry_after{0};
};

// Why each field of a submitted item was refused, by field name ("x" -> "must be greater than 0"),
// sent next to a kInvalidArgument error so a form can show each reason beside its field.
using FieldErrors = std::map<std::string, std::string>;

inline Error MakeError(ErrorCode code, std::string message, std::string detail = {}) {
  return Error{code, std::move(message), std::move(detail), std::chrono::seconds(0)};
}

}  // namespace vitrina::base
