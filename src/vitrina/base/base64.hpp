#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vitrina::base {

// Standard base64 (RFC 4648, with padding): Azure account keys, block ids and SharedKey
// signatures use it.
std::string Base64Encode(std::string_view bytes);

// nullopt when the text is not valid padded base64.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace vitrina::base
