#pragma once

#include <string_view>

#include "vitrina/base/error.hpp"

namespace vitrina::auth::core {

// The message for a wrong email and for a wrong password alike: a login must not reveal whether
// an email has an account.
inline constexpr std::string_view kInvalidCredentialsMessage = "invalid email or password";

// Maps the "error.message" of a Firebase Auth REST error response ("EMAIL_EXISTS",
// "WEAK_PASSWORD : Password should be at least 6 characters", ...) and its HTTP status to our
// error vocabulary, with a message fit for the client. The raw text goes to Error::detail.
base::Error MapFirebaseAuthError(std::string_view firebase_message, int http_status);

}  // namespace vitrina::auth::core
