#include "vitrina/core/telemetry_access_log.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace vitrina::core {
namespace {

using std::chrono::microseconds;

AccessLogEntry Entry() {
  AccessLogEntry entry;
  entry.time = std::chrono::system_clock::time_point{microseconds(1714566896789012)};
  entry.request_id = "00f067aa0ba902b7";
  entry.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  entry.method = "GET";
  entry.route = "GET /catalog";
  entry.path = "/catalog";
  entry.status = 200;
  entry.duration = microseconds(4102);
  entry.cache_result = "hit";
  entry.bytes = 5120;
  return entry;
}

TEST(AccessLog, IsOneJsonObjectWithFieldsInAFixedOrder) {
  EXPECT_EQ(FormatAccessLogLine(Entry()),
            R"({"time":"2024-05-01T12:34:56.789012Z","request_id":"00f067aa0ba902b7",)"
            R"("trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","method":"GET",)"
            R"("route":"GET /catalog","path":"/catalog","status":200,"duration_ms":4.102,)"
            R"("cache":"hit","user_id":null,"bytes":5120})");
}

TEST(AccessLog, IncludesTheUserAndNullsAnAbsentCacheResult) {
  auto entry = Entry();
  entry.cache_result = "";
  entry.user_id = "uid-42";
  const auto line = FormatAccessLogLine(entry);
  const auto parsed = boost::json::parse(line).as_object();
  EXPECT_TRUE(parsed.at("cache").is_null());
  EXPECT_EQ(parsed.at("user_id"), "uid-42");
}

TEST(AccessLog, EscapesHostileText) {
  auto entry = Entry();
  entry.path = "/catalog\"\n\x01\\";
  const auto line = FormatAccessLogLine(entry);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(boost::json::parse(line).at("path"), "/catalog\"\n\x01\\");
}

}  // namespace
}  // namespace vitrina::core
