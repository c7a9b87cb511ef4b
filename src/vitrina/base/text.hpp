#pragma once

#include <string>
#include <string_view>

namespace vitrina::base {

// Leading and trailing ASCII whitespace (space, tab, CR, LF, VT, FF) removed.
std::string_view TrimAscii(std::string_view text);

// Whole-buffer UTF-8 validation (rejects overlongs, surrogates and code points past U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Shortest text that parses back to the same double (std::to_chars); integers print as such.
// This is the canonical number form shared by cache keys, SQL checks and error messages.
std::string FormatNumber(double value);

}  // namespace vitrina::base
