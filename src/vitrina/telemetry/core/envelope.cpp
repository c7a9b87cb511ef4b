#include "vitrina/telemetry/core/envelope.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/string.hpp>

#include "vitrina/telemetry/core/time_format.hpp"

namespace vitrina::telemetry::core {
namespace {

// Ingestion limits (from the Application Insights data model): longer values are rejected with a
// 206 per-item error, so cutting them here keeps the item.
constexpr std::size_t kMaxNameLength = 1024;
constexpr std::size_t kMaxUrlLength = 2048;
constexpr std::size_t kMaxDataLength = 8192;
constexpr std::size_t kMaxMessageLength = 32768;
constexpr std::size_t kMaxPropertyKeyLength = 150;
constexpr std::size_t kMaxPropertyValueLength = 8192;
// Enough for a typical envelope (~1 KB of JSON as a DOM); longer ones take another block.
constexpr std::size_t kArenaBytes = 2048;

// Cuts at a UTF-8 character boundary so the JSON stays valid text.
boost::json::string_view Cut(std::string_view text, std::size_t max) {
  if (text.size() > max) {
    std::size_t size = max;
    while (size > 0 && (static_cast<unsigned char>(text[size]) & 0xC0) == 0x80) --size;
    text = text.substr(0, size);
  }
  return {text.data(), text.size()};
}

boost::json::object Envelope(const TelemetryIdentity& identity, std::string_view kind,
                             std::chrono::system_clock::time_point time,
                             const TelemetryOperation& operation, double sample_rate) {
  // One arena per envelope: its ~30 small allocations become pointer bumps, and the exporter
  // frees the whole envelope with one deallocation after serializing it.
  boost::json::object envelope(
      boost::json::make_shared_resource<boost::json::monotonic_resource>(kArenaBytes));
  envelope.reserve(7);
  envelope["ver"] = 1;
  envelope["name"] = std::string("Microsoft.ApplicationInsights.").append(kind);
  envelope["time"] = FormatTelemetryTime(time);
  envelope["sampleRate"] = sample_rate;
  envelope["iKey"] = identity.instrumentation_key;
  boost::json::object& tags = envelope["tags"].emplace_object();
  tags.reserve(6);
  tags["ai.cloud.role"] = identity.cloud_role;
  tags["ai.cloud.roleInstance"] = identity.cloud_role_instance;
  if (!operation.trace_id.empty()) tags["ai.operation.id"] = Cut(operation.trace_id, 128);
  if (!operation.parent_id.empty()) tags["ai.operation.parentId"] = Cut(operation.parent_id, 128);
  if (!operation.name.empty()) tags["ai.operation.name"] = Cut(operation.name, kMaxNameLength);
  tags["ai.internal.sdkVersion"] = identity.sdk_version;
  return envelope;
}

// Returns baseData, already placed under data{baseType, baseData}.
boost::json::object& BaseData(boost::json::object& envelope, std::string_view base_type) {
  boost::json::object& data = envelope["data"].emplace_object();
  data["baseType"] = boost::json::string_view(base_type.data(), base_type.size());
  boost::json::object& base = data["baseData"].emplace_object();
  base["ver"] = 2;
  return base;
}

void AddProperties(boost::json::object& base, TelemetryProperties properties) {
  boost::json::object& object = base["properties"].emplace_object();
  for (const auto& property : properties) {
    object[Cut(property.key, kMaxPropertyKeyLength)] = Cut(property.value, kMaxPropertyValueLength);
  }
}

}  // namespace

boost::json::object BuildRequestEnvelope(const TelemetryIdentity& identity,
                                         const TelemetryOperation& operation,
                                         const RequestTelemetry& request) {
  auto envelope = Envelope(identity, "Request", request.start, operation, request.sample_rate);
  auto& base = BaseData(envelope, "RequestData");
  base["id"] = Cut(request.id, 128);
  base["name"] = Cut(request.name, kMaxNameLength);
  base["duration"] = FormatTelemetryDuration(request.duration);
  base["success"] = request.success;
  base["responseCode"] = std::to_string(request.response_code);
  base["url"] = Cut(request.url, kMaxUrlLength);
  AddProperties(base, request.properties);
  base["measurements"].emplace_object();
  return envelope;
}

boost::json::object BuildDependencyEnvelope(const TelemetryIdentity& identity,
                                            const TelemetryOperation& operation,
                                            const DependencyTelemetry& dependency) {
  auto envelope =
      Envelope(identity, "RemoteDependency", dependency.start, operation, dependency.sample_rate);
  auto& base = BaseData(envelope, "RemoteDependencyData");
  base["id"] = Cut(dependency.id, 128);
  base["name"] = Cut(dependency.name, kMaxNameLength);
  base["type"] = Cut(dependency.type, kMaxNameLength);
  base["target"] = Cut(dependency.target, kMaxNameLength);
  base["data"] = Cut(dependency.data, kMaxDataLength);
  base["duration"] = FormatTelemetryDuration(dependency.duration);
  base["resultCode"] = Cut(dependency.result_code, kMaxNameLength);
  base["success"] = dependency.success;
  AddProperties(base, dependency.properties);
  return envelope;
}

boost::json::object BuildExceptionEnvelope(const TelemetryIdentity& identity,
                                           const TelemetryOperation& operation,
                                           const ExceptionTelemetry& exception) {
  auto envelope = Envelope(identity, "Exception", exception.time, operation, exception.sample_rate);
  auto& base = BaseData(envelope, "ExceptionData");
  boost::json::object details(base.storage());
  details["id"] = 1;
  details["typeName"] = Cut(exception.type_name, kMaxNameLength);
  details["message"] = Cut(exception.message, kMaxMessageLength);
  details["hasFullStack"] = false;
  base["exceptions"].emplace_array().push_back(std::move(details));
  base["severityLevel"] = static_cast<int>(exception.severity);
  AddProperties(base, exception.properties);
  return envelope;
}

boost::json::object BuildMetricEnvelope(const TelemetryIdentity& identity,
                                        const MetricTelemetry& metric) {
  auto envelope = Envelope(identity, "Metric", metric.time, TelemetryOperation{}, 100.0);
  auto& base = BaseData(envelope, "MetricData");
  boost::json::object point(base.storage());
  point["name"] = Cut(metric.name, kMaxNameLength);
  // DataPointType: 0 = Measurement (a single value), 1 = Aggregation (value is the sum).
  const bool aggregated = metric.count != 1 || metric.min || metric.max;
  point["kind"] = aggregated ? 1 : 0;
  point["value"] = metric.value;
  point["count"] = metric.count;
  if (metric.min) point["min"] = *metric.min;
  if (metric.max) point["max"] = *metric.max;
  base["metrics"].emplace_array().push_back(std::move(point));
  AddProperties(base, metric.properties);
  return envelope;
}

boost::json::object BuildMessageEnvelope(const TelemetryIdentity& identity,
                                         const TelemetryOperation& operation,
                                         const MessageTelemetry& message) {
  auto envelope = Envelope(identity, "Message", message.time, operation, message.sample_rate);
  auto& base = BaseData(envelope, "MessageData");
  base["message"] = Cut(message.message, kMaxMessageLength);
  base["severityLevel"] = static_cast<int>(message.severity);
  AddProperties(base, message.properties);
  return envelope;
}

}  // namespace vitrina::telemetry::core
