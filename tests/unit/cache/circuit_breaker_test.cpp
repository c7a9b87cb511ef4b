#include "vitrina/cache/core/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace vitrina::cache::core {
namespace {

class FakeClock {
 public:
  std::chrono::steady_clock::time_point now{};
  CircuitBreaker::Clock AsClock() {
    return [this] { return now; };
  }
};

TEST(CircuitBreaker, OpensAfterThresholdFailuresAndSuccessResetsTheCount) {
  FakeClock clock;
  CircuitBreaker breaker({.failure_threshold = 2, .probe_interval = std::chrono::seconds(1)},
                         clock.AsClock());
  breaker.RecordFailure();
  breaker.RecordSuccess();
  breaker.RecordFailure();
  EXPECT_TRUE(breaker.AllowsRequests());
  breaker.RecordFailure();
  EXPECT_FALSE(breaker.AllowsRequests());
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
}

TEST(CircuitBreaker, ProbesOnlyAfterTheIntervalAndOneAtATime) {
  FakeClock clock;
  CircuitBreaker breaker({.failure_threshold = 1, .probe_interval = std::chrono::seconds(1)},
                         clock.AsClock());
  breaker.RecordFailure();
  EXPECT_FALSE(breaker.TryStartProbe());
  clock.now += std::chrono::milliseconds(999);
  EXPECT_FALSE(breaker.TryStartProbe());
  clock.now += std::chrono::milliseconds(1);
  EXPECT_TRUE(breaker.TryStartProbe());
  EXPECT_FALSE(breaker.TryStartProbe());
  EXPECT_FALSE(breaker.AllowsRequests());
  breaker.ProbeFailed();
  EXPECT_EQ(breaker.state(), CircuitBreaker::State::kOpen);
  clock.now += std::chrono::milliseconds(500);
  EXPECT_FALSE(breaker.TryStartProbe());
  clock.now += std::chrono::milliseconds(500);
  ASSERT_TRUE(breaker.TryStartProbe());
  breaker.ProbeSucceeded();
  EXPECT_TRUE(breaker.AllowsRequests());
}

TEST(CircuitBreaker, FailuresWhileOpenDoNotRestartTheTimer) {
  FakeClock clock;
  CircuitBreaker breaker({.failure_threshold = 1, .probe_interval = std::chrono::seconds(1)},
                         clock.AsClock());
  breaker.RecordFailure();
  clock.now += std::chrono::milliseconds(900);
  breaker.RecordFailure();
  clock.now += std::chrono::milliseconds(100);
  EXPECT_TRUE(breaker.TryStartProbe());
}

TEST(CircuitBreaker, ForceOpenClosesTheDoorImmediately) {
  CircuitBreaker breaker({});
  breaker.ForceOpen();
  EXPECT_FALSE(breaker.AllowsRequests());
  EXPECT_EQ(CircuitBreaker::StateName(breaker.state()), "open");
}

}  // namespace
}  // namespace vitrina::cache::core
