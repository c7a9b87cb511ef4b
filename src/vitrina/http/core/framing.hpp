#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/error.hpp"

namespace vitrina::http::core {

// What the server learned from a request's header section, before reading any body: enough to
// decide whether the message can be framed without ambiguity (RFC 9112 section 6).
struct RequestFraming {
  unsigned version = 11;                           // 10 or 11
  std::vector<std::string_view> transfer_codings;  // every Transfer-Encoding value, in order
  bool has_content_length = false;
  int host_fields = 0;  // how many Host header fields
};

// nullopt when the request may be read; otherwise the refusal, after which the connection is
// closed (a proxy in front of us may have framed the message differently, so nothing after it on
// that connection can be trusted):
//   - Transfer-Encoding other than exactly "chunked" (any other coding, a list, "identity") ->
//     kNotImplemented (501): we implement no other coding;
//   - Transfer-Encoding together with Content-Length -> kInvalidArgument (400): the classic
//     request-smuggling shape;
//   - HTTP/1.1 without exactly one Host -> kInvalidArgument (400).
std::optional<base::Error> CheckFraming(const RequestFraming& framing);

// RFC 9110 section 13.1.2: does If-None-Match (`header`, as sent; empty when absent) match the
// current representation's entity tag (`etag`, quoted, e.g. "\"abc\"")? "*" matches any; a list
// matches when any member does; comparison is weak (W/ prefixes ignored on both sides). A
// malformed member matches nothing.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

// HTTP/1.1 chunked transfer coding (RFC 9112 section 7.1) of a streamed response body: the size
// line that goes before a chunk of `size` bytes (hex, CRLF; `size` > 0), the CRLF that follows
// the chunk's bytes, and the last chunk that ends the body (no trailers). A body cut short
// without the last chunk is how a client learns that the stream failed.
std::string ChunkSizeLine(std::size_t size);
inline constexpr std::string_view kChunkEnd = "\r\n";
inline constexpr std::string_view kLastChunk = "0\r\n\r\n";

// A whole chunk (size line, bytes, CRLF); empty bytes give nothing (an empty chunk would end the
// body). For tests and small pieces; the server writes the three parts without copying.
std::string EncodeChunk(std::string_view bytes);

}  // namespace vitrina::http::core
