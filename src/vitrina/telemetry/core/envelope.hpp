#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

namespace vitrina::telemetry::core {

// Application Insights envelopes (the JSON items POSTed to /v2.1/track), built as pure values so
// their exact field names and shapes are unit-tested. Metrics are pre-aggregated and never
// sampled: their sampleRate is always 100. String fields are cut to the ingestion
// limits (name 1024, url 2048, message 32768, property value 8192) instead of being rejected.

struct TelemetryProperty {
  std::string_view key;
  std::string_view value;
};
using TelemetryProperties = std::span<const TelemetryProperty>;

// The same in every envelope this process sends.
struct TelemetryIdentity {
  std::string instrumentation_key;
  std::string cloud_role = "vitrina";  // ai.cloud.role: the service name in the Application Map
  std::string cloud_role_instance;     // ai.cloud.roleInstance: the host or replica
  std::string sdk_version = "vitrina-cpp:0.1.0";
};

// The request an item belongs to; empty views are left out of the tags.
struct TelemetryOperation {
  std::string_view trace_id;   // ai.operation.id
  std::string_view parent_id;  // ai.operation.parentId
  std::string_view name;       // ai.operation.name, e.g. "GET /catalog"
};

struct RequestTelemetry {
  std::chrono::system_clock::time_point start;
  std::string_view id;    // this request's span id
  std::string_view name;  // the route template, e.g. "GET /catalog", never the raw path
  std::string_view url;
  std::chrono::microseconds duration{0};
  int response_code = 200;
  bool success = true;
  TelemetryProperties properties;
  // The envelope's sampleRate: the percent chance this item had of being kept (core/sampling.hpp).
  double sample_rate = 100.0;
};

struct DependencyTelemetry {
  std::chrono::system_clock::time_point start;
  std::string_view id;
  std::string_view type;    // "postgresql", "redis", "HTTP"
  std::string_view name;    // the statement's name, the Redis command, "POST /v1/token"
  std::string_view target;  // host:port or database
  std::string_view data;    // the statement's name, the command, or the URL without query
  std::chrono::microseconds duration{0};
  std::string_view result_code;
  bool success = true;
  TelemetryProperties properties;
  // The envelope's sampleRate: the percent chance this item had of being kept (core/sampling.hpp).
  double sample_rate = 100.0;
};

// Severity levels shared by MessageData and ExceptionData.
enum class TelemetrySeverity {
  kVerbose = 0,
  kInformation = 1,
  kWarning = 2,
  kError = 3,
  kCritical = 4
};

// Only a type and a message: stacks and raw error details may carry secrets or SQL.
struct ExceptionTelemetry {
  std::chrono::system_clock::time_point time;
  std::string_view type_name;
  std::string_view message;
  TelemetrySeverity severity = TelemetrySeverity::kError;
  TelemetryProperties properties;
  // The envelope's sampleRate: the percent chance this item had of being kept (core/sampling.hpp).
  double sample_rate = 100.0;
};

// One value (count 1) or a pre-aggregated series (count > 1 with min and max).
struct MetricTelemetry {
  std::chrono::system_clock::time_point time;
  std::string_view name;
  double value = 0;
  std::int64_t count = 1;
  std::optional<double> min;
  std::optional<double> max;
  TelemetryProperties properties;
};

struct MessageTelemetry {
  std::chrono::system_clock::time_point time;
  std::string_view message;
  TelemetrySeverity severity = TelemetrySeverity::kInformation;
  TelemetryProperties properties;
  // The envelope's sampleRate: the percent chance this item had of being kept (core/sampling.hpp).
  double sample_rate = 100.0;
};

boost::json::object BuildRequestEnvelope(const TelemetryIdentity& identity,
                                         const TelemetryOperation& operation,
                                         const RequestTelemetry& request);
boost::json::object BuildDependencyEnvelope(const TelemetryIdentity& identity,
                                            const TelemetryOperation& operation,
                                            const DependencyTelemetry& dependency);
boost::json::object BuildExceptionEnvelope(const TelemetryIdentity& identity,
                                           const TelemetryOperation& operation,
                                           const ExceptionTelemetry& exception);
boost::json::object BuildMetricEnvelope(const TelemetryIdentity& identity,
                                        const MetricTelemetry& metric);
boost::json::object BuildMessageEnvelope(const TelemetryIdentity& identity,
                                         const TelemetryOperation& operation,
                                         const MessageTelemetry& message);

}  // namespace vitrina::telemetry::core
