#include "vitrina/base/request_trace.hpp"

#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace vitrina::base {
namespace {

using std::chrono::microseconds;

class RecordingObserver final : public DependencyObserver {
 public:
  void OnDependency(const RequestTrace& trace, const DependencyRecord& record) override {
    seen.push_back(std::string(record.type) + " " + std::string(record.name) + " " +
                   std::string(trace.context().operation_name));
  }
  std::vector<std::string> seen;
};

DependencyRecord Call(std::string_view type, std::string_view name, microseconds duration) {
  DependencyRecord record;
  record.type = type;
  record.name = name;
  record.duration = duration;
  return record;
}

TEST(RequestTrace, AddsEachDependencyToItsPhaseAndForwardsItToTheObserver) {
  RecordingObserver observer;
  RequestTrace trace(&observer);
  trace.context().operation_name = "GET /catalog";
  trace.Record(Call("redis", "GET", microseconds(300)));
  trace.Record(Call("postgresql", "catalog_list", microseconds(4000)));
  trace.Record(Call("redis", "EVAL store_if_version", microseconds(200)));
  trace.Record(Call("HTTP", "POST /v1/accounts:signUp", microseconds(7000)));
  trace.AddAuthTime(microseconds(120));

  EXPECT_EQ(trace.cache_time(), microseconds(500));
  EXPECT_EQ(trace.db_time(), microseconds(4000));
  EXPECT_EQ(trace.http_time(), microseconds(7000));
  EXPECT_EQ(trace.auth_time(), microseconds(120));
  EXPECT_EQ(observer.seen, (std::vector<std::string>{
                               "redis GET GET /catalog",
                               "postgresql catalog_list GET /catalog",
                               "redis EVAL store_if_version GET /catalog",
                               "HTTP POST /v1/accounts:signUp GET /catalog",
                           }));
}

TEST(RequestTrace, WorksWithoutAnObserver) {
  RequestTrace trace;
  trace.Record(Call("postgresql", "catalog_get", microseconds(10)));
  EXPECT_EQ(trace.db_time(), microseconds(10));
}

TEST(DependencyTimer, WithoutATraceRecordsNothing) {
  const DependencyTimer timer(nullptr);
  EXPECT_FALSE(timer.active());
  timer.Finish("postgresql", "catalog_list", true, "OK");  // must not crash
}

TEST(DependencyTimer, RecordsTheElapsedTimeWithTheOutcome) {
  RecordingObserver observer;
  RequestTrace trace(&observer);
  const auto outer_start = std::chrono::steady_clock::now();
  const DependencyTimer timer(&trace);
  EXPECT_TRUE(timer.active());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));  // the "query"
  timer.Finish("postgresql", "catalog_list", false, "42P01");
  const auto outer = std::chrono::steady_clock::now() - outer_start;
  EXPECT_EQ(observer.seen, std::vector<std::string>{"postgresql catalog_list "});
  // What was recorded is the time between the timer and Finish: at least the sleep, at most the
  // time measured around both (bounds that hold however slowly the machine runs).
  EXPECT_GE(trace.db_time(), std::chrono::milliseconds(2));
  EXPECT_LE(trace.db_time(), outer);
}

TEST(TraceContext, OutgoingTraceparentNamesThisRequestsSpan) {
  TraceContext context;
  const auto incoming = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(incoming.has_value());
  context.trace_id = incoming->trace_id;
  context.span_id = NewSpanId();
  const auto header = context.OutgoingTraceparent();
  EXPECT_EQ(header,
            "00-4bf92f3577b34da6a3ce929d0e0e4736-" + std::string(context.span_id.View()) + "-01");
}

TEST(BlockingTraceScope, NamesTheTraceForExactlyItsScopeOnItsThread) {
  RequestTrace outer;
  RequestTrace inner;
  EXPECT_EQ(CurrentBlockingTrace(), nullptr);
  {
    const BlockingTraceScope scope(&outer);
    EXPECT_EQ(CurrentBlockingTrace(), &outer);
    {
      const BlockingTraceScope nested(&inner);
      EXPECT_EQ(CurrentBlockingTrace(), &inner);
    }
    EXPECT_EQ(CurrentBlockingTrace(), &outer);
    RequestTrace* elsewhere = &inner;
    std::thread([&elsewhere] { elsewhere = CurrentBlockingTrace(); }).join();
    EXPECT_EQ(elsewhere, nullptr);  // another thread's calls are not this request's
  }
  EXPECT_EQ(CurrentBlockingTrace(), nullptr);
}

TEST(DescribeHttpCall, NamesMethodAndPathAndKeepsTheQueryOut) {
  const auto names = DescribeHttpCall(
      "POST", "http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:signUp?key=SECRET");
  EXPECT_EQ(names.name, "POST /identitytoolkit.googleapis.com/v1/accounts:signUp");
  EXPECT_EQ(names.data, "http://127.0.0.1:9099/identitytoolkit.googleapis.com/v1/accounts:signUp");
  EXPECT_EQ(names.target, "127.0.0.1:9099");
  EXPECT_EQ(names.data.find("SECRET"), std::string::npos);
}

TEST(DescribeHttpCall, HandlesBareHostsUserInfoAndFragments) {
  const auto bare = DescribeHttpCall("GET", "https://www.googleapis.com");
  EXPECT_EQ(bare.name, "GET /");
  EXPECT_EQ(bare.target, "www.googleapis.com");
  const auto with_user = DescribeHttpCall("GET", "https://user:pw@example.com/a/b#frag");
  EXPECT_EQ(with_user.name, "GET /a/b");
  EXPECT_EQ(with_user.target, "example.com");
}

TEST(SqlStateIn, FindsTheCodeThatErrorFromPgWrote) {
  EXPECT_EQ(SqlStateIn("users_insert: SQLSTATE 23505 duplicate key"), "23505");
  EXPECT_EQ(SqlStateIn("connection lost"), "");
  EXPECT_EQ(SqlStateIn("truncated SQLSTATE 235"), "");
}

}  // namespace
}  // namespace vitrina::base
