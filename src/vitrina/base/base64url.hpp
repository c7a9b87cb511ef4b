#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vitrina::base {

// base64url without padding (RFC 4648 §5), as JWTs use it (RFC 7515 §2).
std::string Base64UrlEncode(std::string_view bytes);

// Strict decoding: only the url-safe alphabet, no padding, no whitespace, and the unused low bits
// of the last character must be zero. Every byte string therefore has exactly one accepted
// encoding, so a token cannot be altered in its text without changing what we decode.
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace vitrina::base
