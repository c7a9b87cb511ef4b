#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace vitrina::telemetry::core {

// What one access-log line says about a request. Views must outlive the call only.
struct AccessLogFields {
  std::string_view request_id;
  std::string_view method;
  std::string_view route;  // the route template, never the raw path with ids in it
  std::string_view path;   // without the query string: queries may carry tokens
  unsigned status = 0;
  std::chrono::microseconds duration{0};
  std::uint64_t bytes = 0;  // response body size
  // Left out of the line when empty:
  std::string_view cache;         // the response's X-Cache (HIT, MISS, BYPASS, DISABLED)
  std::string_view trace_id;      // the W3C trace id (App Insights operation id)
  std::string_view error_code;    // e.g. "unavailable"
  std::string_view error_detail;  // internal: SQLSTATE, exception text
};

// The members of one access-log JSON object after "ts" and "level" (the logger's pattern writes
// those and the opening brace), closing brace included, on one line, in a fixed order:
//   "msg":"request","request_id":"…","method":"GET","route":"/catalog","path":"/catalog",
//   "status":200,"duration_us":412,"bytes":5120,"cache":"HIT","trace_id":"…"}
// Written by hand rather than through a JSON DOM because it runs on every request; paths and
// request ids come from clients, so every quote, backslash and control character is escaped.
std::string FormatAccessLogFields(const AccessLogFields& fields);

}  // namespace vitrina::telemetry::core
