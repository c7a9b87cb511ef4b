#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/http/core/content_coding.hpp"

namespace vitrina::cache::core {

// The ETag of a response body: a quoted strong validator ("\"<16 hex digits>\"") from a 64-bit
// FNV-1a hash of the bytes plus their length. Deterministic, so every instance computes the same
// tag for the same bytes and If-None-Match works across instances.
std::string BodyEtag(std::string_view body);

// What one cache entry holds: the ETag, a stamp and the exact response bytes. The stamp is a
// random 32-hex-digit token drawn for each store: two entries with the same stamp are the same
// bytes, which lets an instance that already holds them check a key with a 55-byte GETRANGE
// instead of transferring the body again (see cache/core/local_copies.hpp).
struct StoredResponse {
  std::string etag;
  std::string stamp;
  std::string body;
  // A large body is stored once, under a key named by its content (SharedBodyKey), however many
  // queries answer with it: the entry then holds that key instead of the body, which is empty.
  std::string shared_body_key;

  // The entry's first kStoredHeaderSize bytes, as GETRANGE returns them.
  std::string Header() const;
};

// The value format in Redis: a fixed-size header line, then the body or the shared body's key:
//   "v2 " + etag (18 bytes) + " " + stamp (32 bytes) + "\n" + body
//   "r2 " + etag (18 bytes) + " " + stamp (32 bytes) + "\n" + shared body key
// The version prefix lets a later format coexist with entries written by an older release (they
// decode as nullopt, i.e. a miss).
inline constexpr std::size_t kStoredHeaderSize = 55;

// The header line (kStoredHeaderSize bytes) of an entry with this etag and stamp. Both must have
// the sizes above (BodyEtag's and a 32-digit token); anything else gives an empty string.
std::string StoredHeader(std::string_view etag, std::string_view stamp, bool shared = false);
std::string EncodeStoredResponse(std::string_view etag, std::string_view stamp,
                                 std::string_view body);
std::string EncodeSharedReference(std::string_view etag, std::string_view stamp,
                                  std::string_view shared_body_key);
std::optional<StoredResponse> DecodeStoredResponse(std::string_view value);

// A compressed variant of an entry, stored under VariantKey(K, coding) beside K (same hash slot):
//   "g2 " (gzip) or "b2 " (br) + the variant's etag (of the compressed bytes) + " " + the stamp of
//   the entry it was compressed from + "\n" + the compressed bytes.
// Its first kStoredHeaderSize bytes identify it (another compression of the same entry has
// another etag), so a local copy of a variant is checked with a GETRANGE like an entry's.
// `coding` must not be identity (an empty string is returned).
std::string EncodeVariant(http::core::ContentCoding coding, std::string_view etag,
                          std::string_view stamp, std::string_view bytes);
// nullopt when `value` is not a variant in `coding`; `body` holds the compressed bytes.
std::optional<StoredResponse> DecodeVariant(http::core::ContentCoding coding,
                                            std::string_view value);
// Where the variant of Redis key `key` in `coding` lives: "{" + key + "}:" + "gzip" | "br", the
// hash tag being the whole key, as for the version key "{K}:v": same slot as K in a Cluster.
std::string VariantKey(std::string_view key, http::core::ContentCoding coding);

// "vitrina:body:" + the SHA-1 of the bytes in hex: equal bodies share one key whatever query
// produced them (?price_min=-1 and ?price_min=-2 are both the whole catalog). Content-addressed,
// so the bytes under a key never change: a write invalidates the entries that point to it.
std::string SharedBodyKey(std::string_view body);

}  // namespace vitrina::cache::core
