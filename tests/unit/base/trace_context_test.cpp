#include "vitrina/base/trace_context.hpp"

#include <set>
#include <string>

#include <gtest/gtest.h>

namespace vitrina::base {
namespace {

constexpr std::string_view kValid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(Traceparent, ParsesAValidVersion00Header) {
  const auto parsed = ParseTraceparent(kValid);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id.View(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(parsed->parent_id.View(), "00f067aa0ba902b7");
  EXPECT_EQ(parsed->flags, 0x01);
}

TEST(Traceparent, RejectsInvalidHeaders) {
  const char* invalid[] = {
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",           // no flags
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",  // v00 must be exact
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",        // zero trace id
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",        // zero parent id
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",        // upper case
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",        // not hex
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // version ff
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",        // separator
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",        // flags
  };
  for (const char* header : invalid) EXPECT_FALSE(ParseTraceparent(header)) << header;
}

TEST(Traceparent, AcceptsLaterVersionsWithExtraFields) {
  EXPECT_TRUE(ParseTraceparent(
      std::string("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what")));
  EXPECT_FALSE(
      ParseTraceparent(std::string("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01what")));
}

TEST(Traceparent, FormatRoundTrips) {
  const auto parsed = ParseTraceparent(kValid);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(FormatTraceparent(parsed->trace_id, parsed->parent_id, parsed->flags), kValid);
}

TEST(Traceparent, NewIdsAreValidLowercaseHexAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const TraceId trace = NewTraceId();
    const SpanId span = NewSpanId();
    const auto header = FormatTraceparent(trace, span, kTraceFlagSampled);
    ASSERT_TRUE(ParseTraceparent(header)) << header;
    seen.insert(std::string(trace.View()));
  }
  EXPECT_EQ(seen.size(), 1000U);
}

}  // namespace
}  // namespace vitrina::base
