#pragma once

#include <string>
#include <string_view>

#include "vitrina/base/result.hpp"

namespace vitrina::telemetry::core {

// The parts of an Application Insights connection string that the exporter needs.
struct TelemetryConnectionString {
  std::string instrumentation_key;
  // Scheme and host, never a trailing slash (e.g. "https://dc.services.visualstudio.com").
  std::string ingestion_endpoint;

  // Where batches are POSTed: {IngestionEndpoint}/v2.1/track.
  std::string TrackUrl() const { return ingestion_endpoint + "/v2.1/track"; }
};

inline constexpr std::string_view kDefaultIngestionEndpoint =
    "https://dc.services.visualstudio.com";

// Parses "InstrumentationKey=...;IngestionEndpoint=https://...;LiveEndpoint=...". Keys are
// case-insensitive, unknown keys are ignored (Azure adds new ones over time), and a malformed
// string is an error naming what is wrong. The key itself is never echoed into the message.
base::Result<TelemetryConnectionString> ParseTelemetryConnectionString(std::string_view text);

}  // namespace vitrina::telemetry::core
