#include "vitrina/telemetry/core/time_format.hpp"

#include <gtest/gtest.h>

namespace vitrina::telemetry::core {
namespace {

using std::chrono::microseconds;

TEST(TelemetryDuration, FormatsAsDaysHoursMinutesSecondsMicroseconds) {
  EXPECT_EQ(FormatTelemetryDuration(microseconds(1500)), "0.00:00:00.001500");
  EXPECT_EQ(FormatTelemetryDuration(microseconds(0)), "0.00:00:00.000000");
  EXPECT_EQ(FormatTelemetryDuration(std::chrono::seconds(3661) + microseconds(7)),
            "0.01:01:01.000007");
  EXPECT_EQ(FormatTelemetryDuration(std::chrono::hours(49) + std::chrono::seconds(59)),
            "2.01:00:59.000000");
}

TEST(TelemetryDuration, NegativeDurationsClampToZero) {
  EXPECT_EQ(FormatTelemetryDuration(microseconds(-5)), "0.00:00:00.000000");
}

TEST(TelemetryTime, IsIso8601UtcWithMicroseconds) {
  const std::chrono::system_clock::time_point time{microseconds(1714566896789012)};
  EXPECT_EQ(FormatTelemetryTime(time), "2024-05-01T12:34:56.789012Z");
  EXPECT_EQ(FormatTelemetryTime(std::chrono::system_clock::time_point{}),
            "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTelemetryTime(std::chrono::system_clock::time_point{microseconds(-1)}),
            "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatTelemetryTime(std::chrono::system_clock::time_point{
                std::chrono::sys_days{std::chrono::year{2024} / 2 / 29}.time_since_epoch()}),
            "2024-02-29T00:00:00.000000Z");
}

}  // namespace
}  // namespace vitrina::telemetry::core
