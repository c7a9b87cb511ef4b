#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vitrina/base/result.hpp"

namespace vitrina::auth {

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::chrono::milliseconds timeout{5000};
  std::size_t max_response_bytes = 1 << 20;
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string cache_control;  // the Cache-Control header, when sent
  // Every response header, names lower-cased, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;

  // The first header of that (lower-case) name, or "".
  std::string Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
};

// One blocking HTTP exchange over libcurl. Each thread keeps its own easy handle, so consecutive
// calls on a thread reuse the connection (TLS included). Only http and https, no redirects, a
// total timeout and a response-size cap. Transport failures are kUnavailable; any HTTP status is
// a value for the caller to interpret. Inside a request's offloaded call
// (base::CurrentBlockingTrace) the exchange is recorded as an HTTP dependency and carries the
// request's `traceparent`.
base::Result<HttpResponse> PerformHttp(const HttpRequest& request);

}  // namespace vitrina::auth
