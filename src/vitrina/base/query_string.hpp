#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"

namespace vitrina::base {

// One name=value pair of a query string, percent-decoded, in the order it appeared.
struct QueryParam {
  std::string name;
  std::string value;
};

// Splits an application/x-www-form-urlencoded query string ("a=1&b=x+y"): pairs are separated by
// '&', '+' means a space and %XX a byte. Empty pairs ("a=1&&b=2") are skipped; a pair without '='
// has an empty value. Invalid percent-encoding, a decoded NUL byte or invalid UTF-8 is a
// kInvalidArgument error, because such bytes can only come from a broken or hostile client.
Result<std::vector<QueryParam>> ParseQueryString(std::string_view query);

// Percent-encodes everything but unreserved characters (RFC 3986) and the characters in
// `also_keep` (e.g. "/" for a URL path), so the result is safe in a URL and canonical: one text
// per byte sequence.
std::string PercentEncode(std::string_view text, std::string_view also_keep = {});

// The inverse of PercentEncode for any %XX escape ('+' stays itself); nullopt on a malformed one.
std::optional<std::string> PercentDecode(std::string_view text);

}  // namespace vitrina::base
