#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vitrina/base/result.hpp"
#include "vitrina/etl/byte_stream.hpp"

namespace vitrina::etl {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string_view body;             // sent as is (PUT)
  bool follow_redirects = false;
};

struct HttpResponse {
  long status = 0;
  std::string error_body;  // the beginning of a non-2xx body, for messages
};

// One request with libcurl. A 2xx body is streamed into `sink` (may be null to discard it); any
// other status returns the response (not an error) so callers can word the message for their
// context. Transport failures (refused, DNS, timeout) are kUnavailable errors; an error returned
// by the sink is passed through unchanged.
base::Result<HttpResponse> SendHttp(const HttpRequest& request, ByteSink* sink);

}  // namespace vitrina::etl
