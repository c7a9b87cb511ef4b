#include "vitrina/telemetry/core/access_log_line.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace vitrina::telemetry::core {
namespace {

AccessLogFields Fields() {
  AccessLogFields fields;
  fields.request_id = "1f0c9a2b4d6e8f10-42";
  fields.method = "GET";
  fields.route = "/catalog";
  fields.path = "/catalog";
  fields.status = 200;
  fields.duration = std::chrono::microseconds(412);
  fields.bytes = 5120;
  fields.cache = "HIT";
  fields.trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  return fields;
}

// What the logger's pattern puts in front of the fields.
boost::json::object Parse(const std::string& fields) {
  return boost::json::parse(R"({"ts":"2026-11-28T05:40:01.123+0000","level":"info",)" + fields)
      .as_object();
}

TEST(AccessLogLine, ContinuesTheLoggersObjectWithFieldsInAFixedOrder) {
  EXPECT_EQ(FormatAccessLogFields(Fields()),
            R"("msg":"request","request_id":"1f0c9a2b4d6e8f10-42","method":"GET",)"
            R"("route":"/catalog","path":"/catalog","status":200,"duration_us":412,)"
            R"("bytes":5120,"cache":"HIT","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"})");
}

TEST(AccessLogLine, LeavesOutEmptyOptionalFieldsAndAddsErrors) {
  auto fields = Fields();
  fields.cache = "";
  fields.trace_id = "";
  fields.status = 503;
  fields.error_code = "unavailable";
  fields.error_detail = "catalog_list: SQLSTATE 57P01";
  const auto line = Parse(FormatAccessLogFields(fields));
  EXPECT_FALSE(line.contains("cache"));
  EXPECT_FALSE(line.contains("trace_id"));
  EXPECT_EQ(line.at("status"), 503);
  EXPECT_EQ(line.at("error_code"), "unavailable");
  EXPECT_EQ(line.at("error_detail"), "catalog_list: SQLSTATE 57P01");
}

TEST(AccessLogLine, EscapesHostileTextAndStaysOnOneLine) {
  auto fields = Fields();
  fields.path = "/catalog\"\n\x01\x7f\\}";
  fields.request_id = "a\"b";
  const auto text = FormatAccessLogFields(fields);
  EXPECT_EQ(text.find('\n'), std::string::npos);
  const auto line = Parse(text);
  EXPECT_EQ(line.at("path"), "/catalog\"\n\x01\x7f\\}");
  EXPECT_EQ(line.at("request_id"), "a\"b");
}

TEST(AccessLogLine, NeverWritesANegativeDuration) {
  auto fields = Fields();
  fields.duration = std::chrono::microseconds(-5);
  EXPECT_EQ(Parse(FormatAccessLogFields(fields)).at("duration_us"), 0);
}

}  // namespace
}  // namespace vitrina::telemetry::core
