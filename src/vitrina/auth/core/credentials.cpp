#include "vitrina/auth/core/credentials.hpp"

#include <string>

#include "vitrina/base/text.hpp"

namespace vitrina::auth::core {
namespace {

base::Error Invalid(std::string message) {
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
}

bool IsControl(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

}  // namespace

base::Status ValidateEmail(std::string_view email) {
  if (email.empty()) return Invalid("email is required");
  if (email.size() > kMaxEmailLength) {
    return Invalid("email must be at most " + std::to_string(kMaxEmailLength) + " characters");
  }
  if (base::TrimAscii(email).size() != email.size()) {
    return Invalid("email must not start or end with whitespace");
  }
  for (const char c : email) {
    if (IsControl(c)) return Invalid("email must not contain control characters");
  }
  if (!base::IsValidUtf8(email)) return Invalid("email is not valid UTF-8");
  const auto at = email.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size() ||
      email.find('@', at + 1) != std::string_view::npos ||
      email.substr(at + 1).find(' ') != std::string_view::npos) {
    return Invalid("email must look like name@domain");
  }
  return base::OkStatus();
}

base::Status ValidatePassword(std::string_view password) {
  if (password.empty()) return Invalid("password is required");
  if (password.size() > kMaxPasswordBytes) {
    return Invalid("password must be at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  return base::OkStatus();
}

}  // namespace vitrina::auth::core
