#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>

namespace vitrina::telemetry::core {

// One phase of a request for the `Server-Timing` response header, which browsers' dev tools
// show next to the network timing.
struct ServerTimingMetric {
  std::string_view name;  // a token: "auth", "cache", "db"
  std::chrono::microseconds duration{0};
};

// "auth;dur=0.12, cache;dur=0.30, db;dur=4.10": milliseconds with two decimals. Characters that
// are not valid in a header token become '_'; entries without a name are skipped.
std::string FormatServerTiming(std::span<const ServerTimingMetric> metrics);

}  // namespace vitrina::telemetry::core
