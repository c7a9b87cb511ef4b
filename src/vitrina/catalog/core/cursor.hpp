#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrina::catalog::core {

// Pagination cursors are opaque to clients: base64url (no padding) of "v1:<last id>". The version
// prefix lets the keyset change later without clients noticing; decoding accepts only the exact
// text EncodeCursor produces, so one position has one cursor (which keeps cache keys canonical).
std::string EncodeCursor(std::int64_t last_id);

// The last id of the previous page, or nullopt for anything EncodeCursor could not have produced.
std::optional<std::int64_t> DecodeCursor(std::string_view cursor);

}  // namespace vitrina::catalog::core
