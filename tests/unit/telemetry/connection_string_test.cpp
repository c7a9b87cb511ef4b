#include "vitrina/telemetry/core/connection_string.hpp"

#include <gtest/gtest.h>

namespace vitrina::telemetry::core {
namespace {

TEST(TelemetryConnectionString, ReadsKeyAndEndpointAndDropsTrailingSlash) {
  const auto parsed = ParseTelemetryConnectionString(
      "InstrumentationKey=00000000-0000-0000-0000-000000000001;"
      "IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;"
      "LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->instrumentation_key, "00000000-0000-0000-0000-000000000001");
  EXPECT_EQ(parsed->ingestion_endpoint, "https://westeurope-5.in.applicationinsights.azure.com");
  EXPECT_EQ(parsed->TrackUrl(), "https://westeurope-5.in.applicationinsights.azure.com/v2.1/track");
}

TEST(TelemetryConnectionString, DefaultsTheEndpointAndIgnoresKeyCaseSpacesAndUnknownKeys) {
  const auto parsed =
      ParseTelemetryConnectionString(" instrumentationkey = abc ;ApplicationId=xyz;;");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->instrumentation_key, "abc");
  EXPECT_EQ(parsed->TrackUrl(), "https://dc.services.visualstudio.com/v2.1/track");
}

TEST(TelemetryConnectionString, AcceptsAPlainHttpLocalCapture) {
  const auto parsed = ParseTelemetryConnectionString(
      "InstrumentationKey=k;INGESTIONENDPOINT=http://127.0.0.1:58901");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->TrackUrl(), "http://127.0.0.1:58901/v2.1/track");
}

TEST(TelemetryConnectionString, MalformedStringsAreErrorsNamingTheProblem) {
  const auto missing_key = ParseTelemetryConnectionString("IngestionEndpoint=https://x/");
  ASSERT_FALSE(missing_key.ok());
  EXPECT_EQ(missing_key.error().code, base::ErrorCode::kInvalidArgument);
  EXPECT_EQ(missing_key.error().message,
            "APPLICATIONINSIGHTS_CONNECTION_STRING is malformed: InstrumentationKey is missing");

  const auto not_pair = ParseTelemetryConnectionString("InstrumentationKey=k;garbage");
  ASSERT_FALSE(not_pair.ok());
  EXPECT_NE(not_pair.error().message.find("'garbage' is not a Key=Value pair"), std::string::npos);

  const auto bad_url =
      ParseTelemetryConnectionString("InstrumentationKey=k;IngestionEndpoint=ftp://x");
  ASSERT_FALSE(bad_url.ok());
  EXPECT_NE(bad_url.error().message.find("IngestionEndpoint must be an http:// or https:// URL"),
            std::string::npos);

  const auto empty_key = ParseTelemetryConnectionString("InstrumentationKey=");
  ASSERT_FALSE(empty_key.ok());
  EXPECT_NE(empty_key.error().message.find("InstrumentationKey is empty"), std::string::npos);

  EXPECT_FALSE(ParseTelemetryConnectionString("").ok());
}

}  // namespace
}  // namespace vitrina::telemetry::core
