#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vitrina::core {

// What the access log records about one request. Views must outlive the call only.
struct AccessLogEntry {
  std::chrono::system_clock::time_point time;  // when the request started
  std::string_view request_id;                 // the request's span id (= telemetry Request id)
  std::string_view trace_id;                   // joins the line to App Insights' operation id
  std::string_view method;
  std::string_view route;  // the route template, "" when nothing matched
  std::string_view path;   // without the query string: queries may carry tokens
  int status = 0;
  std::chrono::microseconds duration{0};
  std::string_view cache_result;            // "hit", "miss", "bypass"; "" → null
  std::optional<std::string_view> user_id;  // only for authenticated requests
  std::uint64_t bytes = 0;                  // response body size
};

// One JSON object on one line, fields in a fixed order, no trailing newline:
// {"time":"2024-05-01T12:00:00.000000Z","request_id":"…","trace_id":"…","method":"GET",
//  "route":"GET /catalog","path":"/catalog","status":200,"duration_ms":4.102,"cache":"hit",
//  "user_id":null,"bytes":5120}
std::string FormatAccessLogLine(const AccessLogEntry& entry);

}  // namespace vitrina::core
