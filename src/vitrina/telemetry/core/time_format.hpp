#pragma once

#include <chrono>
#include <string>

namespace vitrina::telemetry::core {

// Application Insights durations are TimeSpan strings "D.HH:MM:SS.ffffff" (days always
// present, microsecond precision): 1.5 ms is "0.00:00:00.001500". Negative values clamp to 0.
std::string FormatTelemetryDuration(std::chrono::microseconds duration);

// ISO 8601 UTC with microseconds, e.g. "2024-05-01T12:34:56.789012Z".
std::string FormatTelemetryTime(std::chrono::system_clock::time_point time);

}  // namespace vitrina::telemetry::core
