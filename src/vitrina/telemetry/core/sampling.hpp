#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "vitrina/base/result.hpp"

namespace vitrina::telemetry::core {

// Fixed-rate sampling as the Application Insights SDKs do it, so that the portal's counts, rates
// and averages stay right and every component sampling the same trace decides the same way.
//
// The decision is made once per operation from its id (the W3C trace id), with the SDKs' own
// hash: "SamplingScoreGenerator.GetSamplingHashCode" in ApplicationInsights-dotnet, ported as
// "getSamplingHashCode" to the Node.js and Java SDKs and the Azure Monitor OpenTelemetry
// exporters. An operation is kept when its score is below the sampling percentage, so at 10 % a
// .NET, Java or Node.js service that handles the same trace keeps or drops it as we do, and a
// trace kept at 10 % is also kept by a component sampling at 20 %.

// djb2 (hash * 33 + c, 32-bit wrapping, seed 5381) over the id repeated until it is at least 8
// characters long; INT32_MIN becomes INT32_MAX and anything else its absolute value, so the
// result is in [0, INT32_MAX]. The SDKs hash UTF-16 code units; operation ids here are trace ids
// (lowercase hex), whose bytes are those code units. "" hashes to 0.
std::int32_t SamplingHashCode(std::string_view operation_id);

// SamplingHashCode / INT32_MAX * 100: the operation's score in [0, 100].
double SamplingScore(std::string_view operation_id);

// TELEMETRY_SAMPLING_PERCENTAGE as written ("10", "33.3", "0.5"): a number in (0, 100], else an
// error naming the variable.
base::Result<double> ParseSamplingPercentage(std::string_view text);

// The percentage actually applied: 100/N for a whole N. N is 100/`requested` rounded up (30
// becomes 25, 40 becomes 33.33..., as the Azure Monitor exporters' "roundDownToNearest" does),
// or to the nearest whole number when it is within 0.01 of one, so that 33.33 means 1/3 as the
// .NET SDK's documentation writes it. 10 stays 10, 0.5 stays 0.5. The portal stores each item's
// weight (itemCount) as the whole number 100/sampleRate, so any other rate would be counted
// wrong.
double EffectiveSamplingPercentage(double requested);

// The policy for one process: which operations are kept, and the sampleRate each item carries.
// `sampleRate` is the item's true inclusion probability in percent, which is what makes the
// portal's 100/sampleRate weights add up to the real counts:
//  - an item of a kept operation carries the percentage;
//  - failures (a failed request or dependency, an exception) are always kept, whatever the
//    operation's decision, so their inclusion probability is 1 and they carry 100 — also when
//    their operation was kept anyway;
//  - items outside any operation (background work) and metrics (pre-aggregated) are never
//    sampled and carry 100: the caller does not ask the policy about them.
class SamplingPolicy {
 public:
  // `percentage` as given by EffectiveSamplingPercentage (100 keeps everything).
  explicit SamplingPolicy(double percentage = 100.0);

  double percentage() const { return percentage_; }
  bool keeps_everything() const { return percentage_ >= 100.0; }

  // Whether the operation with this id is kept (score < percentage). An empty id (no operation)
  // is kept.
  bool KeepsOperation(std::string_view operation_id) const;

  // The sampleRate of an item, or nothing when it is dropped.
  std::optional<double> SampleRate(bool operation_kept, bool failure) const;

 private:
  double percentage_;
};

}  // namespace vitrina::telemetry::core
