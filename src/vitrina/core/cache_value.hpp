#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vitrina::core {

// The ETag of a response body: a quoted strong validator ("\"<16 hex digits>\"") from a 64-bit
// FNV-1a hash of the bytes plus their length. Deterministic, so every instance computes the same
// tag for the same bytes and If-None-Match works across instances.
std::string BodyEtag(std::string_view body);

// What one cache entry holds: the ETag and the exact response bytes.
struct StoredResponse {
  std::string etag;
  std::string body;
};

// The value format in Redis: "v1 " + etag + "\n" + body. The version prefix lets a later format
// coexist with entries written by an older release (they decode as nullopt, i.e. a miss).
std::string EncodeStoredResponse(std::string_view etag, std::string_view body);
std::optional<StoredResponse> DecodeStoredResponse(std::string_view value);

}  // namespace vitrina::core
