#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "vitrina/http/core/authenticator.hpp"
#include "vitrina/http/core/pipeline.hpp"

namespace vitrina::http::core {

// What the access log receives once per request; the sink decides the format (one JSON line via
// spdlog today, telemetry later).
struct AccessRecord {
  std::string_view request_id;
  std::string_view method;
  std::string_view route;  // the template, never the raw path with ids in it
  std::string_view path;
  unsigned status = 0;
  double duration_ms = 0;
  std::size_t response_bytes = 0;
  std::string_view error_code;
  std::string_view error_detail;  // internal: SQLSTATE, exception text
  std::string_view cache;         // the response's X-Cache (HIT, MISS, BYPASS, DISABLED) or ""
  std::string_view trace_id;      // the W3C trace id (App Insights operation id) or ""
};
using AccessLogSink = std::function<void(const AccessRecord&)>;

// Outermost: assigns the request id (a valid incoming X-Request-Id is kept), echoes it in the
// response and reports the request to the sink when it is done.
Middleware RequestLogging(AccessLogSink sink);

// Turns an exception escaping a handler (a bug) into a 500 JSON error; the text goes to the log.
Middleware RecoverFromExceptions();

// Enforces the matched route's Access with the authenticator: 401 without valid credentials, 403
// for an inactive user or a non-admin on an admin route; sets Request::principal. The time spent
// authenticating goes to the request's trace (Server-Timing "auth").
Middleware RequireAccess(Authenticator& authenticator);

}  // namespace vitrina::http::core
