#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace vitrina::http::core {

// The content codings the server can send (RFC 9110 section 8.4.1).
enum class ContentCoding { kIdentity, kGzip, kBrotli };

// "identity", "gzip", "br": the token used in Accept-Encoding and Content-Encoding.
std::string_view ContentCodingName(ContentCoding coding);

// What an Accept-Encoding header allows (RFC 9110 section 12.5.3).
struct CodingPreference {
  // The coding to send for a body worth compressing: the acceptable coding of highest q-value
  // among br, gzip and identity; ties prefer br, then gzip, then identity.
  ContentCoding best = ContentCoding::kIdentity;
  // False only when the header excludes identity ("identity;q=0", or "*;q=0" without an
  // identity entry).
  bool identity_acceptable = true;
};

// `header` is the Accept-Encoding value (several fields joined with ","), nullopt when the request
// has none. No header: identity (a client that did not ask may not decode; RFC 9110 allows any
// coding, curl without --compressed would print compressed bytes). An empty header: identity. A
// coding's q-value is its own entry's, else that of "*", else 0. Identity without an entry of its
// own (or "*") is acceptable but yields to any listed coding: "br;q=0.5" asks for br. Names are
// case-insensitive, "x-gzip" is gzip; a member with a malformed q-value is ignored. When nothing
// is acceptable at all, `best` is identity with identity_acceptable false: the server then sends
// identity anyway, as RFC 9110 section 12.5.3 recommends ("ought to respond ... without any
// content coding"), rather than 406.
CodingPreference ParseAcceptEncoding(std::optional<std::string_view> header);

// Answers smaller than this many bytes are sent as they are: compressing them saves a few hundred
// bytes at most, less than the work and the Content-Encoding header cost.
inline constexpr std::size_t kCompressMinBytes = 1024;

// The coding for a body of `size` bytes: `preference.best`, except identity for a body below
// `min_bytes` when identity is acceptable (a client that refuses identity gets its coding even
// for a small body).
ContentCoding ChooseContentCoding(const CodingPreference& preference, std::size_t size,
                                  std::size_t min_bytes = kCompressMinBytes);

}  // namespace vitrina::http::core
