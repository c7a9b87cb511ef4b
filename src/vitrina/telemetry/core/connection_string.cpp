#include "vitrina/telemetry/core/connection_string.hpp"

#include <algorithm>
#include <cctype>

namespace vitrina::telemetry::core {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

base::Error Malformed(std::string_view what) {
  std::string message = "APPLICATIONINSIGHTS_CONNECTION_STRING is malformed: ";
  message.append(what);
  return base::MakeError(base::ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

base::Result<TelemetryConnectionString> ParseTelemetryConnectionString(std::string_view text) {
  TelemetryConnectionString parsed;
  parsed.ingestion_endpoint = std::string(kDefaultIngestionEndpoint);
  bool has_key = false;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string_view part = Trim(text.substr(start, end - start));
    start = end + 1;
    if (part.empty()) continue;  // "a=b;;c=d" and a trailing ';' are common and harmless
    const std::size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      // Built with append: g++ 12 -O3 reports a false -Wrestrict on "'" + std::string(...).
      std::string what = "'";
      what.append(part.substr(0, 40)).append("' is not a Key=Value pair");
      return Malformed(what);
    }
    const std::string_view key = Trim(part.substr(0, equals));
    const std::string_view value = Trim(part.substr(equals + 1));
    if (EqualsIgnoreCase(key, "InstrumentationKey")) {
      if (value.empty()) return Malformed("InstrumentationKey is empty");
      parsed.instrumentation_key = std::string(value);
      has_key = true;
    } else if (EqualsIgnoreCase(key, "IngestionEndpoint")) {
      std::string endpoint(value);
      while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
      const bool http = endpoint.rfind("http://", 0) == 0 && endpoint.size() > 7;
      const bool https = endpoint.rfind("https://", 0) == 0 && endpoint.size() > 8;
      if (!http && !https) {
        return Malformed("IngestionEndpoint must be an http:// or https:// URL");
      }
      parsed.ingestion_endpoint = std::move(endpoint);
    }
  }
  if (!has_key) return Malformed("InstrumentationKey is missing");
  return parsed;
}

}  // namespace vitrina::telemetry::core
