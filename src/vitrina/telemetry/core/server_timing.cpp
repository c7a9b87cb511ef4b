#include "vitrina/telemetry/core/server_timing.hpp"

#include <cstdio>
#include <cstring>

namespace vitrina::telemetry::core {
namespace {

// RFC 9110 tchar.
bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr);
}

}  // namespace

std::string FormatServerTiming(std::span<const ServerTimingMetric> metrics) {
  std::string header;
  header.reserve(metrics.size() * 20);
  for (const auto& metric : metrics) {
    if (metric.name.empty()) continue;
    if (!header.empty()) header += ", ";
    for (const char c : metric.name) header += IsTokenChar(c) ? c : '_';
    const long long micros = metric.duration.count() < 0 ? 0 : metric.duration.count();
    // Rounded to hundredths of a millisecond in integers, so 0.125 ms is always "0.13".
    const long long hundredths = (micros + 5) / 10;
    char number[32];
    const int size = std::snprintf(number, sizeof number, ";dur=%lld.%02lld", hundredths / 100,
                                   hundredths % 100);
    header.append(number, static_cast<std::size_t>(size));
  }
  return header;
}

}  // namespace vitrina::telemetry::core
