#include "vitrina/telemetry/core/sampling.hpp"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace vitrina::telemetry::core {
namespace {

// Strings and their hashes from ApplicationInsights-dotnet's SamplingScoreGeneratorTest
// (StringSamplingHashCodeProducesConsistentValues), the table that keeps every version of that
// SDK hashing alike. Strings shorter than 8 characters check the doubling.
const std::vector<std::pair<std::string, std::int32_t>> kDotnetTable = {
    {"ss", 1179811869},
    {"kxi", 34202699},
    {"wr", 1281077591},
    {"ynehgfhyuiltaiqovbpyhpm", 2139623659},
    {"iaxxtklcw", 1941943012},
    {"hjwvqjiiwhoxrtsjma", 1824011880},
    {"rpiauyg", 251412007},
    {"jekvjvh", 9189387},
    {"hq", 1807146729},
    {"kgqxrftjhefkwlufcxibwjcy", 270215819},
    {"lkfc", 1228617029},
    {"skrnpybqqu", 223230949},
    {"px", 70671963},
    {"dtn", 904623389},
    {"togxlt", 948170633},
    {"ornuu", 1588005865},
    {"y", 1406544563},
    {"aentke", 255756533},
    {"ni", 1696510239},
    {"ymxql", 1974582171},
    {"svvco", 1849105799},
    {"lisvmmug", 822987687},
    {"mmntilfbmxwuyij", 882214597},
    {"hqmyv", 1510970959},
};

// W3C trace ids and their hashes, computed with a separate Python port of the same function that
// reproduces the table above: score = hash / 2147483647 * 100.
constexpr const char* kTraceA = "4bf92f3577b34da6a3ce929d0e0e4736";  // 718577102: 33.46
constexpr const char* kTraceB = "0af7651916cd43dd8448eb211c80319c";  // 1133633597: 52.79
constexpr const char* kTraceC = "00000000000000000000000000000001";  // 50237190: 2.34

TEST(SamplingHash, MatchesTheDotnetSdksRegressionTable) {
  for (const auto& [input, expected] : kDotnetTable) {
    EXPECT_EQ(SamplingHashCode(input), expected) << input;
  }
}

TEST(SamplingHash, TraceIdsHashAsThePortedFunctionDoes) {
  EXPECT_EQ(SamplingHashCode(kTraceA), 718577102);
  EXPECT_EQ(SamplingHashCode(kTraceB), 1133633597);
  EXPECT_EQ(SamplingHashCode(kTraceC), 50237190);
  EXPECT_EQ(SamplingHashCode(""), 0);
}

TEST(SamplingHash, ScoreIsTheHashAsAPercentageOfInt32Max) {
  EXPECT_NEAR(SamplingScore(kTraceA), 33.46135385, 1e-6);
  EXPECT_NEAR(SamplingScore(kTraceB), 52.78892804, 1e-6);
  for (const auto& [input, expected] : kDotnetTable) {
    EXPECT_NEAR(SamplingScore(input), expected / 2147483647.0 * 100, 1e-9) << input;
  }
}

TEST(SamplingPolicy, KeepsAnOperationWhenItsScoreIsBelowThePercentage) {
  EXPECT_TRUE(SamplingPolicy(33.5).KeepsOperation(kTraceA));
  EXPECT_FALSE(SamplingPolicy(33.4).KeepsOperation(kTraceA));
  EXPECT_FALSE(SamplingPolicy(50).KeepsOperation(kTraceB));
  EXPECT_TRUE(SamplingPolicy(10).KeepsOperation(kTraceC));
  EXPECT_FALSE(SamplingPolicy(2).KeepsOperation(kTraceC));
  EXPECT_TRUE(SamplingPolicy(100).KeepsOperation(kTraceB));
  EXPECT_TRUE(SamplingPolicy(10).KeepsOperation(""));
}

// Deterministic, well-spread trace ids (a 64-bit LCG, printed as hex).
std::vector<std::string> TraceIds(std::size_t count) {
  std::vector<std::string> ids;
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;
  char buffer[33];
  for (std::size_t i = 0; i < count; ++i) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const std::uint64_t high = state;
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    std::snprintf(buffer, sizeof buffer, "%016llx%016llx", static_cast<unsigned long long>(high),
                  static_cast<unsigned long long>(state));
    ids.emplace_back(buffer, 32);
  }
  return ids;
}

TEST(SamplingPolicy, KeepsThePercentageOfOperationsAndNestsLowerRatesInHigherOnes) {
  const auto ids = TraceIds(100'000);
  const SamplingPolicy ten(10), twenty(20);
  std::size_t kept_ten = 0, kept_twenty = 0;
  for (const auto& id : ids) {
    const bool in_ten = ten.KeepsOperation(id);
    const bool in_twenty = twenty.KeepsOperation(id);
    kept_ten += in_ten ? 1 : 0;
    kept_twenty += in_twenty ? 1 : 0;
    // A trace another component keeps at 10 % is also kept here at 20 %.
    if (in_ten) {
      EXPECT_TRUE(in_twenty) << id;
    }
  }
  // Binomial standard deviation at n = 100,000, p = 0.1: ~95 items; allow ~5 of them.
  EXPECT_NEAR(static_cast<double>(kept_ten), 10'000, 500);
  EXPECT_NEAR(static_cast<double>(kept_twenty), 20'000, 650);
}

TEST(SamplingPolicy, KeptItemsCarryThePercentageAndFailuresAreAlwaysKeptAt100) {
  const SamplingPolicy policy(10);
  EXPECT_EQ(policy.SampleRate(/*operation_kept=*/true, /*failure=*/false), 10.0);
  EXPECT_EQ(policy.SampleRate(false, false), std::nullopt);
  EXPECT_EQ(policy.SampleRate(false, true), 100.0);
  EXPECT_EQ(policy.SampleRate(true, true), 100.0);
  EXPECT_EQ(SamplingPolicy(100).SampleRate(true, false), 100.0);
}

TEST(SamplingPercentage, ParsesNumbersInTheOpenRangeUpTo100) {
  EXPECT_EQ(*ParseSamplingPercentage("10"), 10.0);
  EXPECT_EQ(*ParseSamplingPercentage(" 0.5 "), 0.5);
  EXPECT_EQ(*ParseSamplingPercentage("25%"), 25.0);
  EXPECT_EQ(*ParseSamplingPercentage("100"), 100.0);
  for (const char* bad : {"", "0", "-5", "100.5", "ten", "10 percent", "nan", "inf"}) {
    const auto parsed = ParseSamplingPercentage(bad);
    ASSERT_FALSE(parsed) << bad;
    EXPECT_NE(parsed.error().message.find("TELEMETRY_SAMPLING_PERCENTAGE"), std::string::npos);
  }
}

TEST(SamplingPercentage, IsAppliedAs100OverAWholeNumber) {
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(100), 100);
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(10), 10);
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(50), 50);
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(30), 25);
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(40), 100.0 / 3);
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(33.33), 100.0 / 3);
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(0.5), 0.5);
  EXPECT_DOUBLE_EQ(EffectiveSamplingPercentage(1.5), 100.0 / 67);
}

}  // namespace
}  // namespace vitrina::telemetry::core
