#pragma once

#include <cstddef>
#include <string_view>

#include "vitrina/base/result.hpp"

namespace vitrina::auth::core {

// RFC 5321's limit on a forward path; an ID token carries the email, so a longer one would also
// make every token of that account exceed the verifier's size cap.
inline constexpr std::size_t kMaxEmailLength = 254;
// Passwords are hashed by Firebase; past this a "password" is a way to make it work, not a secret.
inline constexpr std::size_t kMaxPasswordBytes = 256;

// Checks an email before anything is created or asked of Firebase. Refused (kInvalidArgument,
// message naming the rule): empty, longer than kMaxEmailLength, leading or trailing whitespace
// (never trimmed silently: " admin@x" must not become a second account that looks like
// "admin@x"), control characters, invalid UTF-8, or not local@domain with one '@', a non-empty
// local part and a domain without spaces. Case is kept; comparisons elsewhere ignore it.
base::Status ValidateEmail(std::string_view email);

// Required and at most kMaxPasswordBytes bytes (the minimum length is Firebase's: WEAK_PASSWORD).
base::Status ValidatePassword(std::string_view password);

}  // namespace vitrina::auth::core
