#include "vitrina/telemetry/core/server_timing.hpp"

#include <vector>

#include <gtest/gtest.h>

namespace vitrina::telemetry::core {
namespace {

using std::chrono::microseconds;

TEST(ServerTiming, ListsPhasesInMillisecondsWithTwoDecimals) {
  const std::vector<ServerTimingMetric> metrics = {
      {"auth", microseconds(120)}, {"cache", microseconds(300)}, {"db", microseconds(4100)}};
  EXPECT_EQ(FormatServerTiming(metrics), "auth;dur=0.12, cache;dur=0.30, db;dur=4.10");
}

TEST(ServerTiming, RoundsHalfUpSkipsUnnamedAndSanitizesNames) {
  const std::vector<ServerTimingMetric> metrics = {
      {"", microseconds(5)}, {"db query", microseconds(125)}, {"x", microseconds(1'234'567)}};
  EXPECT_EQ(FormatServerTiming(metrics), "db_query;dur=0.13, x;dur=1234.57");
  EXPECT_EQ(FormatServerTiming({}), "");
}

}  // namespace
}  // namespace vitrina::telemetry::core
