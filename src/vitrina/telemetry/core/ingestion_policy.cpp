#include "vitrina/telemetry/core/ingestion_policy.hpp"

#include <algorithm>
#include <charconv>
#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace vitrina::telemetry::core {

bool IsRetriableBatchStatus(long status) {
  switch (status) {
    case 0:
    case 408:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

bool IsRetriableItemStatus(long status) {
  return status == 408 || status == 429 || status == 500 || status == 503;
}

std::optional<PartialAcceptance> ParsePartialAcceptance(std::string_view body,
                                                        std::size_t batch_size) {
  boost::system::error_code error;
  const boost::json::value parsed = boost::json::parse(body, error);
  if (error || !parsed.is_object()) return std::nullopt;
  const auto* errors = parsed.as_object().if_contains("errors");
  if (errors == nullptr || !errors->is_array()) return std::nullopt;
  std::set<std::size_t> retry;
  std::set<std::size_t> rejected;
  for (const auto& item : errors->as_array()) {
    if (!item.is_object()) return std::nullopt;
    const auto* index = item.as_object().if_contains("index");
    const auto* status = item.as_object().if_contains("statusCode");
    if (index == nullptr || !index->is_int64() || status == nullptr || !status->is_int64()) {
      return std::nullopt;
    }
    if (index->as_int64() < 0 || static_cast<std::size_t>(index->as_int64()) >= batch_size) {
      continue;
    }
    const auto position = static_cast<std::size_t>(index->as_int64());
    (IsRetriableItemStatus(status->as_int64()) ? retry : rejected).insert(position);
  }
  PartialAcceptance acceptance;
  acceptance.retry.assign(retry.begin(), retry.end());
  for (const auto index : retry) rejected.erase(index);
  acceptance.rejected = rejected.size();
  acceptance.accepted = batch_size - acceptance.retry.size() - acceptance.rejected;
  return acceptance;
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value) {
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r')) value.remove_suffix(1);
  long long seconds = 0;
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (value.empty() || error != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;
  }
  return std::chrono::seconds(seconds);
}

std::chrono::milliseconds RetryDelay(const BackoffPolicy& policy, int attempt, double jitter,
                                     std::optional<std::chrono::seconds> retry_after) {
  constexpr std::chrono::milliseconds kMaxRetryAfter{300'000};
  if (retry_after) {
    return std::min<std::chrono::milliseconds>(*retry_after, kMaxRetryAfter);
  }
  const int doublings = std::clamp(attempt - 1, 0, 30);
  const double exponential =
      static_cast<double>(policy.base.count()) * static_cast<double>(1LL << doublings);
  const double capped = std::min(exponential, static_cast<double>(policy.max.count()));
  const double jittered = capped / 2 + capped / 2 * std::clamp(jitter, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(jittered));
}

}  // namespace vitrina::telemetry::core
