#include "vitrina/telemetry/core/envelope.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace vitrina::telemetry::core {
namespace {

using std::chrono::microseconds;

const std::chrono::system_clock::time_point kTime{microseconds(1714566896789012)};

TelemetryIdentity Identity() {
  TelemetryIdentity identity;
  identity.instrumentation_key = "ikey";
  identity.cloud_role_instance = "host-1";
  return identity;
}

void ExpectJson(const boost::json::object& actual, std::string_view expected) {
  EXPECT_EQ(boost::json::value(actual), boost::json::parse(expected))
      << boost::json::serialize(actual);
}

TEST(TelemetryEnvelope, RequestHasTheFieldsOfRequestData) {
  const TelemetryProperty properties[] = {{"cache", "hit"}};
  RequestTelemetry request;
  request.start = kTime;
  request.id = "00f067aa0ba902b7";
  request.name = "GET /catalog";
  request.url = "/catalog?carat_min=1";
  request.duration = microseconds(1500);
  request.response_code = 200;
  request.success = true;
  request.properties = properties;
  const TelemetryOperation operation{"4bf92f3577b34da6a3ce929d0e0e4736", "b7ad6b7169203331",
                                     "GET /catalog"};
  ExpectJson(BuildRequestEnvelope(Identity(), operation, request), R"({
    "ver": 1, "name": "Microsoft.ApplicationInsights.Request",
    "time": "2024-05-01T12:34:56.789012Z", "sampleRate": 100.0, "iKey": "ikey",
    "tags": {"ai.cloud.role": "vitrina", "ai.cloud.roleInstance": "host-1",
             "ai.operation.id": "4bf92f3577b34da6a3ce929d0e0e4736",
             "ai.operation.parentId": "b7ad6b7169203331", "ai.operation.name": "GET /catalog",
             "ai.internal.sdkVersion": "vitrina-cpp:0.1.0"},
    "data": {"baseType": "RequestData", "baseData": {
      "ver": 2, "id": "00f067aa0ba902b7", "name": "GET /catalog",
      "duration": "0.00:00:00.001500", "success": true, "responseCode": "200",
      "url": "/catalog?carat_min=1", "properties": {"cache": "hit"}, "measurements": {}}}})");
}

TEST(TelemetryEnvelope, DependencyHasTheFieldsOfRemoteDependencyData) {
  DependencyTelemetry dependency;
  dependency.start = kTime;
  dependency.id = "a1b2c3d4e5f60718";
  dependency.type = "postgresql";
  dependency.name = "kSelectCatalogPage";
  dependency.target = "127.0.0.1:5432 | vitrina";
  dependency.data = "kSelectCatalogPage";
  dependency.duration = microseconds(4100);
  dependency.result_code = "OK";
  dependency.success = true;
  dependency.sample_rate = 12.5;  // kept by sampling at 1 in 8
  const TelemetryOperation operation{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", {}};
  ExpectJson(BuildDependencyEnvelope(Identity(), operation, dependency), R"({
    "ver": 1, "name": "Microsoft.ApplicationInsights.RemoteDependency",
    "time": "2024-05-01T12:34:56.789012Z", "sampleRate": 12.5, "iKey": "ikey",
    "tags": {"ai.cloud.role": "vitrina", "ai.cloud.roleInstance": "host-1",
             "ai.operation.id": "4bf92f3577b34da6a3ce929d0e0e4736",
             "ai.operation.parentId": "00f067aa0ba902b7",
             "ai.internal.sdkVersion": "vitrina-cpp:0.1.0"},
    "data": {"baseType": "RemoteDependencyData", "baseData": {
      "ver": 2, "id": "a1b2c3d4e5f60718", "name": "kSelectCatalogPage", "type": "postgresql",
      "target": "127.0.0.1:5432 | vitrina", "data": "kSelectCatalogPage",
      "duration": "0.00:00:00.004100", "resultCode": "OK", "success": true,
      "properties": {}}}})");
}

TEST(TelemetryEnvelope, ExceptionCarriesTypeAndMessageButNoStack) {
  ExceptionTelemetry exception;
  exception.time = kTime;
  exception.type_name = "std::runtime_error";
  exception.message = "pool exhausted";
  const auto envelope = BuildExceptionEnvelope(Identity(), {}, exception);
  EXPECT_EQ(envelope.at("name"), "Microsoft.ApplicationInsights.Exception");
  EXPECT_FALSE(envelope.at("tags").as_object().contains("ai.operation.id"));
  ExpectJson(envelope.at("data").as_object(), R"({"baseType": "ExceptionData", "baseData": {
      "ver": 2, "exceptions": [{"id": 1, "typeName": "std::runtime_error",
                                "message": "pool exhausted", "hasFullStack": false}],
      "severityLevel": 3, "properties": {}}})");
}

TEST(TelemetryEnvelope, MetricIsAMeasurementOrAnAggregation) {
  MetricTelemetry single;
  single.time = kTime;
  single.name = "Cache hits";
  single.value = 42;
  ExpectJson(BuildMetricEnvelope(Identity(), single).at("data").as_object(),
             R"({"baseType": "MetricData", "baseData": {"ver": 2, "metrics": [
                 {"name": "Cache hits", "kind": 0, "value": 42.0, "count": 1}],
                 "properties": {}}})");
  MetricTelemetry aggregated = single;
  aggregated.value = 10;
  aggregated.count = 4;
  aggregated.min = 1;
  aggregated.max = 4;
  ExpectJson(BuildMetricEnvelope(Identity(), aggregated).at("data").as_object(),
             R"({"baseType": "MetricData", "baseData": {"ver": 2, "metrics": [
                 {"name": "Cache hits", "kind": 1, "value": 10.0, "count": 4,
                  "min": 1.0, "max": 4.0}], "properties": {}}})");
}

TEST(TelemetryEnvelope, MessageHasSeverityLevel) {
  MessageTelemetry message;
  message.time = kTime;
  message.message = "dataset loaded";
  message.severity = TelemetrySeverity::kWarning;
  ExpectJson(BuildMessageEnvelope(Identity(), {}, message).at("data").as_object(),
             R"({"baseType": "MessageData", "baseData": {"ver": 2, "message": "dataset loaded",
                 "severityLevel": 2, "properties": {}}})");
}

TEST(TelemetryEnvelope, OverlongFieldsAreCutAtACharacterBoundary) {
  std::string url(2047, 'a');
  url += "\xc3\xa9";  // a two-byte character straddling the 2048 limit
  RequestTelemetry request;
  request.url = url;
  const auto envelope = BuildRequestEnvelope(Identity(), {}, request);
  const auto& cut = envelope.at("data").at("baseData").at("url").as_string();
  EXPECT_EQ(cut.size(), 2047U);
}

}  // namespace
}  // namespace vitrina::telemetry::core
