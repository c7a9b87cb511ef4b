#include "vitrina/core/telemetry_time.hpp"

#include <cstdio>
#include <ctime>

namespace vitrina::core {

std::string FormatTelemetryDuration(std::chrono::microseconds duration) {
  const long long total = duration.count() < 0 ? 0 : static_cast<long long>(duration.count());
  const long long micros = total % 1'000'000;
  const long long seconds = total / 1'000'000;
  char text[48];
  const int size =
      std::snprintf(text, sizeof text, "%lld.%02lld:%02lld:%02lld.%06lld", seconds / 86400,
                    seconds / 3600 % 24, seconds / 60 % 60, seconds % 60, micros);
  return std::string(text, static_cast<std::size_t>(size));
}

std::string FormatTelemetryTime(std::chrono::system_clock::time_point time) {
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::microseconds>(time.time_since_epoch()).count();
  // Floor division, so times before 1970 (only ever seen in tests) still format sanely.
  long long seconds = since_epoch / 1'000'000;
  long long micros = since_epoch % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    seconds -= 1;
  }
  const std::time_t whole = static_cast<std::time_t>(seconds);
  std::tm utc{};
  gmtime_r(&whole, &utc);
  char text[48];
  const int size =
      std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", utc.tm_year + 1900,
                    utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, micros);
  return std::string(text, static_cast<std::size_t>(size));
}

}  // namespace vitrina::core
