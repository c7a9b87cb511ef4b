#include "vitrina/telemetry/core/sampling.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace vitrina::telemetry::core {
namespace {

constexpr std::size_t kMinHashedLength = 8;
constexpr double kMaxHash = std::numeric_limits<std::int32_t>::max();

base::Error BadPercentage(std::string_view text, std::string_view why) {
  return base::MakeError(
      base::ErrorCode::kInvalidArgument,
      "TELEMETRY_SAMPLING_PERCENTAGE='" + std::string(text) + "' " + std::string(why));
}

}  // namespace

std::int32_t SamplingHashCode(std::string_view operation_id) {
  if (operation_id.empty()) return 0;
  // The SDKs double the string until it has 8 characters; hashing the characters of the
  // repeated string in order is the same thing without building it.
  std::size_t length = operation_id.size();
  while (length < kMinHashedLength) length *= 2;
  // Unsigned arithmetic wraps as C#'s and Java's int does, without signed-overflow UB.
  std::uint32_t hash = 5381;
  for (std::size_t i = 0; i < length; ++i) {
    hash = (hash << 5) + hash + static_cast<unsigned char>(operation_id[i % operation_id.size()]);
  }
  const auto as_signed = static_cast<std::int32_t>(hash);
  if (as_signed == std::numeric_limits<std::int32_t>::min()) {
    return std::numeric_limits<std::int32_t>::max();
  }
  return as_signed < 0 ? -as_signed : as_signed;
}

double SamplingScore(std::string_view operation_id) {
  return static_cast<double>(SamplingHashCode(operation_id)) / kMaxHash * 100.0;
}

base::Result<double> ParseSamplingPercentage(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (!text.empty() && text.back() == '%') text.remove_suffix(1);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return BadPercentage(text, "is not a number (a percentage such as 100, 10 or 0.5)");
  }
  if (!(value > 0.0 && value <= 100.0)) {
    return BadPercentage(text, "is out of range (0, 100]: 100 keeps everything");
  }
  return value;
}

double EffectiveSamplingPercentage(double requested) {
  if (!(requested > 0.0) || requested >= 100.0) return 100.0;
  const double ratio = 100.0 / requested;
  const double nearest = std::round(ratio);
  // 33.33 is meant as 1/3: rounding it up to 1/4 would sample a quarter less than asked.
  const double items_per_kept = std::abs(ratio - nearest) < 0.01 ? nearest : std::ceil(ratio);
  return 100.0 / items_per_kept;
}

SamplingPolicy::SamplingPolicy(double percentage) : percentage_(percentage) {}

bool SamplingPolicy::KeepsOperation(std::string_view operation_id) const {
  if (keeps_everything() || operation_id.empty()) return true;
  return SamplingScore(operation_id) < percentage_;
}

std::optional<double> SamplingPolicy::SampleRate(bool operation_kept, bool failure) const {
  if (failure) return 100.0;
  if (!operation_kept) return std::nullopt;
  return percentage_;
}

}  // namespace vitrina::telemetry::core
