#include "vitrina/telemetry/core/ingestion_policy.hpp"

#include <gtest/gtest.h>

namespace vitrina::telemetry::core {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(IngestionPolicy, RetriesThrottlingTimeoutsServerAndNetworkErrorsOnly) {
  for (long status : {0L, 408L, 429L, 500L, 502L, 503L, 504L}) {
    EXPECT_TRUE(IsRetriableBatchStatus(status)) << status;
  }
  for (long status : {400L, 401L, 403L, 404L, 413L, 439L}) {
    EXPECT_FALSE(IsRetriableBatchStatus(status)) << status;
  }
  EXPECT_TRUE(IsRetriableItemStatus(503));
  EXPECT_FALSE(IsRetriableItemStatus(400));
  EXPECT_FALSE(IsRetriableItemStatus(502));
}

TEST(IngestionPolicy, PartialAnswerSplitsItemsIntoRetryRejectedAccepted) {
  const auto partial = ParsePartialAcceptance(
      R"({"itemsReceived":5,"itemsAccepted":2,"errors":[
          {"index":3,"statusCode":500,"message":"Internal"},
          {"index":1,"statusCode":429,"message":"Throttled"},
          {"index":4,"statusCode":400,"message":"Invalid field"},
          {"index":9,"statusCode":500,"message":"out of range: ignored"}]})",
      5);
  ASSERT_TRUE(partial);
  EXPECT_EQ(partial->retry, (std::vector<std::size_t>{1, 3}));
  EXPECT_EQ(partial->rejected, 1U);
  EXPECT_EQ(partial->accepted, 2U);
}

TEST(IngestionPolicy, UnreadablePartialAnswersAreRecognised) {
  EXPECT_FALSE(ParsePartialAcceptance("not json", 2));
  EXPECT_FALSE(ParsePartialAcceptance(R"({"itemsReceived":2})", 2));
  EXPECT_FALSE(ParsePartialAcceptance(R"({"errors":[{"index":"0"}]})", 2));
}

TEST(IngestionPolicy, RetryAfterIsDeltaSeconds) {
  EXPECT_EQ(ParseRetryAfter(" 120\r"), seconds(120));
  EXPECT_FALSE(ParseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT"));
  EXPECT_FALSE(ParseRetryAfter(""));
  EXPECT_FALSE(ParseRetryAfter("-1"));
}

TEST(IngestionPolicy, BackoffDoublesIsCappedAndJittersWithinHalf) {
  const BackoffPolicy policy{milliseconds(500), milliseconds(4000)};
  EXPECT_EQ(RetryDelay(policy, 1, 1.0, std::nullopt), milliseconds(500));
  EXPECT_EQ(RetryDelay(policy, 1, 0.0, std::nullopt), milliseconds(250));
  EXPECT_EQ(RetryDelay(policy, 3, 1.0, std::nullopt), milliseconds(2000));
  EXPECT_EQ(RetryDelay(policy, 10, 1.0, std::nullopt), milliseconds(4000));
  EXPECT_EQ(RetryDelay(policy, 10, 0.0, std::nullopt), milliseconds(2000));
}

TEST(IngestionPolicy, RetryAfterWinsOverBackoffUpToFiveMinutes) {
  const BackoffPolicy policy;
  EXPECT_EQ(RetryDelay(policy, 1, 0.5, seconds(7)), milliseconds(7000));
  EXPECT_EQ(RetryDelay(policy, 1, 0.5, seconds(3600)), milliseconds(300'000));
}

}  // namespace
}  // namespace vitrina::telemetry::core
