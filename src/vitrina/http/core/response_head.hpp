#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "vitrina/http/core/message.hpp"

namespace vitrina::http::core {

// How the server frames a response's body: decided by the server (the request's version, whether
// the connection stays open, how the body is sent), not by the handler.
struct ResponseFraming {
  unsigned version = 11;  // 10 or 11
  bool keep_alive = true;
  // Content-Length when the length is known (nullopt: none, as for 1xx/204/304 or a stream).
  std::optional<std::size_t> content_length;
  bool chunked = false;  // Transfer-Encoding: chunked (a stream on HTTP/1.1)
};

// Appends the status line and header section of `response` as they go on the wire (RFC 9112
// section 4 and 5), ending with the empty line: Content-Type (left out only on an empty 204),
// the handler's headers, the shared ones, then the framing's Connection, Transfer-Encoding and
// Content-Length. Written straight into the caller's buffer, which the server reuses from one
// response to the next: building the header as a list of fields first cost a cached answer
// one allocation per field.
void AppendResponseHead(std::string& out, const Response& response, const ResponseFraming& framing);

// The reason phrase for `status` (RFC 9110 section 15), empty for a code it does not list
// (a reason phrase may be empty: RFC 9112 section 4).
std::string_view ReasonPhrase(unsigned status);

}  // namespace vitrina::http::core
